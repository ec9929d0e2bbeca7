// Blocked GEMM after BLIS: pack a KC x NC slab of B into NR-wide column panels (zero-padded), then run an
// MR x NR register-blocked micro-kernel over each MR-row panel of A and each B panel. One micro-kernel per
// instruction set, chosen at run time, so one binary runs on any x86-64.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define SMALLSCOPE_X86 1
#endif

namespace smallscope {
namespace {

constexpr int64_t KC = 256;   // depth of one packed slab: KC x NR floats of B = 32 KB at NR = 32 (L1)
constexpr int64_t NC = 4096;  // columns of B packed at once

// Packs rows [0, mc) x cols [0, kc) of `a` into panels of `mr` rows: panel q holds dst[(q * kc + p) * mr + r].
void pack_a(View a, int64_t mc, int64_t kc, int mr, float* dst) {
  for (int64_t i = 0; i < mc; i += mr) {
    const int64_t rows = std::min<int64_t>(mr, mc - i);
    if (a.cs == 1) {
      // Rows contiguous in memory: read along each row.
      for (int64_t r = 0; r < rows; ++r) {
        const float* src = a.p + (i + r) * a.rs;
        for (int64_t p = 0; p < kc; ++p) dst[p * mr + r] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = a.p + i * a.rs + p * a.cs;
        for (int64_t r = 0; r < rows; ++r) dst[p * mr + r] = src[r * a.rs];
      }
    }
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t r = rows; r < mr; ++r) dst[p * mr + r] = 0.f;
    dst += kc * mr;
  }
}

// Packs rows [0, kc) x cols [0, nc) of `b` into panels of `nr` columns: panel q holds dst[(q * kc + p) * nr + j].
void pack_b(View b, int64_t kc, int64_t nc, int nr, float* dst) {
  for (int64_t j = 0; j < nc; j += nr) {
    const int64_t cols = std::min<int64_t>(nr, nc - j);
    if (b.cs == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        const float* src = b.p + p * b.rs + j;
        std::memcpy(dst + p * nr, src, cols * sizeof(float));
        for (int64_t c = cols; c < nr; ++c) dst[p * nr + c] = 0.f;
      }
    } else {
      // Columns contiguous (a transposed operand): read down each column.
      for (int64_t c = 0; c < cols; ++c) {
        const float* src = b.p + (j + c) * b.cs;
        for (int64_t p = 0; p < kc; ++p) dst[p * nr + c] = src[p * b.rs];
      }
      for (int64_t p = 0; p < kc; ++p)
        for (int64_t c = cols; c < nr; ++c) dst[p * nr + c] = 0.f;
    }
    dst += kc * nr;
  }
}

// Writes an MR x NR tile held in `t` (row-major, NR wide) into C, clipped to rows x cols.
template <int MR, int NR>
inline void store_tile(const float* t, float* c, int64_t ldc, bool acc, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) c[r * ldc + j] = (acc ? c[r * ldc + j] : 0.f) + t[r * NR + j];
}

// Portable micro-kernel (any CPU; the compiler vectorises the j loop).
template <int MR, int NR>
void kernel_generic(int64_t kc, const float* a, int64_t ars, int64_t acs, const float* b, int64_t ldb, float* c,
                    int64_t ldc, bool acc, int64_t rows, int64_t cols) {
  float t[MR * NR] = {};
  for (int64_t p = 0; p < kc; ++p, a += acs, b += ldb)
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j) t[r * NR + j] += a[r * ars] * b[j];
  store_tile<MR, NR>(t, c, ldc, acc, rows, cols);
}

