// Blocked GEMM: the wasm SIMD path of drift/gemm.h. Written with GCC/Clang vector
// extensions (4 x f32), which clang lowers to wasm simd128 (v128.load, f32x4.splat,
// f32x4.mul/add) under -msimd128 and to SSE natively, where the unit tests run it.
#include <cstring>
#include <vector>

#include "drift/gemm.h"

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

constexpr int MR = 8, NR = 4;

// Panel buffer: an 8-row slab of op(A), K x 8 contiguous. Grows once; never shrinks.
std::vector<float>& panel_buffer() {
  static std::vector<float> buf;
  return buf;
}

// C[i0:i0+mr, j0:j0+nr] = P (K x 8, packed) * B[:, j0:j0+nr]; ldb = K, ldc = M.
inline void micro_8x4(int K, const float* P, const float* B, int ldb, int nr, float* C, int ldc,
                      int mr) {
  const float* b0 = B;
  const float* b1 = nr > 1 ? B + ldb : B;
  const float* b2 = nr > 2 ? B + 2 * ldb : B;
  const float* b3 = nr > 3 ? B + 3 * ldb : B;
  v4 c00 = splat(0), c01 = splat(0), c10 = splat(0), c11 = splat(0);
  v4 c20 = splat(0), c21 = splat(0), c30 = splat(0), c31 = splat(0);
  for (int k = 0; k < K; ++k) {
    const v4 a0 = load4(P + k * MR), a1 = load4(P + k * MR + 4);
    const v4 x0 = splat(b0[k]), x1 = splat(b1[k]), x2 = splat(b2[k]), x3 = splat(b3[k]);
    c00 += a0 * x0; c01 += a1 * x0;
    c10 += a0 * x1; c11 += a1 * x1;
    c20 += a0 * x2; c21 += a1 * x2;
    c30 += a0 * x3; c31 += a1 * x3;
  }
  const v4 acc[NR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}};
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

// Drives the micro-kernel: pack(i0, mr, P) fills the K x 8 panel of op(A) rows i0..i0+mr.
template <class Pack>
void blocked(int M, int N, int K, const float* B, float* C, Pack pack) {
  auto& buf = panel_buffer();
  if (buf.size() < std::size_t(K) * MR) buf.resize(std::size_t(K) * MR);
  float* P = buf.data();
  for (int i0 = 0; i0 < M; i0 += MR) {
    const int mr = M - i0 < MR ? M - i0 : MR;
    pack(i0, mr, P);
    for (int j0 = 0; j0 < N; j0 += NR) {
      const int nr = N - j0 < NR ? N - j0 : NR;
      micro_8x4(K, P, B + std::size_t(j0) * K, K, nr, C + std::size_t(j0) * M + i0, M, mr);
    }
  }
}
}  // namespace

void gemm_nn_blocked(int M, int N, int K, const float* A, const float* B, float* C) {
  if (N < NR) {
    // thin B (batch 1..3): C(:,j) = sum_k A(:,k) B(k,j), axpy down contiguous columns
    for (int j = 0; j < N; ++j) {
      float* c = C + std::size_t(j) * M;
      std::memset(c, 0, sizeof(float) * std::size_t(M));
      for (int k = 0; k < K; ++k) {
        const float* a = A + std::size_t(k) * M;
        const float bk = B[std::size_t(j) * K + k];
        const v4 b = splat(bk);
        int i = 0;
        for (; i + 4 <= M; i += 4) store4(c + i, load4(c + i) + load4(a + i) * b);
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
  if (N < NR) {
    // thin B: each C(i,j) is a dot product of contiguous A column i and B column j
    for (int j = 0; j < N; ++j) {
      const float* b = B + std::size_t(j) * K;
      for (int i = 0; i < M; ++i) {
        const float* a = A + std::size_t(i) * K;
        v4 s0 = splat(0), s1 = splat(0);
        int k = 0;
        for (; k + 8 <= K; k += 8) {
          s0 += load4(a + k) * load4(b + k);
          s1 += load4(a + k + 4) * load4(b + k + 4);
        }
        s0 += s1;
        float s = s0[0] + s0[1] + s0[2] + s0[3];
        for (; k < K; ++k) s += a[k] * b[k];
        C[std::size_t(j) * M + i] = s;
      }
    }
    return;
  }
  blocked(M, N, K, B, C, [&](int i0, int mr, float* P) {
    // rows i0.. of op(A) are columns of A, each contiguous over k: interleave 8 of them
    const float* a[MR];
    for (int r = 0; r < MR; ++r) a[r] = A + std::size_t(i0 + (r < mr ? r : 0)) * K;
    for (int k = 0; k < K; ++k) {
      float* p = P + k * MR;
      for (int r = 0; r < MR; ++r) p[r] = r < mr ? a[r][k] : 0.0f;
    }
  });
}

}  // namespace drift::core
