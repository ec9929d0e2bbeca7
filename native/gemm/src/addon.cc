// Node-API binding of gemm.cc and ops.cc. Every function works in place on `heap`, an ArrayBuffer (the tfjs
// wasm backend's memory); offsets and strides count 4-byte elements (float32, or int32 for targets). Every
// range is checked against the buffer before any memory is touched: a bad call throws a RangeError instead
// of corrupting the heap.
//
//   gemm(heap, batch, m, n, k, aOffset, aBatchStride, transposeA, bOffset, bBatchStride, transposeB,
//        cOffset, accumulate)
//     For each batch entry i: C_i[m, n] (+)= op(A_i) op(B_i); A_i at aOffset + i * aBatchStride stored
//     [m, k] (or [k, m] when transposeA), B_i likewise [k, n] (or [n, k]), C_i at cOffset + i * m * n.
//     A batch stride of 0 broadcasts one matrix over the batch.
//   softmaxCrossEntropy(heap, logitsOffset, targetsOffset, n, v, lossOffset, gradOffset)
//   adamw(heap, p, g, m, v, size, lr, beta1, beta2, eps, weightDecay, c1, c2, pOut, mOut, vOut)
//   embed(heap, tableOffset, tokensOffset, n, vocab, d, outOffset)
//   embedGrad(heap, dyOffset, tokensOffset, n, vocab, d, dtableOffset)
//   layerNorm(heap, x, w, b, rows, c, eps, out, xhat, rstd)
//   layerNormGrad(heap, dy, xhat, rstd, w, rows, c, dx, dw, db)
//   sumRows(heap, x, rows, n, out)
//   reluAdd(heap, y, x, n, out)          out = relu(y) + x
//   reluGrad(heap, g, y, n, dy)          dy = g * step(y), as tf's ReLU gradient
//   conv1d(heap, x, w, out, B, T, C, O, k, dilation, padLeft)                 see conv.h
//   conv1dBackwardData(heap, dy, w, dx, B, T, C, O, k, dilation, padLeft)
//   conv1dBackwardFilter(heap, x, dy, dw, B, T, C, O, k, dilation, padLeft)
//   simd(): "avx512" | "avx2" | "generic"
#include <node_api.h>

#include <cstdint>
#include <initializer_list>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

#include "conv.h"
#include "gemm.h"
#include "ops.h"

namespace {

// Denormal floats (|x| < 1.2e-38) flushed to zero for the duration of a call, inputs and results: an FMA on a
// denormal takes a microcode assist of ~100 cycles on x86, and softmax gradients of unlikely tokens are full
// of them (a tied-head weight gradient went from 2 to 60 ms). The change to any result is below 1e-38.
struct FlushDenormals {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned saved = _mm_getcsr();
  FlushDenormals() { _mm_setcsr(saved | 0x8040); }  // FTZ (bit 15) | DAZ (bit 6)
  ~FlushDenormals() { _mm_setcsr(saved); }
#endif
};

// Reads a call's arguments: args.heap, then numbers and booleans in order; throws on the first bad one.
struct Args {
  FlushDenormals ftz;
  napi_env env;
  napi_value argv[16];
  size_t argc = 16;
  float* heap = nullptr;
  int64_t length = 0;  // in 4-byte elements
  bool ok = true;

