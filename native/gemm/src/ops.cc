#include "ops.h"

#include <cmath>
#include <cstring>
#include <limits>

// One body compiled for AVX-512, AVX2 and baseline x86-64, chosen at load time (an ifunc): ELF x86-64 only;
// elsewhere the baseline build alone.
#if defined(__x86_64__) && defined(__linux__)
#define SMALLSCOPE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SMALLSCOPE_CLONES
#endif

namespace smallscope {

namespace {

// e^x for x <= 0 (arguments are logits minus their row maximum), in plain arithmetic the compiler vectorises:
// x = n ln2 + f with |f| <= ln2 / 2, e^f by a degree-6 polynomial (relative error < 2e-7, float32 rounding
// level), 2^n through the exponent bits. Below -87 the result is flushed to 0 (float32 underflow).
inline float exp_nonpositive(float x) {
  const float clamped = x < -87.f ? -87.f : x;
  // Round to nearest by adding and subtracting 1.5 * 2^23 (exact in float32 without -ffast-math).
  const float n = (clamped * 1.44269504088896341f + 12582912.f) - 12582912.f;
  const float f = clamped - n * 0.693359375f + n * 2.12194440e-4f;  // Cody-Waite: ln2 in two parts
  float p = 1.f / 720;
  p = p * f + 1.f / 120;
  p = p * f + 1.f / 24;
  p = p * f + 1.f / 6;
  p = p * f + 0.5f;
  p = p * f + 1.f;
  p = p * f + 1.f;
  int32_t bits = static_cast<int32_t>(n + 127.f) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return x < -87.f ? 0.f : p * scale;
}

}  // namespace

SMALLSCOPE_CLONES void softmax_cross_entropy(
    const float* logits, const int32_t* target, int64_t n, int64_t v, float* loss, float* grad) {
  for (int64_t i = 0; i < n; ++i) {
    const float* x = logits + i * v;
    float* g = grad + i * v;
    // Row max and sum in 16 independent lanes: written so, the compiler vectorises them without -ffast-math
    // (a single running max or sum is one long dependency chain, half of this kernel's time at vocab 256).
    constexpr int L = 16;
    float lanes[L];
    for (int l = 0; l < L; ++l) lanes[l] = -std::numeric_limits<float>::infinity();
    int64_t j = 0;
    for (; j + L <= v; j += L)
      for (int l = 0; l < L; ++l) lanes[l] = x[j + l] > lanes[l] ? x[j + l] : lanes[l];
    float m = -std::numeric_limits<float>::infinity();
    for (int l = 0; l < L; ++l) m = lanes[l] > m ? lanes[l] : m;
    for (; j < v; ++j) m = x[j] > m ? x[j] : m;
    for (j = 0; j < v; ++j) g[j] = exp_nonpositive(x[j] - m);
    for (int l = 0; l < L; ++l) lanes[l] = 0.f;
    for (j = 0; j + L <= v; j += L)
      for (int l = 0; l < L; ++l) lanes[l] += g[j + l];
    float sum = 0.f;
    for (int l = 0; l < L; ++l) sum += lanes[l];
    for (; j < v; ++j) sum += g[j];
    const float inv = 1.f / sum;
    for (int64_t j = 0; j < v; ++j) g[j] *= inv;
    const int32_t t = target[i];
    if (t < 0 || t >= v) {
      loss[i] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    loss[i] = std::log(sum) + m - x[t];
    g[t] -= 1.f;
  }
}

SMALLSCOPE_CLONES void adamw(
    const float* p, const float* g, const float* m, const float* v, int64_t n, float lr, float b1, float b2,
    float eps, float wd, float c1, float c2, float* p_out, float* m_out, float* v_out) {
  const float one_b1 = 1.f - b1, one_b2 = 1.f - b2, keep = 1.f - lr * wd;
  for (int64_t i = 0; i < n; ++i) {
    const float mi = m[i] * b1 + g[i] * one_b1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * one_b2;
    const float step = (mi / c1) / (std::sqrt(vi / c2) + eps);
    m_out[i] = mi;
    v_out[i] = vi;
    p_out[i] = p[i] * keep - step * lr;
  }
}

void embed(const float* table, const int32_t* tokens, int64_t n, int64_t vocab, int64_t d, float* out) {
  const size_t row_bytes = static_cast<size_t>(d) * sizeof(float);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = tokens[i];
    if (t < 0 || t >= vocab)
      std::memset(out + i * d, 0, row_bytes);
    else
      std::memcpy(out + i * d, table + t * d, row_bytes);
  }
}

void embed_grad(const float* dy, const int32_t* tokens, int64_t n, int64_t vocab, int64_t d, float* dtable) {
  std::memset(dtable, 0, static_cast<size_t>(vocab * d) * sizeof(float));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = tokens[i];
    if (t < 0 || t >= vocab) continue;
    float* row = dtable + t * d;
    const float* src = dy + i * d;
    for (int64_t j = 0; j < d; ++j) row[j] += src[j];
  }
}