#ifdef SMALLSCOPE_X86
// AVX-512: 12 rows x 32 columns = 24 zmm accumulators; per depth step 2 loads of B, 12 broadcasts of A, 24 FMAs.
__attribute__((target("avx512f"))) void kernel_avx512(int64_t kc, const float* a, int64_t ars, int64_t acs,
                                                      const float* b, int64_t ldb, float* c, int64_t ldc, bool acc,
                                                      int64_t rows, int64_t cols) {
  constexpr int MR = 12;
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 12
  for (int r = 0; r < MR; ++r) c0[r] = c1[r] = _mm512_setzero_ps();
  for (int64_t p = 0; p < kc; ++p, a += acs, b += ldb) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r * ars]);
      c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
    }
  }
  if (rows == MR && cols == 32) {
#pragma GCC unroll 12
    for (int r = 0; r < MR; ++r) {
      float* cr = c + r * ldc;
      if (acc) {
        c0[r] = _mm512_add_ps(c0[r], _mm512_loadu_ps(cr));
        c1[r] = _mm512_add_ps(c1[r], _mm512_loadu_ps(cr + 16));
      }
      _mm512_storeu_ps(cr, c0[r]);
      _mm512_storeu_ps(cr + 16, c1[r]);
    }
    return;
  }
  alignas(64) float t[MR * 32];
  for (int r = 0; r < MR; ++r) {
    _mm512_store_ps(t + r * 32, c0[r]);
    _mm512_store_ps(t + r * 32 + 16, c1[r]);
  }
  store_tile<MR, 32>(t, c, ldc, acc, rows, cols);
}

// AVX2 + FMA: 6 rows x 16 columns = 12 ymm accumulators. Written with named accumulators, not arrays as the
// AVX-512 kernel is: with 16 ymm registers (12 accumulators, 2 B vectors, 1 broadcast) GCC 12 kept arrays'
// copies on the stack, storing all 12 accumulators every depth step (51 GFLOP/s on Zen 5 where OpenBLAS's
// Haswell kernel runs 90).
__attribute__((target("avx2,fma"))) void kernel_avx2(int64_t kc, const float* a, int64_t ars, int64_t acs,
                                                     const float* b, int64_t ldb, float* c, int64_t ldc, bool acc,
                                                     int64_t rows, int64_t cols) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  const float *a0 = a, *a1 = a + ars, *a2 = a + 2 * ars, *a3 = a + 3 * ars, *a4 = a + 4 * ars, *a5 = a + 5 * ars;
  for (int64_t p = 0; p < kc; ++p, b += ldb) {
    const int64_t o = p * acs;
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 ar = _mm256_broadcast_ss(a0 + o);
    c00 = _mm256_fmadd_ps(ar, b0, c00);
    c01 = _mm256_fmadd_ps(ar, b1, c01);
    ar = _mm256_broadcast_ss(a1 + o);
    c10 = _mm256_fmadd_ps(ar, b0, c10);
    c11 = _mm256_fmadd_ps(ar, b1, c11);
    ar = _mm256_broadcast_ss(a2 + o);
    c20 = _mm256_fmadd_ps(ar, b0, c20);
    c21 = _mm256_fmadd_ps(ar, b1, c21);
    ar = _mm256_broadcast_ss(a3 + o);
    c30 = _mm256_fmadd_ps(ar, b0, c30);
    c31 = _mm256_fmadd_ps(ar, b1, c31);
    ar = _mm256_broadcast_ss(a4 + o);
    c40 = _mm256_fmadd_ps(ar, b0, c40);
    c41 = _mm256_fmadd_ps(ar, b1, c41);
    ar = _mm256_broadcast_ss(a5 + o);
    c50 = _mm256_fmadd_ps(ar, b0, c50);
    c51 = _mm256_fmadd_ps(ar, b1, c51);
  }
  if (rows == 6 && cols == 16) {
    // A full tile goes straight to C (added to it when accumulating).
    if (acc) {
      c00 = _mm256_add_ps(c00, _mm256_loadu_ps(c));
      c01 = _mm256_add_ps(c01, _mm256_loadu_ps(c + 8));
      c10 = _mm256_add_ps(c10, _mm256_loadu_ps(c + ldc));
      c11 = _mm256_add_ps(c11, _mm256_loadu_ps(c + ldc + 8));
      c20 = _mm256_add_ps(c20, _mm256_loadu_ps(c + 2 * ldc));
      c21 = _mm256_add_ps(c21, _mm256_loadu_ps(c + 2 * ldc + 8));
      c30 = _mm256_add_ps(c30, _mm256_loadu_ps(c + 3 * ldc));
      c31 = _mm256_add_ps(c31, _mm256_loadu_ps(c + 3 * ldc + 8));
      c40 = _mm256_add_ps(c40, _mm256_loadu_ps(c + 4 * ldc));
      c41 = _mm256_add_ps(c41, _mm256_loadu_ps(c + 4 * ldc + 8));
      c50 = _mm256_add_ps(c50, _mm256_loadu_ps(c + 5 * ldc));
      c51 = _mm256_add_ps(c51, _mm256_loadu_ps(c + 5 * ldc + 8));
    }
    _mm256_storeu_ps(c, c00);
    _mm256_storeu_ps(c + 8, c01);
    _mm256_storeu_ps(c + ldc, c10);
    _mm256_storeu_ps(c + ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20);
    _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30);
    _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40);
    _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50);
    _mm256_storeu_ps(c + 5 * ldc + 8, c51);
    return;
  }
  // A partial tile through t, clipped.
  alignas(32) float t[6 * 16];
  _mm256_store_ps(t, c00);
  _mm256_store_ps(t + 8, c01);
  _mm256_store_ps(t + 16, c10);
  _mm256_store_ps(t + 24, c11);
  _mm256_store_ps(t + 32, c20);
  _mm256_store_ps(t + 40, c21);
  _mm256_store_ps(t + 48, c30);
  _mm256_store_ps(t + 56, c31);
  _mm256_store_ps(t + 64, c40);
  _mm256_store_ps(t + 72, c41);
  _mm256_store_ps(t + 80, c50);
  _mm256_store_ps(t + 88, c51);
  store_tile<6, 16>(t, c, ldc, acc, rows, cols);
}
#endif