  Args(napi_env e, napi_callback_info info, size_t expected) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc != expected) {
      fail("wrong number of arguments");
      return;
    }
    bool is_buffer = false;
    napi_is_arraybuffer(env, argv[0], &is_buffer);
    if (!is_buffer) {
      fail("heap must be an ArrayBuffer");
      return;
    }
    void* data = nullptr;
    size_t bytes = 0;
    napi_get_arraybuffer_info(env, argv[0], &data, &bytes);
    heap = static_cast<float*>(data);
    length = static_cast<int64_t>(bytes / 4);
  }
  void fail(const char* what) {
    if (ok) napi_throw_type_error(env, nullptr, what);
    ok = false;
  }
  int64_t i64(size_t i) {
    int64_t v = 0;
    if (ok && napi_get_value_int64(env, argv[i], &v) != napi_ok) fail("sizes and offsets must be numbers");
    return v;
  }
  double f64(size_t i) {
    double v = 0;
    if (ok && napi_get_value_double(env, argv[i], &v) != napi_ok) fail("hyperparameters must be numbers");
    return v;
  }
  bool flag(size_t i) {
    bool v = false;
    if (ok && napi_get_value_bool(env, argv[i], &v) != napi_ok) fail("flags must be booleans");
    return v;
  }
  // [offset, offset + (batch - 1) * stride + size) inside the heap, all non-negative.
  bool fits(int64_t offset, int64_t size, int64_t batch = 1, int64_t stride = 0) {
    if (!ok) return false;
    if (offset < 0 || size < 0 || batch < 1 || stride < 0 || offset + (batch - 1) * stride + size > length) {
      napi_throw_range_error(env, nullptr, "an operand lies outside the heap");
      ok = false;
    }
    return ok;
  }
};

napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info, 13);
  const int64_t batch = a.i64(1), m = a.i64(2), n = a.i64(3), k = a.i64(4);
  const int64_t a_off = a.i64(5), a_stride = a.i64(6), b_off = a.i64(8), b_stride = a.i64(9), c_off = a.i64(11);
  const bool ta = a.flag(7), tb = a.flag(10), acc = a.flag(12);
  if (!a.ok) return nullptr;
  if (m < 0 || n < 0 || k < 0) {
    a.fits(-1, 0);
    return nullptr;
  }
  if (!a.fits(a_off, m * k, batch, a_stride) || !a.fits(b_off, k * n, batch, b_stride) ||
      !a.fits(c_off, m * n, batch, m * n))
    return nullptr;
  for (int64_t i = 0; i < batch; ++i) {
    const float* ap = a.heap + a_off + i * a_stride;
    const float* bp = a.heap + b_off + i * b_stride;
    // A stored [m, k] has strides (k, 1); stored [k, m] and read transposed, (1, m). Likewise B.
    const smallscope::View av = ta ? smallscope::View{ap, 1, m} : smallscope::View{ap, k, 1};
    const smallscope::View bv = tb ? smallscope::View{bp, 1, k} : smallscope::View{bp, n, 1};
    smallscope::gemm(m, n, k, av, bv, a.heap + c_off + i * m * n, n, acc);
  }
  return nullptr;
}

napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args a(env, info, 7);
  const int64_t logits = a.i64(1), targets = a.i64(2), n = a.i64(3), v = a.i64(4), loss = a.i64(5),
                grad = a.i64(6);
  if (!a.ok) return nullptr;
  if (n < 0 || v < 1) {
    napi_throw_range_error(env, nullptr, "softmaxCrossEntropy: bad sizes");
    return nullptr;
  }
  if (!a.fits(logits, n * v) || !a.fits(targets, n) || !a.fits(loss, n) || !a.fits(grad, n * v)) return nullptr;
  smallscope::softmax_cross_entropy(a.heap + logits, reinterpret_cast<const int32_t*>(a.heap + targets), n, v,
                                    a.heap + loss, a.heap + grad);
  return nullptr;
}

napi_value AdamW(napi_env env, napi_callback_info info) {
  Args a(env, info, 16);
  const int64_t p = a.i64(1), g = a.i64(2), m = a.i64(3), v = a.i64(4), n = a.i64(5);
  const double lr = a.f64(6), b1 = a.f64(7), b2 = a.f64(8), eps = a.f64(9), wd = a.f64(10), c1 = a.f64(11),
               c2 = a.f64(12);
  const int64_t p_out = a.i64(13), m_out = a.i64(14), v_out = a.i64(15);
  if (!a.ok) return nullptr;
  for (int64_t off : {p, g, m, v, p_out, m_out, v_out})
    if (!a.fits(off, n)) return nullptr;
  float* h = a.heap;
  smallscope::adamw(h + p, h + g, h + m, h + v, n, static_cast<float>(lr), static_cast<float>(b1),
                    static_cast<float>(b2), static_cast<float>(eps), static_cast<float>(wd), static_cast<float>(c1),
                    static_cast<float>(c2), h + p_out, h + m_out, h + v_out);
  return nullptr;
}

