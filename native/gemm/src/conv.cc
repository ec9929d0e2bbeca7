#include "conv.h"

#include <algorithm>
#include <cstring>

#include "gemm.h"

namespace smallscope {
namespace {

// Output rows [t0, t1) of tap tau read source rows [t0 + s, t1 + s), s = tau*d - r, all inside [0, T).
struct Taps {
  int64_t s, t0, t1;
};
Taps rows_of(int64_t tau, int64_t T, int64_t d, int64_t r) {
  const int64_t s = tau * d - r;
  return {s, std::max<int64_t>(0, -s), std::min<int64_t>(T, T - s)};
}

}  // namespace

void conv1d_forward(const float* x, const float* w, float* out, int64_t B, int64_t T, int64_t C, int64_t O,
                    int64_t k, int64_t d, int64_t r) {
  std::memset(out, 0, static_cast<size_t>(B * T * O) * sizeof(float));
  for (int64_t tau = 0; tau < k; ++tau) {
    const Taps q = rows_of(tau, T, d, r);
    if (q.t1 <= q.t0) continue;
    const View wt{w + tau * C * O, O, 1};
    // every sequence's rows at once, the tap's weights packed once
    gemm_shared_b(B, q.t1 - q.t0, O, C, View{x + (q.t0 + q.s) * C, C, 1}, T * C, wt, out + q.t0 * O, O, T * O, true);
  }
}

void conv1d_backward_data(const float* dy, const float* w, float* dx, int64_t B, int64_t T, int64_t C, int64_t O,
                          int64_t k, int64_t d, int64_t r) {
  std::memset(dx, 0, static_cast<size_t>(B * T * C) * sizeof(float));
  for (int64_t tau = 0; tau < k; ++tau) {
    const Taps q = rows_of(tau, T, d, r);
    if (q.t1 <= q.t0) continue;
    const View wt{w + tau * C * O, 1, O};  // W[tau]^T: [O, C]
    gemm_shared_b(B, q.t1 - q.t0, C, O, View{dy + q.t0 * O, O, 1}, T * O, wt, dx + (q.t0 + q.s) * C, C, T * C, true);
  }
}

void conv1d_backward_filter(const float* x, const float* dy, float* dw, int64_t B, int64_t T, int64_t C, int64_t O,
                            int64_t k, int64_t d, int64_t r) {
  for (int64_t tau = 0; tau < k; ++tau) {
    const Taps q = rows_of(tau, T, d, r);
    // dW[tau] = sum over sequences of X[rows + s]^T dY[rows]: one product whose depth runs through every
    // sequence's valid rows (a tap entirely outside the sequence gets zeros).
    gemm_tn_segments(C, O, x, C, q.t0 + q.s, dy, O, q.t0, q.t1 > q.t0 ? B : 0, q.t1 - q.t0, T, dw + tau * C * O, O,
                     false);
  }
}

}  // namespace smallscope
