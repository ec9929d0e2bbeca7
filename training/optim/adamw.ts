import * as tf from '@tensorflow/tfjs-core';
import { adamwUpdate } from '../kernels/adamw';

/**
 * AdamW (Loshchilov & Hutter), as torch.optim.AdamW: the weight decay is decoupled from the gradient, i.e.
 * applied to the weights directly (p -= lr * wd * p) instead of being added to the gradient where Adam's
 * normalisation would undo it. tfjs ships Adam without it.
 *
 *   p <- p - lr * wd * p
 *   m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2
 *   p <- p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 *
 * A parameter with no gradient this step (none here: every variable is used) gets g = 0, like a PyTorch
 * parameter whose gradient is zero but not None.
 */
export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export const ADAMW_DEFAULTS: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

export interface AdamWState {
  /** Number of updates taken so far (t in the bias corrections is step + 1 for the next update). */
  step: number;
  m: Record<string, tf.Variable>;
  v: Record<string, tf.Variable>;
}

export class AdamW {
  readonly state: AdamWState;

  constructor(
    private readonly params: Record<string, tf.Variable>,
    readonly config: AdamWConfig = ADAMW_DEFAULTS,
  ) {
    const m: Record<string, tf.Variable> = {};
    const v: Record<string, tf.Variable> = {};
    for (const [name, p] of Object.entries(params)) {
      m[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
      v[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
    this.state = { step: 0, m, v };
  }

  /** One update with learning rate `lr`; `grads` by parameter name. */
  apply(grads: Record<string, tf.Tensor>, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.config;
    const t = this.state.step + 1;
    const c1 = 1 - beta1 ** t;
    const c2 = 1 - beta2 ** t;
    tf.tidy(() => {
      for (const [name, p] of Object.entries(this.params)) {
        const g = grads[name] ?? tf.zerosLike(p);
        const m = this.state.m[name];
        const v = this.state.v[name];
        // One native kernel per parameter where the addon is installed (kernels/adamw.ts); same formula.
        const fused = adamwUpdate(p, g, m, v, { lr, beta1, beta2, eps, weightDecay, c1, c2 });
        if (fused) {
          p.assign(fused[0]);
          m.assign(fused[1]);
          v.assign(fused[2]);
          continue;
        }
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        const step = tf.div(tf.div(mNew, c1), tf.add(tf.sqrt(tf.div(vNew, c2)), eps));
        const decayed = tf.mul(p, 1 - lr * weightDecay);
        p.assign(tf.sub(decayed, tf.mul(step, lr)));
      }
    });
    this.state.step = t;
  }

  /** Moments copied out, for a checkpoint. */
  async moments(): Promise<{ m: Record<string, Float32Array>; v: Record<string, Float32Array> }> {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const name of Object.keys(this.params)) {
      m[name] = (await this.state.m[name].data()) as Float32Array;
      v[name] = (await this.state.v[name].data()) as Float32Array;
    }
    return { m, v };
  }

  /** Restore moments and step from a checkpoint. */
  restore(step: number, m: Record<string, Float32Array>, v: Record<string, Float32Array>): void {
    for (const [name, p] of Object.entries(this.params)) {
      if (!m[name] || !v[name]) throw new Error(`saved optimizer state lacks ${name}`);
      tf.tidy(() => {
        this.state.m[name].assign(tf.tensor(m[name], p.shape));
        this.state.v[name].assign(tf.tensor(v[name], p.shape));
      });
    }
    this.state.step = step;
  }

  dispose(): void {
    for (const t of [...Object.values(this.state.m), ...Object.values(this.state.v)]) t.dispose();
  }
}
