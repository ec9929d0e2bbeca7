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

// C[m, n] (+)= sum over segments s = 0..count-1 of A_s^T B_s, where A_s is rows [a_row + s * step, + len) of
// a (m floats per row, row stride lda) and B_s the rows [b_row + s * step, + len) of b (n per row, stride ldb):
// one product whose depth runs through every segment. A conv's filter gradient is one per tap this way (the
// segments: each sequence's rows), where one product per sequence would be B products of depth ~T.
void gemm_tn_segments(int64_t m, int64_t n, const float* a, int64_t lda, int64_t a_row, const float* b,
                      int64_t ldb, int64_t b_row, int64_t count, int64_t len, int64_t step, float* c, int64_t ldc,
                      bool accumulate);

// The instruction set gemm dispatches to on this CPU: "avx512", "avx2" or "generic".
const char* simd_level();

}  // namespace smallscope
