// Single-threaded float32 matrix products for smallscope's training step.
//
// Why native: the tfjs WebAssembly backend reaches ~20 GFLOP/s per core (128-bit SIMD), while PyTorch on the
// same CPU uses AVX2 / AVX-512. These kernels run on tensors that live in the wasm heap (the caller passes the
// heap's ArrayBuffer and offsets), so nothing is copied in or out.
#pragma once
#include <cstdint>

namespace smallscope {

// A strided matrix view: element (i, j) is at p[i * rs + j * cs]. A transposed operand is the same memory
// with its strides swapped, so transposes are never materialised.
struct View {
  const float* p;
  int64_t rs;
  int64_t cs;
};

// C[m, n] (row-major, leading dimension ldc) = A[m, k] B[k, n], or += when accumulate.
void gemm(int64_t m, int64_t n, int64_t k, View a, View b, float* c, int64_t ldc, bool accumulate);

// `batch` products C_i (+)= A_i B with one B: A_i = a.p + i * a_batch, C_i = c + i * c_batch. B is packed
// once and reused by every A_i.
void gemm_shared_b(int64_t batch, int64_t m, int64_t n, int64_t k, View a, int64_t a_batch, View b, float* c,
                   int64_t ldc, int64_t c_batch, bool accumulate);

// The instruction set gemm dispatches to on this CPU: "avx512", "avx2" or "generic".
const char* simd_level();

}  // namespace smallscope
