// The non-matmul kernels of smallscope's training step that the tfjs wasm backend runs slowly, each fused
// into one pass: softmax cross-entropy, AdamW, the embedding lookup and its gradient, LayerNorm, column sums,
// the residual ReLU.
#pragma once
#include <cstdint>

namespace smallscope {

// For each row i of logits [n, v]: loss[i] = logsumexp(logits[i]) - logits[i, target[i]] and
// grad[i, :] = softmax(logits[i]) - onehot(target[i]). Targets outside [0, v) give loss NaN.
void softmax_cross_entropy(const float* logits, const int32_t* target, int64_t n, int64_t v, float* loss,
                           float* grad);

// One AdamW update (decoupled weight decay, as torch.optim.AdamW), in the order training/optim/adamw.ts
// writes it with tf ops, in float32:
//   m' = b1 m + (1 - b1) g      v' = b2 v + (1 - b2) g^2      p' = p (1 - lr wd) - lr (m' / c1) / (sqrt(v' / c2) + eps)
// with c1 = 1 - b1^t, c2 = 1 - b2^t. Outputs may not alias inputs.
void adamw(const float* p, const float* g, const float* m, const float* v, int64_t n, float lr, float b1,
           float b2, float eps, float wd, float c1, float c2, float* p_out, float* m_out, float* v_out);

// Embedding lookup: out[i, :] = table[tokens[i], :] for a table [vocab, d]. A token outside [0, vocab) gives
// a zero row and no gradient, as the one-hot product it replaces (training/models/embedding.ts) does.
void embed(const float* table, const int32_t* tokens, int64_t n, int64_t vocab, int64_t d, float* out);

// Its gradient: dtable [vocab, d] = sum over i with tokens[i] = t of dy[i, :] (zero for unused rows).
void embed_grad(const float* dy, const int32_t* tokens, int64_t n, int64_t vocab, int64_t d, float* dtable);

// LayerNorm over the last axis of x [rows, c] (biased variance, as nn.LayerNorm): xhat = (x - mean) * rstd,
// rstd = 1 / sqrt(var + eps), out = xhat * w + b. Keeps xhat and rstd for the backward pass.
void layer_norm(const float* x, const float* w, const float* b, int64_t rows, int64_t c, float eps, float* out,
                float* xhat, float* rstd);

// Its gradient: with g = dy * w, dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) per row;
// dw = sum over rows of dy * xhat, db = sum over rows of dy.
void layer_norm_grad(const float* dy, const float* xhat, const float* rstd, const float* w, int64_t rows, int64_t c,
                     float* dx, float* dw, float* db);

// The conv stack's residual step, out = relu(y) + x over n elements (a NaN in y passes through), and its
// gradient with respect to y, dy = g * step(y) (step: 1 above 0, else 0, NaN for NaN, as tf.step); x's
// gradient is g.
void relu_add(const float* y, const float* x, int64_t n, float* out);
void relu_grad(const float* g, const float* y, int64_t n, float* dy);

// out[j] = sum over rows of x[i, j], x [rows, n] (the gradient of a broadcast bias).
void sum_rows(const float* x, int64_t rows, int64_t n, float* out);

}  // namespace smallscope
