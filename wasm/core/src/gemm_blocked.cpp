// Blocked GEMM: the wasm SIMD path of drift/gemm.h. Written with GCC/Clang vector
// extensions (4 x f32), which clang lowers to wasm simd128 (v128.load, f32x4.splat,
// f32x4.mul/add) under -msimd128 and to SSE natively, where the unit tests run it.
#include <cstring>
#include <vector>

#include "drift/core/gemm.h"

namespace drift::core {
namespace {
typedef float v4 __attribute__((vector_size(16)));

inline v4 load4(const float* p) {
  v4 r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
inline void store4(float* p, v4 v) { std::memcpy(p, &v, sizeof v); }
inline v4 splat(float x) { return v4{x, x, x, x}; }

// c + a * b, the kernels' one multiply-add. In the relaxed-SIMD digit module
// (drift_digits_relaxed.wasm, DRIFT_RELAXED_MADD) it is a fused f32x4.relaxed_madd: Emscripten
// 3.1.6 cannot emit that instruction, so the build calls a placeholder import, which
// wasm/api/relax_madd.mjs replaces after linking. `const` (no memory access) lets clang schedule
// the calls like arithmetic. Elsewhere it stays mul + add, written as the `acc += a * b` it
// replaced (same code, so drift_api.wasm is unchanged).
#if defined(DRIFT_RELAXED_MADD) && defined(__wasm_simd128__)
extern "C" v4 drift_f32x4_relaxed_madd(v4 a, v4 b, v4 c)
    __attribute__((import_module("drift"), import_name("f32x4_relaxed_madd"), const));
inline v4 madd(v4 a, v4 b, v4 c) { return drift_f32x4_relaxed_madd(a, b, c); }
#else
inline v4 madd(v4 a, v4 b, v4 c) { return c + a * b; }
#endif

constexpr int MR = 8, NR = 4;

// Panel buffer: an 8-row slab of op(A), K x 8 contiguous. Grows once; never shrinks.
std::vector<float>& panel_buffer() {
  static std::vector<float> buf;
  return buf;
}

// C[0:mr, 0:nr] = P (K x 8, packed) * B[:, 0:nr]; ldb = K, ldc = M. An 8 x NRT register
// tile (2 x NRT accumulators + 2 loads of P + 1 splat of B); columns past nr repeat column 0
// and are not stored. NRT = 4 measured best in V8 (x64): 8 x 6 spills and runs at ~55%.
template <int NRT>  // nr <= NRT
inline void micro(int K, const float* P, const float* B, int ldb, int nr, float* C, int ldc,
                  int mr) {
  const float* b[NRT];
  for (int j = 0; j < NRT; ++j) b[j] = B + (j < nr ? j : 0) * ldb;
  v4 acc[NRT][2];
  for (int j = 0; j < NRT; ++j) acc[j][0] = acc[j][1] = splat(0);
  for (int k = 0; k < K; ++k) {
    const v4 a0 = load4(P + k * MR), a1 = load4(P + k * MR + 4);
    for (int j = 0; j < NRT; ++j) {
      const v4 x = splat(b[j][k]);
      acc[j][0] = madd(a0, x, acc[j][0]);
      acc[j][1] = madd(a1, x, acc[j][1]);
    }
  }
  for (int j = 0; j < nr; ++j) {
    float* c = C + j * ldc;
    if (mr == MR) {
      store4(c, acc[j][0]);
      store4(c + 4, acc[j][1]);
    } else {
      float tmp[MR];
      store4(tmp, acc[j][0]);
      store4(tmp + 4, acc[j][1]);
      for (int i = 0; i < mr; ++i) c[i] = tmp[i];
    }
  }
}

// All column blocks of one packed panel (rows i0..i0+mr of C).
inline void panel_times_b(int M, int N, int K, const float* P, const float* B, float* C, int i0,
                          int mr) {
  for (int j0 = 0; j0 < N;) {
    const int left = N - j0;
    float* c = C + std::size_t(j0) * M + i0;
    const float* b = B + std::size_t(j0) * K;
    if (left >= 2) {  // 2..3 columns waste a little of a 4-wide tile; 1 gets its own
      const int nr = left < NR ? left : NR;
      micro<NR>(K, P, b, K, nr, c, M, mr);
      j0 += nr;
    } else {
      micro<1>(K, P, b, K, 1, c, M, mr);
      j0 += 1;
    }
  }
}

// Drives the micro-kernel: pack(i0, mr, P) fills the K x 8 panel of op(A) rows i0..i0+mr.
template <class Pack>
void blocked(int M, int N, int K, const float* B, float* C, Pack pack) {
  auto& buf = panel_buffer();
  if (buf.size() < std::size_t(K) * MR) buf.resize(std::size_t(K) * MR);
  float* P = buf.data();
  for (int i0 = 0; i0 < M; i0 += MR) {
    const int mr = M - i0 < MR ? M - i0 : MR;
    pack(i0, mr, P);
    panel_times_b(M, N, K, P, B, C, i0, mr);
  }
}

// Rows i0..i0+mr of op(A) = A^T (A: [K,M] column-major): 8 contiguous columns interleaved.
void pack_tn_panel(int K, const float* A, int i0, int mr, float* P) {
  const float* a[MR];
  for (int r = 0; r < MR; ++r) a[r] = A + std::size_t(i0 + (r < mr ? r : 0)) * K;
  for (int k = 0; k < K; ++k) {
    float* p = P + k * MR;
    for (int r = 0; r < MR; ++r) p[r] = r < mr ? a[r][k] : 0.0f;
  }
}
}  // namespace

std::int64_t packed_tn_size(int M, int K) { return std::int64_t((M + MR - 1) / MR) * MR * K; }

void pack_tn(int M, int K, const float* A, float* P) {
  for (int i0 = 0; i0 < M; i0 += MR)
    pack_tn_panel(K, A, i0, M - i0 < MR ? M - i0 : MR, P + std::size_t(i0) * K);
}

void gemm_packed(int M, int N, int K, const float* P, const float* B, float* C) {
  for (int i0 = 0; i0 < M; i0 += MR)
    panel_times_b(M, N, K, P + std::size_t(i0) * K, B, C, i0, M - i0 < MR ? M - i0 : MR);
}

void gemm_nn_blocked(int M, int N, int K, const float* A, const float* B, float* C) {
  if (N < 4) {
    // thin B (batch 1..3): C(:,j) = sum_k A(:,k) B(k,j), axpy down contiguous columns
    for (int j = 0; j < N; ++j) {
      float* c = C + std::size_t(j) * M;
      std::memset(c, 0, sizeof(float) * std::size_t(M));
      for (int k = 0; k < K; ++k) {
        const float* a = A + std::size_t(k) * M;
        const float bk = B[std::size_t(j) * K + k];
        const v4 b = splat(bk);
        int i = 0;
        for (; i + 4 <= M; i += 4) store4(c + i, madd(load4(a + i), b, load4(c + i)));
        for (; i < M; ++i) c[i] += a[i] * bk;
      }
    }
    return;
  }
  blocked(M, N, K, B, C, [&](int i0, int mr, float* P) {
    for (int k = 0; k < K; ++k) {
      const float* a = A + std::size_t(k) * M + i0;
      float* p = P + k * MR;
      if (mr == MR) {
        store4(p, load4(a));
        store4(p + 4, load4(a + 4));
      } else {
        for (int r = 0; r < MR; ++r) p[r] = r < mr ? a[r] : 0.0f;
      }
    }
  });
}

void gemm_tn_blocked(int M, int N, int K, const float* A, const float* B, float* C) {
  if (N < 4) {
    // thin B: each C(i,j) is a dot product of contiguous A column i and B column j
    for (int j = 0; j < N; ++j) {
      const float* b = B + std::size_t(j) * K;
      for (int i = 0; i < M; ++i) {
        const float* a = A + std::size_t(i) * K;
        v4 s0 = splat(0), s1 = splat(0);
        int k = 0;
        for (; k + 8 <= K; k += 8) {
          s0 = madd(load4(a + k), load4(b + k), s0);
          s1 = madd(load4(a + k + 4), load4(b + k + 4), s1);
        }
        s0 += s1;
        float s = s0[0] + s0[1] + s0[2] + s0[3];
        for (; k < K; ++k) s += a[k] * b[k];
        C[std::size_t(j) * M + i] = s;
      }
    }
    return;
  }
  blocked(M, N, K, B, C, [&](int i0, int mr, float* P) { pack_tn_panel(K, A, i0, mr, P); });
}

}  // namespace drift::core