using Kernel = void (*)(int64_t, const float*, int64_t, int64_t, const float*, int64_t, float*, int64_t, bool,
                       int64_t, int64_t);

struct Isa {
  const char* name;
  Kernel kernel;
  int mr;
  int nr;
};

// The widest micro-kernel this CPU runs, or a narrower one named by SMALLSCOPE_SIMD (avx2, generic): so the
// AVX2 path, which AVX2-only machines take, can be tested and benchmarked on an AVX-512 machine too. A level
// the CPU lacks is never chosen (asking for avx512 on an AVX2 CPU gets avx2).
Isa detect() {
  const char* want = std::getenv("SMALLSCOPE_SIMD");
  const std::string level = want ? want : "";
  const bool allow512 = level.empty() || level == "avx512";
  const bool allow2 = allow512 || level == "avx2";
#ifdef SMALLSCOPE_X86
  __builtin_cpu_init();
  if (allow512 && __builtin_cpu_supports("avx512f")) return {"avx512", kernel_avx512, 12, 32};
  if (allow2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {"avx2", kernel_avx2, 6, 16};
#endif
  return {"generic", kernel_generic<4, 16>, 4, 16};
}

const Isa& isa() {
  static const Isa chosen = detect();
  return chosen;
}

}  // namespace

const char* simd_level() { return isa().name; }

