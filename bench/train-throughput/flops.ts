/**
 * Floating-point operations of one training sample of a bench configuration, counted from its shapes: every
 * matrix product and convolution (2 m n k each; the elementwise ops, norms and softmax are left out, they are
 * a few percent at these sizes), forward only. A training step is counted as 3x the forward (the backward
 * computes the gradient with respect to both operands of each product: 2x), the usual count (Kaplan et al.
 * 2020; PaLM's MFU). The same count serves both sides, so the fractions of peak compare like with like.
 * Causal attention is counted in full (T x T): both implementations compute the masked half too.
 */
import type { Config } from './configs';

const VOCAB = 256;

/** Forward FLOPs of one sample (one row of seqLen positions). */
export function forwardFlops(c: Config): number {
  const T = c.seqLen;
  const t = c.torch as {
    arch: string;
    d_model: number;
    kernel?: number;
    dilation?: number[];
    attn?: (0 | 'T' | number)[];
  };
  const D = t.d_model;
  const attention = 4 * T * T * D; // Q K^T [T, T] and A V [T, D]
  const linear = (inDim: number, outDim: number) => 2 * T * inDim * outDim;
  const logits = linear(D, VOCAB);
  if (t.arch === 'conv-attn') {
    // conv k=3 (the masked future tap is still multiplied), W_Q, W_K, W_V, attention, lm_head
    return 3 * linear(D, D) + 3 * linear(D, D) + attention + logits;
  }
  if (t.arch === 'attn-attn') return 2 * (3 * linear(D, D) + attention) + logits;
  if (t.arch === 'conv-stack') {
    let f = logits;
    for (const a of t.attn!) {
      const m = a === 'T' ? 2 : a === 0 ? 1 : 3; // conv output channels: C, 2C (q, k) or 3C (q, k, v)
      f += m * t.kernel! * linear(D, D);
      if (a === 'T') f += attention;
      else if (a !== 0) f += 4 * linear(D, D) + attention; // nn.MultiheadAttention: in (3) + out (1) projections
    }
    return f;
  }
  throw new Error(`no FLOP count for arch '${t.arch}'`);
}

/** FLOPs of one training sample: forward + backward. */
export const trainFlops = (c: Config): number => 3 * forwardFlops(c);
