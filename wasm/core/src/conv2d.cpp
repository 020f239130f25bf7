// conv2d (stride 1) as a direct kernel: each sample is copied once into a zero-padded
// [C, H+2p, W+2p] plane set, then every output row is a sum over (c, ky, kx) of a weight times
// a shifted input row, vectorised along the row (OB output channels x NV vectors held in
// registers, the bias as the accumulators' start). No im2col (9x the input) and no GEMM call
// per sample: the generator's convs have few channels (mlpconv: 4->8 and 8->1 on 28x28), where
// both cost more than the arithmetic. Written with GCC/Clang vector extensions: wasm simd128
// under -msimd128, AVX natively (this file has no Eigen, so -march=native is safe here).
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

inline vf load(const float* p) {
  vf r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
inline vf splat(float x) { return vf{} + x; }

struct Geom {
  int C, k, Wp, plane, K, HWo;  // plane = (H+2p)(W+2p), K = C*k*k, HWo = output plane
};

// out[j*HWo + 0..nstore) for OB channels (weights W + j*K, bias b[j]) at one output position:
// in points at the padded input at (row oy, column ox). nstore <= NV*VW.
template <int OB, int NV>
inline void tile(const Geom& g, const float* in, const float* W, const float* b, float* out,
                 int nstore) {
  vf acc[OB][NV];
  for (int j = 0; j < OB; ++j)
    for (int v = 0; v < NV; ++v) acc[j][v] = splat(b ? b[j] : 0.0f);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < g.k; ++ky) {
      const float* r = in + c * g.plane + ky * g.Wp;
      const float* w = W + (c * g.k + ky) * g.k;
      for (int kx = 0; kx < g.k; ++kx) {
        vf x[NV];
        for (int v = 0; v < NV; ++v) x[v] = load(r + kx + v * VW);
        for (int j = 0; j < OB; ++j) {
          const vf wj = splat(w[j * g.K + kx]);
          for (int v = 0; v < NV; ++v) acc[j][v] += x[v] * wj;
        }
      }
    }
  for (int j = 0; j < OB; ++j) {
    float* o = out + j * g.HWo;
    if (nstore == NV * VW) {
      for (int v = 0; v < NV; ++v) store(o + v * VW, acc[j][v]);
    } else {
      float tmp[NV * VW];
      for (int v = 0; v < NV; ++v) store(tmp + v * VW, acc[j][v]);
      std::memcpy(o, tmp, sizeof(float) * unsigned(nstore));
    }
  }
}

// OB output channels, all rows: NV-vector tiles, then one vector, then a partial vector
// (its loads run past the row into the next one or the scratch's slack; those lanes are
// not stored).
template <int OB, int NV>
void channels(const Geom& g, int Ho, int Wo, const float* pin, const float* W, const float* b,
              float* out) {
  for (int oy = 0; oy < Ho; ++oy) {
    const float* in = pin + oy * g.Wp;
    float* o = out + oy * Wo;
    int ox = 0;
    for (; ox + NV * VW <= Wo; ox += NV * VW) tile<OB, NV>(g, in + ox, W, b, o + ox, NV * VW);
    for (; ox + VW <= Wo; ox += VW) tile<OB, 1>(g, in + ox, W, b, o + ox, VW);
    if (ox < Wo) tile<OB, 1>(g, in + ox, W, b, o + ox, Wo - ox);
  }
}

constexpr int kSlack = VW;  // floats past the padded planes that a partial vector may read
}  // namespace

std::int64_t conv_scratch(const LayerPlan& p) {
  if (p.spec.type != LayerType::conv2d) return 0;
  const int pad = p.spec.padding;
  return std::int64_t(p.in.c) * (p.in.h + 2 * pad) * (p.in.w + 2 * pad) + kSlack;
}

void conv2d_forward(const LayerPlan& p, const float* W, const float* b, int n, const float* x,
                    float* y, float* scratch) {
  const int C = p.in.c, H = p.in.h, Wd = p.in.w, k = p.spec.kernel, pad = p.spec.padding;
  const int O = p.out.c, Ho = p.out.h, Wo = p.out.w;
  const int Hp = H + 2 * pad, Wp = Wd + 2 * pad;
  const Geom g{C, k, Wp, Hp * Wp, C * k * k, Ho * Wo};
  const std::int64_t in_size = p.in.size(), out_size = p.out.size();
  // borders and slack stay zero; each sample overwrites only the interior
  std::memset(scratch, 0, sizeof(float) * std::size_t(conv_scratch(p)));
  for (int s = 0; s < n; ++s) {
    const float* xs = x + s * in_size;
    float* ys = y + s * out_size;
    for (int c = 0; c < C; ++c)
      for (int iy = 0; iy < H; ++iy)
        std::memcpy(scratch + c * g.plane + (iy + pad) * Wp + pad, xs + (c * H + iy) * Wd,
                    sizeof(float) * std::size_t(Wd));
    int o = 0;
    for (; o + 4 <= O; o += 4)
      channels<4, 2>(g, Ho, Wo, scratch, W + o * g.K, b ? b + o : nullptr, ys + o * g.HWo);
    for (; o < O; ++o)
      channels<1, 4>(g, Ho, Wo, scratch, W + o * g.K, b ? b + o : nullptr, ys + o * g.HWo);
  }
}

}  // namespace drift::core