napi_value Embed(napi_env env, napi_callback_info info) {
  Args a(env, info, 7);
  const int64_t table = a.i64(1), tokens = a.i64(2), n = a.i64(3), vocab = a.i64(4), d = a.i64(5), out = a.i64(6);
  if (!a.ok) return nullptr;
  if (n < 0 || vocab < 1 || d < 0) {
    napi_throw_range_error(env, nullptr, "embed: bad sizes");
    return nullptr;
  }
  if (!a.fits(table, vocab * d) || !a.fits(out, n * d) || !a.fits(tokens, n)) return nullptr;
  smallscope::embed(a.heap + table, reinterpret_cast<const int32_t*>(a.heap + tokens), n, vocab, d, a.heap + out);
  return nullptr;
}

napi_value EmbedGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 7);
  const int64_t dy = a.i64(1), tokens = a.i64(2), n = a.i64(3), vocab = a.i64(4), d = a.i64(5), out = a.i64(6);
  if (!a.ok) return nullptr;
  if (n < 0 || vocab < 1 || d < 0) {
    napi_throw_range_error(env, nullptr, "embedGrad: bad sizes");
    return nullptr;
  }
  if (!a.fits(dy, n * d) || !a.fits(out, vocab * d) || !a.fits(tokens, n)) return nullptr;
  smallscope::embed_grad(a.heap + dy, reinterpret_cast<const int32_t*>(a.heap + tokens), n, vocab, d,
                         a.heap + out);
  return nullptr;
}

napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args a(env, info, 10);
  const int64_t x = a.i64(1), w = a.i64(2), b = a.i64(3), rows = a.i64(4), c = a.i64(5);
  const double eps = a.f64(6);
  const int64_t out = a.i64(7), xhat = a.i64(8), rstd = a.i64(9);
  if (!a.ok) return nullptr;
  if (rows < 0 || c < 1) {
    napi_throw_range_error(env, nullptr, "layerNorm: bad sizes");
    return nullptr;
  }
  if (!a.fits(x, rows * c) || !a.fits(w, c) || !a.fits(b, c) || !a.fits(out, rows * c) || !a.fits(xhat, rows * c) ||
      !a.fits(rstd, rows))
    return nullptr;
  float* h = a.heap;
  smallscope::layer_norm(h + x, h + w, h + b, rows, c, static_cast<float>(eps), h + out, h + xhat, h + rstd);
  return nullptr;
}

napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  Args a(env, info, 10);
  const int64_t dy = a.i64(1), xhat = a.i64(2), rstd = a.i64(3), w = a.i64(4), rows = a.i64(5), c = a.i64(6),
                dx = a.i64(7), dw = a.i64(8), db = a.i64(9);
  if (!a.ok) return nullptr;
  if (rows < 0 || c < 1) {
    napi_throw_range_error(env, nullptr, "layerNormGrad: bad sizes");
    return nullptr;
  }
  if (!a.fits(dy, rows * c) || !a.fits(xhat, rows * c) || !a.fits(rstd, rows) || !a.fits(w, c) ||
      !a.fits(dx, rows * c) || !a.fits(dw, c) || !a.fits(db, c))
    return nullptr;
  float* h = a.heap;
  smallscope::layer_norm_grad(h + dy, h + xhat, h + rstd, h + w, rows, c, h + dx, h + dw, h + db);
  return nullptr;
}