void layer_norm(const float* x, const float* w, const float* b, int64_t rows, int64_t c, float eps, float* out,
                float* xhat, float* rstd) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xi = x + i * c;
    double sum = 0, sq = 0;  // double accumulators: a row mean of float32 values to float32 accuracy
    for (int64_t j = 0; j < c; ++j) sum += xi[j];
    const double mean = sum / c;
    for (int64_t j = 0; j < c; ++j) sq += (xi[j] - mean) * (xi[j] - mean);
    const float r = static_cast<float>(1.0 / std::sqrt(sq / c + eps));
    rstd[i] = r;
    const float m = static_cast<float>(mean);
    float* hi = xhat + i * c;
    float* oi = out + i * c;
    for (int64_t j = 0; j < c; ++j) {
      hi[j] = (xi[j] - m) * r;
      oi[j] = hi[j] * w[j] + b[j];
    }
  }
}

void layer_norm_grad(const float* dy, const float* xhat, const float* rstd, const float* w, int64_t rows, int64_t c,
                     float* dx, float* dw, float* db) {
  std::memset(dw, 0, static_cast<size_t>(c) * sizeof(float));
  std::memset(db, 0, static_cast<size_t>(c) * sizeof(float));
  for (int64_t i = 0; i < rows; ++i) {
    const float* dyi = dy + i * c;
    const float* hi = xhat + i * c;
    float* dxi = dx + i * c;
    double sg = 0, sgh = 0;
    for (int64_t j = 0; j < c; ++j) {
      const float g = dyi[j] * w[j];
      sg += g;
      sgh += g * hi[j];
      dw[j] += dyi[j] * hi[j];
      db[j] += dyi[j];
    }
    const float mg = static_cast<float>(sg / c), mgh = static_cast<float>(sgh / c);
    for (int64_t j = 0; j < c; ++j) dxi[j] = rstd[i] * (dyi[j] * w[j] - mg - hi[j] * mgh);
  }
}

void sum_rows(const float* x, int64_t rows, int64_t n, float* out) {
  std::memset(out, 0, static_cast<size_t>(n) * sizeof(float));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < n; ++j) out[j] += x[i * n + j];
}

SMALLSCOPE_CLONES void relu_add(const float* y, const float* x, int64_t n, float* out) {
  for (int64_t i = 0; i < n; ++i) out[i] = (y[i] < 0.f ? 0.f : y[i]) + x[i];
}

SMALLSCOPE_CLONES void relu_grad(const float* g, const float* y, int64_t n, float* dy) {
  // g times tf.step(y) (1 above 0, 0 at or below, NaN for NaN), so the signs of zeros match tf's gradient too
  for (int64_t i = 0; i < n; ++i) dy[i] = g[i] * (y[i] > 0.f ? 1.f : (y[i] != y[i] ? y[i] : 0.f));
}

}  // namespace smallscope
