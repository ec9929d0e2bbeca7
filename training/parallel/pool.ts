import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { readInto } from '../kernels/heap_read';
import type { Params } from '../models/params';
import type { ArchSpec } from '../models/spec';
import {
  BUSY,
  DONE,
  FAILED,
  IDLE,
  STATE,
  type InitMessage,
  type JobMessage,
  type ParamSlot,
} from './protocol';

/**
 * Data parallelism over the machine's cores with worker threads. The WebAssembly backend runs one thread, so
 * on an n-core machine one training step splits its batch into n row blocks: the main thread computes the
 * gradients of the first block while n - 1 workers (each its own wasm instance with a replica of the
 * variables) compute the others; the main thread then averages them, weighted by rows, which is exactly the
 * gradient of the whole batch's mean loss up to float rounding, and runs the optimizer once.
 *
 * The main thread waits with Atomics.wait, so trainStep stays synchronous and the training loop, the
 * checkpoints (which read the main thread's variables and optimizer) and resume are unchanged. Parameters go
 * to the workers through one SharedArrayBuffer written before each step; gradients come back through one
 * buffer per worker.
 *
 * SMALLSCOPE_THREADS sets the number of threads (1 turns workers off); the default is the number of cores
 * (at most 4). Steps with fewer than MIN_TOKENS tokens per thread stay on the main thread: there the
 * hand-off costs more than it saves. Unless SMALLSCOPE_THREADS asks for threads explicitly, a step is also
 * split only while each thread gets at least MIN_WORK_PER_THREAD parameter-token products (a proxy for its
 * FLOPs): with the native kernels a small model's step is ~25 ms, of which a fixed ~3 ms does not shrink
 * with the batch, and two threads contend for memory and the GC; measured on 2 cores, seed 000 at C=32
 * (0.2e9 products per step) trained faster on one thread (2590 vs 2300 samples/s), C=128 (2.9e9) and seed
 * 001 (1.0e9) 1.4-1.6x faster on two.
 */
export const MIN_TOKENS_PER_THREAD = 512;
export const MIN_WORK_PER_THREAD = 2.5e8;
const WAIT_MS = 10 * 60 * 1000;

interface Helper {
  worker: Worker;
  ctrl: Int32Array;
  grads: Float32Array;
  error: SharedArrayBuffer;
}

export function threadCount(): number {
  const env = process.env.SMALLSCOPE_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`SMALLSCOPE_THREADS must be a positive integer, got '${env}'`);
    return n;
  }
  return Math.max(1, Math.min(4, availableParallelism()));
}

class Pool {
  private helpers: Helper[] = [];
  private key = '';
  private slots: ParamSlot[] = [];
  private params: Float32Array = new Float32Array(0);
  private paramsBuf: SharedArrayBuffer = new SharedArrayBuffer(4);

  constructor(readonly threads: number) {}

  /** (Re)initialise the workers' replicas for this model; blocks until they are ready. */
  private prepare(spec: ArchSpec, params: Params): void {
    const key = JSON.stringify([spec, Object.entries(params).map(([n, v]) => [n, v.shape])]);
    if (key === this.key) return;
    let offset = 0;
    this.slots = Object.entries(params).map(([name, v]) => {
      const s = { name, shape: v.shape.slice(), offset, size: v.size };
      offset += v.size;
      return s;
    });
    this.paramsBuf = new SharedArrayBuffer(offset * 4);
    this.params = new Float32Array(this.paramsBuf);
    while (this.helpers.length < this.threads - 1) {
      const worker = new Worker(new URL('./worker.mjs', import.meta.url), { execArgv: [], stdout: false });
      worker.unref();
      this.helpers.push({
        worker,
        ctrl: new Int32Array(new SharedArrayBuffer(16)),
        grads: new Float32Array(0),
        error: new SharedArrayBuffer(8192),
      });
    }
    for (const h of this.helpers) {
      const grads = new SharedArrayBuffer((offset + 1) * 4);
      h.grads = new Float32Array(grads);
      Atomics.store(h.ctrl, STATE, BUSY);
      const msg: InitMessage = {
        kind: 'init',
        spec,
        slots: this.slots,
        params: this.paramsBuf,
        grads,
        ctrl: h.ctrl.buffer as SharedArrayBuffer,
        error: h.error,
      };
      h.worker.postMessage(msg);
    }
    for (const h of this.helpers) this.wait(h);
    this.key = key;
  }

  /** Stop the workers (they are unref'd, so a process that forgets this still exits). */
  close(): void {
    for (const h of this.helpers) void h.worker.terminate();
    this.helpers = [];
    this.key = '';
  }