namespace {

// C[m, n] (+)= A B with C row-major. B is packed into NR-wide panels unless its rows are contiguous and A has
// at most IN_PLACE_PANELS panels of rows: then each B panel would be used that few times that copying it costs
// more than reading it in place (the kernel steps through B by its row stride). A row-major A is never packed:
// the micro-kernel broadcasts its entries straight from memory (MR rows read in step), and with the narrow
// outputs here (n = 32-128) each A entry is used only n times. A column-contiguous (transposed) A is packed per
// panel: read in place, each depth step would touch a new cache line and page. Partial panels (the last rows
// of A, the last columns of B) are packed zero-padded, so the kernel never reads past an operand.
constexpr int64_t IN_PLACE_PANELS = 4;

// `batch` products that share B: A_i = a + i * a_batch, C_i = c + i * c_batch. B is packed once per slab and
// used by all of them (a conv tap's weights across the sequences of a batch).
void gemm_rows(int64_t batch, int64_t m, int64_t n, int64_t k, View a, int64_t a_batch, View b, float* c,
               int64_t ldc, int64_t c_batch, bool accumulate) {
  const Isa& s = isa();
  const bool b_in_place = batch == 1 && b.cs == 1 && m <= IN_PLACE_PANELS * s.mr;
  thread_local std::vector<float> packed_b, panel_a;
  const int64_t nc_max = std::min<int64_t>(NC, (n + s.nr - 1) / s.nr * s.nr);
  packed_b.resize(static_cast<size_t>(nc_max * KC));
  panel_a.resize(static_cast<size_t>(IN_PLACE_PANELS * s.mr * KC));

  for (int64_t jc = 0; jc < n; jc += NC) {
    const int64_t nc = std::min(NC, n - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = std::min(KC, k - pc);
      const View bk{b.p + pc * b.rs + jc * b.cs, b.rs, b.cs};
      const int64_t full = b_in_place ? nc / s.nr * s.nr : 0;  // columns read in place
      if (full < nc) pack_b({bk.p + full * bk.cs, bk.rs, bk.cs}, kc, nc - full, s.nr, packed_b.data());
      const bool acc = accumulate || pc > 0;
      // The A panel for rows [ir, ir + mr) of this depth slab: in place, or packed into `slot`.
      auto a_panel = [&](const float* base, int64_t ir, float* slot, const float** ap, int64_t* ars, int64_t* acs) {
        const int64_t rows = std::min<int64_t>(s.mr, m - ir);
        *ap = base + ir * a.rs + pc * a.cs;
        *ars = a.rs;
        *acs = a.cs;
        if (rows < s.mr || a.cs != 1) {
          pack_a({*ap, a.rs, a.cs}, rows, kc, s.mr, slot);
          *ap = slot;
          *ars = 1;
          *acs = s.mr;
        }
      };
      auto b_panel = [&](int64_t jr) {
        return jr < full ? bk.p + jr : packed_b.data() + ((jr - full) / s.nr) * kc * s.nr;
      };
      if (b_in_place) {
        // Few rows: every A panel of the slab is prepared once, then each B block (KC x NR, L1-sized) is
        // read from memory once and used by all of them.
        const float* ap[IN_PLACE_PANELS];
        int64_t ars[IN_PLACE_PANELS], acs[IN_PLACE_PANELS];
        for (int64_t q = 0; q * s.mr < m; ++q)
          a_panel(a.p, q * s.mr, panel_a.data() + q * s.mr * KC, &ap[q], &ars[q], &acs[q]);
        for (int64_t jr = 0; jr < nc; jr += s.nr)
          for (int64_t q = 0; q * s.mr < m; ++q)
            s.kernel(kc, ap[q], ars[q], acs[q], b_panel(jr), jr < full ? bk.rs : s.nr, c + q * s.mr * ldc + jc + jr,
                     ldc, acc, std::min<int64_t>(s.mr, m - q * s.mr), std::min<int64_t>(s.nr, nc - jr));
        continue;
      }
      for (int64_t i = 0; i < batch; ++i)
        for (int64_t ir = 0; ir < m; ir += s.mr) {
          const float* ap;
          int64_t ars, acs;
          a_panel(a.p + i * a_batch, ir, panel_a.data(), &ap, &ars, &acs);
          for (int64_t jr = 0; jr < nc; jr += s.nr)
            s.kernel(kc, ap, ars, acs, b_panel(jr), jr < full ? bk.rs : s.nr, c + i * c_batch + ir * ldc + jc + jr,
                     ldc, acc, std::min<int64_t>(s.mr, m - ir), std::min<int64_t>(s.nr, nc - jr));
        }
    }
  }
}

}  // namespace

void gemm(int64_t m, int64_t n, int64_t k, View a, View b, float* c, int64_t ldc, bool accumulate) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::memset(c + i * ldc, 0, n * sizeof(float));
    return;
  }
  // A weight gradient X^T dY (A transposed, B row-major, few output columns): computed as C^T = dY^T X, so the
  // large X is read in place as B and only the small dY^T is packed; then C^T is transposed into C.
  if (a.cs != 1 && b.cs == 1 && n <= IN_PLACE_PANELS * isa().mr) {
    thread_local std::vector<float> ct;
    ct.resize(static_cast<size_t>(n * m));
    gemm_rows(1, n, m, k, View{b.p, b.cs, b.rs}, 0, View{a.p, a.cs, a.rs}, ct.data(), m, 0, false);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.f) + ct[j * m + i];
    return;
  }
  gemm_rows(1, m, n, k, a, 0, b, c, ldc, 0, accumulate);
}

void gemm_shared_b(int64_t batch, int64_t m, int64_t n, int64_t k, View a, int64_t a_batch, View b, float* c,
                   int64_t ldc, int64_t c_batch, bool accumulate) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  if (k <= 0) {
    for (int64_t i = 0; i < batch; ++i) gemm(m, n, 0, a, b, c + i * c_batch, ldc, accumulate);
    return;
  }
  gemm_rows(batch, m, n, k, a, a_batch, b, c, ldc, c_batch, accumulate);
}

