// Direct 1-d convolution over positions as accumulating GEMMs on shifted row ranges, no im2col window:
//   out[b, t] = sum_tau x[b, t + tau*d - r] @ W[tau]       (x outside [0, T) = 0; r = the left padding)
// Each (tap, sequence) pair is one product of the rows whose source lies inside the sequence, so padding
// costs nothing (the window multiplies its zeros: ~40% of the products at seed 000's dilations) and the
// operands stay cache-resident (x and out are [B*T, C]; the window was k times that).
#pragma once
#include <cstdint>

namespace smallscope {

// out [B, T, O] = conv(x [B, T, C], W [k, C, O]) (no bias).
void conv1d_forward(const float* x, const float* w, float* out, int64_t B, int64_t T, int64_t C, int64_t O,
                    int64_t k, int64_t d, int64_t r);

// dx [B, T, C] = the adjoint in x: dx[b, t + s] += dy[b, t] W[tau]^T.
void conv1d_backward_data(const float* dy, const float* w, float* dx, int64_t B, int64_t T, int64_t C, int64_t O,
                          int64_t k, int64_t d, int64_t r);

// dW [k, C, O]: dW[tau] = sum_b x[b, rows + s]^T dy[b, rows].
void conv1d_backward_filter(const float* x, const float* dy, float* dw, int64_t B, int64_t T, int64_t C, int64_t O,
                            int64_t k, int64_t d, int64_t r);

}  // namespace smallscope
