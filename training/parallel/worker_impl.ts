import * as tf from '@tensorflow/tfjs-core';
import { parentPort } from 'node:worker_threads';
import { initBackend } from '../backend';
import { readInto } from '../kernels/heap_read';
import { lossAndGradTensors } from '../step';
import type { Params } from '../models/params';
import { BUSY, DONE, FAILED, STATE, type InitMessage, type JobMessage } from './protocol';

/**
 * A data-parallel gradient worker: it holds a replica of the model's variables, and for each job copies the
 * main thread's current parameter values in, computes the loss and gradients of its share of the batch with
 * the same code as the main thread (step.ts), and writes them to shared memory. It never updates weights:
 * the main thread averages the gradients and runs the optimizer, so there is one source of truth.
 */
let init: InitMessage | undefined;
let params: Params = {};
const ready = initBackend();

function fail(e: unknown): void {
  if (!init) return;
  const msg = new TextEncoder()
    .encode(String((e as Error)?.stack ?? e))
    .subarray(0, init.error.byteLength - 4);
  const bytes = new Uint8Array(init.error);
  new Int32Array(init.error, 0, 1)[0] = msg.length;
  bytes.set(msg, 4);
  const ctrl = new Int32Array(init.ctrl);
  Atomics.store(ctrl, STATE, FAILED);
  Atomics.notify(ctrl, STATE);
}

async function onInit(m: InitMessage): Promise<void> {
  await ready;
  for (const v of Object.values(params)) v.dispose();
  init = m;
  params = {};
  for (const s of m.slots) params[s.name] = tf.variable(tf.zeros(s.shape), true, `w${s.offset}:${s.name}`);
  const ctrl = new Int32Array(m.ctrl);
  Atomics.store(ctrl, STATE, DONE);
  Atomics.notify(ctrl, STATE);
}

function onJob(j: JobMessage): void {
  const m = init!;
  const flat = new Float32Array(m.params);
  tf.tidy(() => {
    for (const s of m.slots)
      params[s.name].assign(tf.tensor(flat.subarray(s.offset, s.offset + s.size), s.shape));
  });
  const out = new Float32Array(m.grads);
  const { loss, grads } = lossAndGradTensors(m.spec, params, j.inputs, j.targets, j.rows, j.seqLen);
  for (const s of m.slots) {
    const g = grads[s.name];
    if (g) readInto(g, out, s.offset);
    else out.fill(0, s.offset, s.offset + s.size);
  }
  tf.dispose(Object.values(grads));
  out[out.length - 1] = loss;
  const ctrl = new Int32Array(m.ctrl);
  Atomics.store(ctrl, STATE, DONE);
  Atomics.notify(ctrl, STATE);
}

parentPort!.on('message', (msg: InitMessage | JobMessage) => {
  if (msg.kind === 'init') {
    init = msg;
    onInit(msg).catch(fail);
    return;
  }
  try {
    const ctrl = new Int32Array(init!.ctrl);
    if (Atomics.load(ctrl, STATE) !== BUSY) throw new Error('gradient worker: job without a posted state');
    onJob(msg);
  } catch (e) {
    fail(e);
  }
});
