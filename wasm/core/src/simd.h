// Private to wasm/core/src: GCC/Clang vector types for the direct kernels (conv2d.cpp,
// activation_simd.cpp). wasm simd128 under -msimd128; natively AVX when the file is built
// with -march=native (those files have no Eigen, so no alignment mismatch can cross TUs).
// Everything is in an anonymous namespace: each including file gets its own width.
#pragma once
#include <cstring>
#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

namespace drift::core {
namespace {
#if defined(__AVX__) && !defined(__wasm__)
constexpr int VW = 8;
#else
constexpr int VW = 4;
#endif
typedef float vf __attribute__((vector_size(VW * sizeof(float))));
typedef int vi __attribute__((vector_size(VW * sizeof(int))));

inline vf load(const float* p) {
  vf r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
// (x - 0 is x for every x, so this folds to a broadcast; vf{} + x is an add, as 0 + -0 = +0)
inline vf splat(float x) { return x - vf{}; }
inline vf select(vi m, vf a, vf b) { return vf((vi(a) & m) | (vi(b) & ~m)); }

// min/max that lower to one instruction: wasm's f32x4.min/max propagate NaN and V8 expands
// them to ~6 x64 instructions; pmin/pmax are minps/maxps.
inline vf vmin(vf a, vf b) {
#if defined(__wasm_simd128__)
  return vf(wasm_f32x4_pmin(v128_t(a), v128_t(b)));
#else
  return select(b < a, b, a);
#endif
}
inline vf vmax(vf a, vf b) {
#if defined(__wasm_simd128__)
  return vf(wasm_f32x4_pmax(v128_t(a), v128_t(b)));
#else
  return select(a < b, b, a);
#endif
}

// Cephes-style expf (x = n ln2 + r, |r| <= ln2/2, degree-6 polynomial, 2^n through the
// exponent bits; ~1 ulp) for x clamped to [-87.3, 88.3], where e^x is a normal, finite float.
// n = round(x log2 e) by the 1.5 * 2^23 trick, which leaves n in t's low mantissa bits, so
// (bits(t) + 127) << 23 is 2^n's bit pattern (the shift drops t's exponent bits).
inline vf vexp(vf x) {
  x = vmin(vmax(x, splat(-87.3f)), splat(88.3f));
  const vf t = x * 1.44269504088896341f + 12582912.0f;
  const vf nf = t - 12582912.0f;
  const vf r = (x - nf * 0.693359375f) - nf * -2.12194440e-4f;
  vf p = splat(1.9875691500E-4f);
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * (r * r) + r + 1.0f;
  return p * vf((vi(t) + 127) << 23);
}

// SiLU (kSilu) or sigmoid of a vector
template <bool kSilu>
inline vf vsigmoid(vf a) {
  const vf s = 1.0f / (1.0f + vexp(-a));
  return kSilu ? a * s : s;
}
}  // namespace
}  // namespace drift::core
