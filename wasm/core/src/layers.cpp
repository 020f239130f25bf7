#include "drift/core/layers.h"

#include <Eigen/Core>
#include <cmath>
#include <cstring>

#include "drift/core/field_eigen.h"  // fast_exp
#include "drift/core/gemm.h"

namespace drift::core {
namespace {
using MatC = Eigen::Map<Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
using CMatC = Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic>>;
using CVec = Eigen::Map<const Eigen::VectorXf>;
using Arr = Eigen::Map<Eigen::ArrayXf>;
}  // namespace

void linear_forward(const float* W, const float* b, int in, int out, int n, const float* x,
                    float* y, bool packed) {
  // y[out, n] = W[out, in] x[in, n]; W row-major [out,in] is column-major W^T [in,out].
  if (packed) return linear_forward_packed(W, b, in, out, n, x, y);
  gemm_tn(out, n, in, W, x, y);
  if (b) {
    MatC Y(y, out, n);
    Y.colwise() += CVec(b, out);
  }
}

void linear_forward_packed(const float* P, const float* b, int in, int out, int n,
                           const float* x, float* y) {
  gemm_packed(out, n, in, P, x, y);
  if (b) {
    MatC Y(y, out, n);
    Y.colwise() += CVec(b, out);
  }
}

void linear_backward(const float* W, int in, int out, int n, const float* x, const float* dy,
                     float* dW, float* db, float* dx) {
  // dW row-major [out,in] = dy x^T, i.e. column-major [in,out] = x dy^T.
  gemm_nt(in, out, n, x, dy, dW);
  if (db) {
    for (int o = 0; o < out; ++o) db[o] = 0.0f;
    for (int i = 0; i < n; ++i) {
      const float* col = dy + std::int64_t(i) * out;
      for (int o = 0; o < out; ++o) db[o] += col[o];
    }
  }
  // dx [in,n] = W^T dy: W row-major [out,in] is column-major [in,out].
  if (dx) gemm_nn(in, n, out, W, dy, dx);
}

void silu_backward(const float* h, const float* dy, float* dx, std::int64_t count) {
  for (std::int64_t k = 0; k < count; ++k) {
    const float v = h[k], s = 1.0f / (1.0f + fast_exp(-v));  // branch-free: vectorises
    dx[k] = dy[k] * (s * (1.0f + v * (1.0f - s)));
  }
}

void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t count) {
  for (std::int64_t k = 0; k < count; ++k) dx[k] = dy[k] * (y[k] * (1.0f - y[k]));
}

// conv2d_forward and conv_scratch: conv2d.cpp

void upsample_nearest_forward(const LayerPlan& p, int n, const float* x, float* y) {
  // (the generator fuses an upsample followed by a conv into conv2d_forward)
  const int C = p.in.c, H = p.in.h, Wd = p.in.w, s = p.spec.scale, Wo = Wd * s;
  for (int i = 0; i < n; ++i) {
    const float* src = x + std::int64_t(i) * p.in.size();
    float* dst = y + std::int64_t(i) * p.out.size();
    for (int row = 0; row < C * H; ++row, src += Wd) {
      float* first = dst;
      for (int ix = 0; ix < Wd; ++ix)
        for (int r = 0; r < s; ++r) *dst++ = src[ix];
      for (int r = 1; r < s; ++r, dst += Wo) std::memcpy(dst, first, sizeof(float) * std::size_t(Wo));
    }
  }
}

void activation_forward(LayerType t, float slope, float* x, std::int64_t count) {
  Arr a(x, count);
  switch (t) {
    case LayerType::relu:
      a = a.max(0.0f);
      break;
    case LayerType::leaky_relu:
      a = (a >= 0.0f).select(a, a * slope);
      break;
    case LayerType::tanh:
      a = a.tanh();
      break;
    case LayerType::sigmoid:
      sigmoid_forward(x, count);
      break;
    case LayerType::silu:
      silu_forward(x, count);
      break;
    case LayerType::gelu_tanh: {
      const float k = 0.7978845608028654f;  // sqrt(2/pi)
      a = 0.5f * a * (1.0f + (k * (a + 0.044715f * a.cube())).tanh());
      break;
    }
    default:
      break;
  }
}

}  // namespace drift::core