napi_value SumRows(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  const int64_t x = a.i64(1), rows = a.i64(2), n = a.i64(3), out = a.i64(4);
  if (!a.ok) return nullptr;
  if (rows < 0 || n < 0) {
    napi_throw_range_error(env, nullptr, "sumRows: bad sizes");
    return nullptr;
  }
  if (!a.fits(x, rows * n) || !a.fits(out, n)) return nullptr;
  smallscope::sum_rows(a.heap + x, rows, n, a.heap + out);
  return nullptr;
}

// reluAdd(heap, y, x, n, out) and reluGrad(heap, g, y, n, dy): two inputs and one output of n elements each.
template <void (*F)(const float*, const float*, int64_t, float*)>
napi_value Elementwise2(napi_env env, napi_callback_info info) {
  Args a(env, info, 5);
  const int64_t i1 = a.i64(1), i2 = a.i64(2), n = a.i64(3), out = a.i64(4);
  if (!a.ok) return nullptr;
  if (n < 0) {
    napi_throw_range_error(env, nullptr, "elementwise: bad size");
    return nullptr;
  }
  if (!a.fits(i1, n) || !a.fits(i2, n) || !a.fits(out, n)) return nullptr;
  F(a.heap + i1, a.heap + i2, n, a.heap + out);
  return nullptr;
}

// The three direct-conv entry points share their arguments: (heap, in1, in2, out, B, T, C, O, k, d, r); the
// sizes of in1 / in2 / out in each case are given by `Sizes`.
enum class ConvPass { Forward, Data, Filter };

template <ConvPass P>
napi_value Conv(napi_env env, napi_callback_info info) {
  Args a(env, info, 11);
  const int64_t i1 = a.i64(1), i2 = a.i64(2), o = a.i64(3), B = a.i64(4), T = a.i64(5), C = a.i64(6), O = a.i64(7),
                k = a.i64(8), d = a.i64(9), r = a.i64(10);
  if (!a.ok) return nullptr;
  if (B < 0 || T < 0 || C < 1 || O < 1 || k < 1 || d < 1 || r < 0 || r > (k - 1) * d) {
    napi_throw_range_error(env, nullptr, "conv1d: bad sizes (k >= 1, dilation >= 1, 0 <= padLeft <= (k-1)*dilation)");
    return nullptr;
  }
  const int64_t xs = B * T * C, ys = B * T * O, ws = k * C * O;
  float* h = a.heap;
  if (P == ConvPass::Forward) {
    if (!a.fits(i1, xs) || !a.fits(i2, ws) || !a.fits(o, ys)) return nullptr;
    smallscope::conv1d_forward(h + i1, h + i2, h + o, B, T, C, O, k, d, r);
  } else if (P == ConvPass::Data) {
    if (!a.fits(i1, ys) || !a.fits(i2, ws) || !a.fits(o, xs)) return nullptr;
    smallscope::conv1d_backward_data(h + i1, h + i2, h + o, B, T, C, O, k, d, r);
  } else {
    if (!a.fits(i1, xs) || !a.fits(i2, ys) || !a.fits(o, ws)) return nullptr;
    smallscope::conv1d_backward_filter(h + i1, h + i2, h + o, B, T, C, O, k, d, r);
  }
  return nullptr;
}

napi_value Simd(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_string_utf8(env, smallscope::simd_level(), NAPI_AUTO_LENGTH, &out);
  return out;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"softmaxCrossEntropy", nullptr, SoftmaxCrossEntropy, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamw", nullptr, AdamW, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"embed", nullptr, Embed, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"embedGrad", nullptr, EmbedGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNorm", nullptr, LayerNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"layerNormGrad", nullptr, LayerNormGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluAdd", nullptr, Elementwise2<smallscope::relu_add>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, Elementwise2<smallscope::relu_grad>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1d", nullptr, Conv<ConvPass::Forward>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardData", nullptr, Conv<ConvPass::Data>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv1dBackwardFilter", nullptr, Conv<ConvPass::Filter>, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"simd", nullptr, Simd, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
