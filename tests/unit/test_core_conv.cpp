// conv2d_forward (direct kernel, its upsample and activation fusions), upsample_nearest and
// the vector SiLU/sigmoid against plain loops, on shapes with every tile remainder.
#include "drift_catch.h"
#include <cmath>
#include <random>
#include <vector>

#include "drift/core/layers.h"

using namespace drift::core;

namespace {
std::vector<float> random_vector(std::size_t n, std::mt19937& rng, float scale = 1.0f) {
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// naive: upsample x [C, H/up, W/up] by up, conv (PyTorch weight [O,C,k,k]), activation
std::vector<float> reference(const float* x, int C, int H, int W, int up, const float* w,
                             const float* b, int O, int k, int pad, LayerType act) {
  const int Ho = H + 2 * pad - k + 1, Wo = W + 2 * pad - k + 1, Hx = H / up, Wx = W / up;
  std::vector<float> y(std::size_t(O) * Ho * Wo);
  for (int o = 0; o < O; ++o)
    for (int oy = 0; oy < Ho; ++oy)
      for (int ox = 0; ox < Wo; ++ox) {
        double s = b ? b[o] : 0.0;
        for (int c = 0; c < C; ++c)
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy + ky - pad, ix = ox + kx - pad;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              s += double(w[((o * C + c) * k + ky) * k + kx]) *
                   x[(c * Hx + iy / up) * Wx + ix / up];
            }
        if (act == LayerType::silu) s = s / (1.0 + std::exp(-s));
        if (act == LayerType::sigmoid) s = 1.0 / (1.0 + std::exp(-s));
        y[(std::size_t(o) * Ho + oy) * Wo + ox] = float(s);
      }
  return y;
}
}  // namespace

TEST_CASE("conv2d_forward matches a naive conv on many shapes, fused or not", "[core][conv]") {
  struct Case {
    int C, O, H, W, k, pad, up;
    LayerType act;
  };
  const Case cases[] = {
      {4, 8, 28, 28, 3, 1, 2, LayerType::silu},     // mlpconv: up2 + conv 4->8 + SiLU
      {8, 1, 28, 28, 3, 1, 1, LayerType::sigmoid},  // mlpconv: conv 8->1 + sigmoid
      {4, 8, 28, 28, 3, 1, 1, LayerType::linear},   {2, 3, 5, 7, 3, 1, 1, LayerType::linear},
      {3, 6, 9, 11, 3, 0, 1, LayerType::silu},      {1, 5, 4, 4, 1, 0, 1, LayerType::linear},
      {2, 9, 12, 6, 5, 2, 2, LayerType::sigmoid},   {3, 4, 9, 12, 3, 1, 3, LayerType::linear},
      {5, 2, 3, 3, 3, 2, 1, LayerType::linear},     {1, 1, 1, 1, 1, 0, 1, LayerType::silu},
      {2, 4, 17, 33, 4, 3, 1, LayerType::linear},   {3, 5, 10, 14, 3, 1, 2, LayerType::linear},
      {1, 1, 2, 2, 3, 1, 2, LayerType::sigmoid},
  };
  std::mt19937 rng(7);
  for (const Case& t : cases) {
    for (bool bias : {true, false}) {
      LayerPlan p;
      p.spec.type = LayerType::conv2d;
      p.spec.in_channels = t.C;
      p.spec.out_channels = t.O;
      p.spec.kernel = t.k;
      p.spec.padding = t.pad;
      p.in = {t.C, t.H, t.W, false};
      p.out = {t.O, t.H + 2 * t.pad - t.k + 1, t.W + 2 * t.pad - t.k + 1, false};
      const int n = 3;
      const std::int64_t xs = std::int64_t(t.C) * (t.H / t.up) * (t.W / t.up);
      auto x = random_vector(std::size_t(xs * n), rng, 2.0f);
      auto w = random_vector(std::size_t(t.O * t.C * t.k * t.k), rng, 0.5f);
      auto b = random_vector(std::size_t(t.O), rng, 0.5f);
      std::vector<float> y(std::size_t(p.out.size() * n), -7.0f), scratch(std::size_t(conv_scratch(p)));
      conv2d_forward(p, w.data(), bias ? b.data() : nullptr, n, x.data(), y.data(), scratch.data(),
                     t.up, t.act);
      for (int s = 0; s < n; ++s) {
        auto ref = reference(x.data() + s * xs, t.C, t.H, t.W, t.up, w.data(),
                             bias ? b.data() : nullptr, t.O, t.k, t.pad, t.act);
        double err = 0;
        for (std::size_t i = 0; i < ref.size(); ++i)
          err = std::max(err, std::fabs(double(y[s * p.out.size() + std::int64_t(i)]) - ref[i]));
        INFO("C=" << t.C << " O=" << t.O << " H=" << t.H << " W=" << t.W << " k=" << t.k
                  << " pad=" << t.pad << " up=" << t.up << " bias=" << bias << " sample " << s);
        CHECK(err < 1e-5);
      }
    }
  }
}

TEST_CASE("upsample_nearest_forward repeats pixels", "[core][conv]") {
  LayerPlan p;
  p.spec.type = LayerType::upsample_nearest;
  p.spec.scale = 3;
  p.in = {2, 2, 3, false};
  p.out = {2, 6, 9, false};
  std::vector<float> x(2 * 12), y(2 * 108);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i);
  upsample_nearest_forward(p, 2, x.data(), y.data());
  for (int s = 0; s < 2; ++s)
    for (int c = 0; c < 2; ++c)
      for (int oy = 0; oy < 6; ++oy)
        for (int ox = 0; ox < 9; ++ox)
          CHECK(y[std::size_t(s * 108 + (c * 6 + oy) * 9 + ox)] ==
                x[std::size_t(s * 12 + (c * 2 + oy / 3) * 3 + ox / 3)]);
}

TEST_CASE("vector SiLU and sigmoid are within float rounding of libm", "[core][conv]") {
  std::vector<float> x;
  for (float v = -120.0f; v <= 120.0f; v += 0.037f) x.push_back(v);
  for (float v : {0.0f, -0.0f, 88.7f, -88.7f, 1e-30f, -1e-30f, 1e30f, -1e30f}) x.push_back(v);
  for (LayerType t : {LayerType::silu, LayerType::sigmoid}) {
    auto y = x;
    if (t == LayerType::silu) silu_forward(y.data(), std::int64_t(y.size()));
    else sigmoid_forward(y.data(), std::int64_t(y.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-double(x[i])));
      const double ref = t == LayerType::silu ? x[i] * s : s;
      INFO("x = " << x[i]);
      REQUIRE(std::isfinite(y[i]));
      CHECK(std::fabs(y[i] - ref) <= 2e-7 * std::max(1.0, std::fabs(ref)));
    }
  }
}
