// SiLU and sigmoid on GCC/Clang vector types with a Cephes-style expf (range reduction by
// ln 2, degree-6 polynomial, 2^n through the exponent bits; ~1 ulp). Eigen has no wasm
// packets, so there its exp() was musl's scalar expf per element: the largest cost of the
// mlpconv generator after the conv itself (8 x 784 SiLUs a digit). Natively this file (no
// Eigen) may use -march=native like gemm.cpp.
#include <cstring>

#include "drift/layers.h"

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
inline vf splat(float x) { return vf{} + x; }
inline vf select(vi m, vf a, vf b) { return vf((vi(a) & m) | (vi(b) & ~m)); }

// exp(x) for x in [-87.3, 88.3] (clamped there: e^x stays a normal, finite float)
inline vf vexp(vf x) {
  x = select(x < -87.3f, splat(-87.3f), x);
  x = select(x > 88.3f, splat(88.3f), x);
  const vf fx = x * 1.44269504088896341f + 0.5f;
  vi n = __builtin_convertvector(fx, vi);              // truncation...
  n += (__builtin_convertvector(n, vf) > fx);          // ...to floor (true is -1)
  const vf nf = __builtin_convertvector(n, vf);
  const vf r = (x - nf * 0.693359375f) - nf * -2.12194440e-4f;
  vf p = splat(1.9875691500E-4f);
  p = p * r + 1.3981999507E-3f;
  p = p * r + 8.3334519073E-3f;
  p = p * r + 4.1665795894E-2f;
  p = p * r + 1.6666665459E-1f;
  p = p * r + 5.0000001201E-1f;
  p = p * (r * r) + r + 1.0f;
  return p * vf((n + 127) << 23);
}

template <bool kSilu>
void apply(float* x, std::int64_t count) {
  std::int64_t i = 0;
  for (; i + VW <= count; i += VW) {
    const vf a = load(x + i);
    const vf s = 1.0f / (1.0f + vexp(-a));
    store(x + i, kSilu ? a * s : s);
  }
  if (i < count) {
    float tmp[VW] = {};
    std::memcpy(tmp, x + i, sizeof(float) * std::size_t(count - i));
    const vf a = load(tmp);
    const vf s = 1.0f / (1.0f + vexp(-a));
    store(tmp, kSilu ? a * s : s);
    std::memcpy(x + i, tmp, sizeof(float) * std::size_t(count - i));
  }
}
}  // namespace

void silu_forward(float* x, std::int64_t count) { apply<true>(x, count); }
void sigmoid_forward(float* x, std::int64_t count) { apply<false>(x, count); }

}  // namespace drift::core