  private wait(h: Helper): void {
    const t0 = Date.now();
    while (Atomics.load(h.ctrl, STATE) === BUSY) {
      Atomics.wait(h.ctrl, STATE, BUSY, 1000);
      if (Date.now() - t0 > WAIT_MS) throw new Error('a gradient worker did not answer in 10 minutes');
    }
    if (Atomics.load(h.ctrl, STATE) === FAILED) {
      const n = new Int32Array(h.error, 0, 1)[0];
      const msg = new TextDecoder().decode(new Uint8Array(h.error, 4, n).slice());
      Atomics.store(h.ctrl, STATE, IDLE);
      this.key = ''; // re-initialise next time
      throw new Error(`gradient worker failed: ${msg}`);
    }
  }

  /**
   * Loss and gradients of the whole batch: `local` computes one row block on this thread (returning tensors),
   * the workers the others. Returns the row-weighted mean loss and gradients (tensors, caller disposes).
   */
  run(
    spec: ArchSpec,
    params: Params,
    inputs: Int32Array,
    targets: Int32Array,
    rows: number,
    seqLen: number,
    local: (
      inputs: Int32Array,
      targets: Int32Array,
      rows: number,
    ) => { loss: number; grads: Record<string, tf.Tensor> },
  ): { loss: number; grads: Record<string, tf.Tensor> } {
    this.prepare(spec, params);
    // Current weights for the workers.
    for (const s of this.slots) readInto(params[s.name], this.params, s.offset);
    const n = this.helpers.length + 1;
    // Targets per row: one per position for text and selcopy, one per output step for counting.
    const perRow = targets.length / rows;
    const bounds = Array.from({ length: n + 1 }, (_, i) => Math.round((i * rows) / n));
    this.helpers.forEach((h, i) => {
      const r0 = bounds[i + 1];
      const r1 = bounds[i + 2];
      Atomics.store(h.ctrl, STATE, BUSY);
      const job: JobMessage = {
        kind: 'job',
        inputs: inputs.slice(r0 * seqLen, r1 * seqLen),
        targets: targets.slice(r0 * perRow, r1 * perRow),
        rows: r1 - r0,
        seqLen,
      };
      h.worker.postMessage(job);
    });
    const mine = local(
      inputs.subarray(0, bounds[1] * seqLen),
      targets.subarray(0, bounds[1] * perRow),
      bounds[1],
    );
    for (const h of this.helpers) this.wait(h);
    for (const h of this.helpers) Atomics.store(h.ctrl, STATE, IDLE);
    // Row-weighted means (each block's loss is a mean over its own rows).
    const w = (i: number) => (bounds[i + 1] - bounds[i]) / rows;
    let loss = mine.loss * w(0);
    this.helpers.forEach((h, i) => (loss += h.grads[h.grads.length - 1] * w(i + 1)));
    const grads: Record<string, tf.Tensor> = {};
    for (const s of this.slots) {
      const g0 = mine.grads[s.name];
      grads[s.name] = tf.tidy(() => {
        let acc = g0 ? tf.mul(g0, w(0)) : tf.zeros(s.shape);
        this.helpers.forEach((h, i) => {
          acc = tf.add(
            acc,
            tf.mul(tf.tensor(h.grads.subarray(s.offset, s.offset + s.size), s.shape), w(i + 1)),
          );
        });
        return acc;
      });
    }
    tf.dispose(Object.values(mine.grads));
    return { loss, grads };
  }
}

let pool: Pool | undefined;

/** How many threads a step of `rows` x `seqLen` tokens on a model of `params` parameters is split over. */
export function threadsFor(rows: number, seqLen: number, params = 0): number {
  let threads = Math.min(threadCount(), rows);
  const explicit = (process.env.SMALLSCOPE_THREADS ?? '') !== '';
  if (!explicit && params > 0)
    threads = Math.min(threads, Math.floor((params * rows * seqLen) / MIN_WORK_PER_THREAD));
  if (threads < 2 || (rows * seqLen) / threads < MIN_TOKENS_PER_THREAD) return 1;
  return threads;
}

/**
 * The pool for this process, or undefined when a step of this size should stay on one thread. `params`:
 * the model's parameter count (0 skips the work rule).
 */
export function poolFor(rows: number, seqLen: number, params = 0): Pool | undefined {
  const threads = threadsFor(rows, seqLen, params);
  if (threads < 2) return undefined;
  if (!pool || pool.threads !== threads) {
    pool?.close();
    pool = new Pool(threads);
  }
  return pool;
}

export type { Pool };
