// conv2d (stride 1) as a direct kernel: each sample is copied once into a zero-padded
// [C, H+2p, W+2p] plane set (nearest-upsampling on the way when the conv follows an
// upsample_nearest layer), then each output is a sum over (c, ky, kx) of a weight times a
// shifted input, vectorised along flat padded rows (OB output channels x NV vectors held in
// registers, the bias as the accumulators' start). No im2col (9x the input) and no GEMM call
// per sample: the generator's convs have few channels (mlpconv: 4->8 and 8->1 on 28x28), where
// both cost more than the arithmetic. Up2 + 3x3 pad 1 runs as four 2x2 phase convs (below).
// Vector types: simd.h. A SiLU or sigmoid after the conv is applied per sample, in cache.
#include "drift/core/layers.h"
#include "simd.h"

namespace drift::core {
namespace {
struct Geom {
  int C, k, Wp, plane, K;  // plane = (H+2p)(W+2p), K = C*k*k
};

// Output positions are counted in the padded input's coordinates, q = oy*Wp + ox with ox in
// [0, Wp): input (c, oy+ky, ox+kx) is then q + c*plane + ky*Wp + kx, so one output plane is a
// single flat range of Ho*Wp positions (the k-1 columns past Wo of each row are computed and
// dropped) and every tile is full width: no row tails, OB x NV independent accumulators.
// The widest tile (floats) and the floats of one temporary output plane:
constexpr int kTileMax = 4 * VW;
inline std::int64_t temp_plane(const LayerPlan& p) {
  return std::int64_t(p.out.h) * (p.in.w + 2 * p.spec.padding) + kTileMax;
}

// t[j*tp + q0 ..+NV*VW) for OB channels (weights W + j*K, bias b[j]); in = padded input + q0
template <int OB, int NV, int KK>
inline void tile(const Geom& g, const float* in, const float* W, const float* b, float* t,
                 std::int64_t tp) {
  const int k = KK ? KK : g.k;  // KK: the kernel size when known at compile time
  vf acc[OB][NV];
  for (int j = 0; j < OB; ++j)
    for (int v = 0; v < NV; ++v) acc[j][v] = splat(b ? b[j] : 0.0f);
  for (int c = 0; c < g.C; ++c)
    for (int ky = 0; ky < k; ++ky) {
      const float* r = in + c * g.plane + ky * g.Wp;
      const float* w = W + (c * k + ky) * k;
      for (int kx = 0; kx < k; ++kx) {
        vf x[NV];
        for (int v = 0; v < NV; ++v) x[v] = load(r + kx + v * VW);
        for (int j = 0; j < OB; ++j) {
          const vf wj = splat(w[j * g.K + kx]);
          for (int v = 0; v < NV; ++v) acc[j][v] += x[v] * wj;
        }
      }
    }
  for (int j = 0; j < OB; ++j)
    for (int v = 0; v < NV; ++v) store(t + j * tp + v * VW, acc[j][v]);
}

// OB output channels over the flat range [0, n): into t (OB planes of tp floats)
template <int OB, int NV, int KK>
void channels(const Geom& g, int n, const float* pin, const float* W, const float* b, float* t,
              std::int64_t tp) {
  for (int q = 0; q < n; q += NV * VW) tile<OB, NV, KK>(g, pin + q, W, b, t + q, tp);
}

// all O channels of one sample into t, then t's rows (the first `cols` of every Wp) into out:
// channel o, row r, column c at out[o*oplane + r*rstride + c*cstep]
template <int KK>
void all_channels(const Geom& g, int O, int rows, int cols, const float* pin, const float* W,
                  const float* b, float* t, std::int64_t tp, float* out, int oplane, int rstride,
                  int cstep) {
  const int n = rows * g.Wp;
  for (int o = 0; o < O;) {
    const int ob = O - o >= 4 ? 4 : 1;
    if (ob == 4)
      channels<4, 2, KK>(g, n, pin, W + o * g.K, b ? b + o : nullptr, t, tp);
    else
      channels<1, 4, KK>(g, n, pin, W + o * g.K, b ? b + o : nullptr, t, tp);
    for (int j = 0; j < ob; ++j, ++o)
      for (int r = 0; r < rows; ++r) {
        float* d = out + std::int64_t(o) * oplane + r * rstride;
        const float* src = t + j * tp + r * g.Wp;
        if (cstep == 1)
          std::memcpy(d, src, sizeof(float) * std::size_t(cols));
        else
          for (int c = 0; c < cols; ++c) d[c * cstep] = src[c];
      }
  }
}

// Nearest 2x upsampling then a 3x3 conv with padding 1: each output phase (oy%2, ox%2) sees
// only 2x2 distinct source pixels, so it is a 2x2 conv on the source padded by 1, with the
// taps that hit the same pixel summed: rows {0}, {1,2} for even oy and {0,1}, {2} for odd oy
// (columns alike). 4 instead of 9 multiply-adds per output; same sum up to float rounding.
// Wq: [4 phases][O][C][2][2].
void up2_conv3_weights(int O, int C, const float* W, float* Wq) {
  static const int lo[2][2] = {{0, 1}, {0, 2}}, hi[2][2] = {{0, 2}, {1, 2}};  // [phase][d]
  for (int py = 0; py < 2; ++py)
    for (int px = 0; px < 2; ++px)
      for (int oc = 0; oc < O * C; ++oc)
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            float s = 0.0f;
            for (int ky = lo[py][dy]; ky <= hi[py][dy]; ++ky)
              for (int kx = lo[px][dx]; kx <= hi[px][dx]; ++kx) s += W[oc * 9 + ky * 3 + kx];
            *Wq++ = s;
          }
}
}  // namespace

