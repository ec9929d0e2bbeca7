import type { ArchSpec } from '../models/spec';

/**
 * What the main thread and a gradient worker share. Control words (Int32Array over a SharedArrayBuffer):
 * [STATE] is IDLE, BUSY (a job was posted), DONE (grads written) or FAILED (message in the error bytes).
 * The worker writes its gradients, flattened in parameter order, and then its mean loss after them.
 */
export const STATE = 0;
export const IDLE = 0;
export const BUSY = 1;
export const DONE = 2;
export const FAILED = 3;

export interface ParamSlot {
  name: string;
  shape: number[];
  /** Offset (in floats) in the flat parameter / gradient buffers. */
  offset: number;
  size: number;
}

export interface InitMessage {
  kind: 'init';
  spec: ArchSpec;
  slots: ParamSlot[];
  /** Float32 [total]: current parameter values, written by the main thread before each job. */
  params: SharedArrayBuffer;
  /** Float32 [total + 1]: this worker's gradients, then its loss. */
  grads: SharedArrayBuffer;
  ctrl: SharedArrayBuffer;
  error: SharedArrayBuffer;
}

export interface JobMessage {
  kind: 'job';
  /** int32 [rows, seqLen] token ids and [rows * seqLen] targets. */
  inputs: Int32Array;
  targets: Int32Array;
  rows: number;
  seqLen: number;
}
