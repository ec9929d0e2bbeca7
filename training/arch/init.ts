import type { Rng } from '../random';

/**
 * One parameter of a model: its TransformerLens-style name, its shape, and PyTorch's default initialisation
 * for the module it belongs to, so a model trained here starts where the seed's PyTorch model started.
 */
export interface ParamDef {
  name: string;
  shape: number[];
  /** Draw the initial values (in the order of `shape`, row-major). */
  init: (rng: Rng, size: number) => Float32Array;
}

/** N(0, std^2): nn.Embedding (std 1), xavier_normal_. */
export const normal = (std: number) => (rng: Rng, n: number) =>
  Float32Array.from({ length: n }, () => std * rng.normal());

/** U(-bound, bound): nn.Linear and nn.Conv1d weights and biases (bound 1/sqrt(fan_in)), nn.LSTM. */
export const uniform = (bound: number) => (rng: Rng, n: number) =>
  Float32Array.from({ length: n }, () => rng.uniform(-bound, bound));

/** Every entry `value`: zeros (a Dense's bias, the seed-004 queries), ones (a LayerNorm gain). */
export const constant = (value: number) => (_rng: Rng, n: number) => new Float32Array(n).fill(value);

/**
 * U(-b, b) with b = sqrt(6 / (fan_in + fan_out)): Keras/TensorFlow's glorot_uniform, the default kernel
 * initialiser of tf.layers.dense (seed 004's TensorFlow model).
 */
export const glorotUniform = (fanIn: number, fanOut: number) => uniform(Math.sqrt(6 / (fanIn + fanOut)));