std::int64_t conv_scratch(const LayerPlan& p) {
  if (p.spec.type != LayerType::conv2d) return 0;
  const int pad = p.spec.padding;
  // padded input (+ what the last tile reads past it), 4 temporary output planes, and the
  // up2 + 3x3 path's phase weights
  return std::int64_t(p.in.c) * (p.in.h + 2 * pad) * (p.in.w + 2 * pad) + p.spec.kernel +
         kTileMax + 4 * temp_plane(p) + 16 * std::int64_t(p.in.c) * p.out.c;
}

void conv2d_forward(const LayerPlan& p, const float* W, const float* b, int n, const float* x,
                    float* y, float* scratch, int up, LayerType act) {
  const int C = p.in.c, H = p.in.h, Wd = p.in.w, k = p.spec.kernel, pad = p.spec.padding;
  const int O = p.out.c, Ho = p.out.h, Wo = p.out.w;
  const int Hx = H / up, Wx = Wd / up;  // x's planes (H, Wd are the upsampled sizes)
  // up2 + 3x3 pad 1: 4 phase convs (2x2) on x padded by 1; otherwise one conv on the
  // upsampled x padded by pad
  const bool phases = up == 2 && k == 3 && pad == 1;
  const int cpad = phases ? 1 : pad, ch = phases ? Hx : H, cw = phases ? Wx : Wd;
  const int Wp = cw + 2 * cpad, kk = phases ? 2 : k;
  const Geom g{C, kk, Wp, (ch + 2 * cpad) * Wp, C * kk * kk};
  const std::int64_t padded = std::int64_t(C) * g.plane + k + kTileMax, tp = temp_plane(p);
  float* t = scratch + padded;
  float* Wq = t + 4 * tp;
  if (phases) up2_conv3_weights(O, C, W, Wq);
  const std::int64_t in_size = std::int64_t(C) * Hx * Wx, out_size = p.out.size();
  // borders and slack stay zero; each sample overwrites only the interior
  std::memset(scratch, 0, sizeof(float) * std::size_t(padded));
  for (int s = 0; s < n; ++s) {
    const float* xs = x + s * in_size;
    float* ys = y + s * out_size;
    for (int c = 0; c < C; ++c)
      for (int iy = 0; iy < ch; ++iy) {
        float* dst = scratch + c * g.plane + (iy + cpad) * Wp + cpad;
        const float* src = xs + (c * Hx + iy / (phases ? 1 : up)) * Wx;
        if (up == 1 || phases) {
          std::memcpy(dst, src, sizeof(float) * std::size_t(cw));
        } else if (iy % up) {
          std::memcpy(dst, dst - Wp, sizeof(float) * std::size_t(Wd));  // repeat the row above
        } else {
          for (int ix = 0; ix < Wx; ++ix)
            for (int r = 0; r < up; ++r) *dst++ = src[ix];
        }
      }
    if (phases) {
      for (int py = 0; py < 2; ++py)
        for (int px = 0; px < 2; ++px)
          all_channels<2>(g, O, Hx, Wx, scratch + py * Wp + px, Wq + (py * 2 + px) * O * g.K, b,
                          t, tp, ys + py * Wo + px, Ho * Wo, 2 * Wo, 2);
    } else {
      all_channels<0>(g, O, Ho, Wo, scratch, W, b, t, tp, ys, Ho * Wo, Wo, 1);
    }
    if (act == LayerType::silu) silu_forward(ys, out_size);
    else if (act == LayerType::sigmoid) sigmoid_forward(ys, out_size);
  }
}

}  // namespace drift::core