namespace {

// Packs `w` floats of each of kc rows into panels `width` wide, zero-padded: panel q holds
// dst[(q * kc + p) * width + j] = rows[p][q * width + j], in plain loops (a memcpy call per panel piece took as
// long as the products here); the width is a template argument so whole panels copy as unrolled moves.
template <int width>
void pack_rows(const float* const* rows, int64_t kc, int64_t w, float* dst) {
  const int64_t panels = (w + width - 1) / width;
  for (int64_t p = 0; p < kc; ++p) {
    const float* src = rows[p];
    for (int64_t q = 0; q < panels; ++q) {
      float* d = dst + (q * kc + p) * width;
      const int64_t j0 = q * width, cols = std::min<int64_t>(width, w - j0);
      if (cols == width)
        for (int j = 0; j < width; ++j) d[j] = src[j0 + j];
      else
        for (int j = 0; j < width; ++j) d[j] = j < cols ? src[j0 + j] : 0.f;
    }
  }
}

// pack_rows at a micro-kernel's MR or NR (4, 6, 12, 16, 32: the three kernels' tiles).
void pack_rows(const float* const* rows, int64_t kc, int64_t w, int width, float* dst) {
  switch (width) {
    case 4: return pack_rows<4>(rows, kc, w, dst);
    case 6: return pack_rows<6>(rows, kc, w, dst);
    case 12: return pack_rows<12>(rows, kc, w, dst);
    case 16: return pack_rows<16>(rows, kc, w, dst);
    default: return pack_rows<32>(rows, kc, w, dst);
  }
}

}  // namespace

void gemm_tn_segments(int64_t m, int64_t n, const float* a, int64_t lda, int64_t a_row, const float* b,
                      int64_t ldb, int64_t b_row, int64_t count, int64_t len, int64_t step, float* c, int64_t ldc,
                      bool accumulate) {
  if (m <= 0 || n <= 0) return;
  // No depth: gemm's own k = 0 case (zeros, or C unchanged when accumulating).
  if (count <= 0 || len <= 0) return gemm(m, n, 0, View{a, 1, lda}, View{b, ldb, 1}, c, ldc, accumulate);
  const Isa& s = isa();
  const int64_t m_pad = (m + s.mr - 1) / s.mr * s.mr, n_pad = (n + s.nr - 1) / s.nr * s.nr;
  // Per depth slab: the KC depth rows gathered from the segments, all of A^T packed into MR-row panels and all
  // of B into NR-column panels (m, n are a conv's channels: both fit in L2), then every tile.
  thread_local std::vector<float> pa, pb;
  thread_local std::vector<const float*> arow, brow;
  pa.resize(static_cast<size_t>(m_pad * KC));
  pb.resize(static_cast<size_t>(n_pad * KC));
  arow.resize(KC);
  brow.resize(KC);
  int64_t seg = 0, off = 0;  // the next depth row: segment seg, its row off
  bool first = true;
  while (seg < count) {
    int64_t kc = 0;
    for (; kc < KC && seg < count; ++kc) {
      arow[kc] = a + (a_row + seg * step + off) * lda;
      brow[kc] = b + (b_row + seg * step + off) * ldb;
      if (++off == len) off = 0, ++seg;
    }
    // A^T panel q holds pa[(q * kc + p) * mr + r] = a[row p][q * mr + r]; B panel likewise with nr.
    pack_rows(arow.data(), kc, m, s.mr, pa.data());
    pack_rows(brow.data(), kc, n, s.nr, pb.data());
    const bool acc = accumulate || !first;
    for (int64_t j = 0; j < n; j += s.nr)
      for (int64_t i = 0; i < m; i += s.mr)
        s.kernel(kc, pa.data() + (i / s.mr) * kc * s.mr, 1, s.mr, pb.data() + (j / s.nr) * kc * s.nr, s.nr,
                 c + i * ldc + j, ldc, acc, std::min<int64_t>(s.mr, m - i), std::min<int64_t>(s.nr, n - j));
    first = false;
  }
}

}  // namespace smallscope
