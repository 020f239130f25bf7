// drift/core/layers.h: each backward kernel against central finite differences of its forward
// (one test per op), and the packed flag of linear_forward (also compiled to wasm, where the
// inference module packs weights: there a plain weight must still be read as plain rows).
#include "drift_catch.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "drift/core/gemm.h"
#include "drift/core/layers.h"
#include "drift/core/toy_data.h"

using namespace drift::core;

namespace {
std::vector<float> randn(std::size_t n, std::uint64_t seed, float scale = 1.0f) {
  ToyRng r(seed);
  std::vector<float> v(n);
  for (float& x : v) x = scale * r.normal();
  return v;
}
double dot(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * b[i];
  return s;
}
// y[out,n] = W x + b by the definition, in double: the reference for the forward tests.
std::vector<double> linear_ref(const std::vector<float>& W, const std::vector<float>& b, int in, int out, int n,
                               const std::vector<float>& x) {
  std::vector<double> y(std::size_t(out) * n);
  for (int i = 0; i < n; ++i)
    for (int o = 0; o < out; ++o) {
      double s = b.empty() ? 0.0 : b[std::size_t(o)];
      for (int k = 0; k < in; ++k) s += double(W[std::size_t(o) * in + k]) * x[std::size_t(i) * in + k];
      y[std::size_t(i) * out + o] = s;
    }
  return y;
}
}  // namespace

TEST_CASE("linear_forward reads plain weights as rows whatever the build packs") {
  const int in = 37, out = 19, n = 11;
  const auto W = randn(std::size_t(in) * out, 1), b = randn(std::size_t(out), 2), x = randn(std::size_t(in) * n, 3);
  const auto ref = linear_ref(W, b, in, out, n, x);
  std::vector<float> y(std::size_t(out) * n);
  linear_forward(W.data(), b.data(), in, out, n, x.data(), y.data(), /*packed=*/false);
  for (std::size_t k = 0; k < y.size(); ++k) CHECK(y[k] == Approx(ref[k]).margin(1e-4));
  // the same weights packed (as the loader packs them in wasm) give the same result
  std::vector<float> P(std::size_t(packed_tn_size(out, in)));
  pack_tn(out, in, W.data(), P.data());
  std::vector<float> yp(y.size());
  linear_forward(P.data(), b.data(), in, out, n, x.data(), yp.data(), /*packed=*/true);
  for (std::size_t k = 0; k < y.size(); ++k) CHECK(yp[k] == Approx(ref[k]).margin(1e-4));
}

TEST_CASE("linear_backward matches central differences of linear_forward") {
  const int in = 13, out = 7, n = 5;
  auto W = randn(std::size_t(in) * out, 4), b = randn(std::size_t(out), 5), x = randn(std::size_t(in) * n, 6);
  const auto R = randn(std::size_t(out) * n, 7);  // L = Σ y ⊙ R, so dL/dy = R
  auto loss = [&]() {
    std::vector<float> y(std::size_t(out) * n);
    linear_forward(W.data(), b.data(), in, out, n, x.data(), y.data());
    return dot(y, R);
  };
  std::vector<float> dW(W.size()), db(b.size()), dx(x.size());
  linear_backward(W.data(), in, out, n, x.data(), R.data(), dW.data(), db.data(), dx.data());
  const float h = 1e-2f;
  auto check = [&](std::vector<float>& p, const std::vector<float>& g) {
    for (std::size_t i = 0; i < p.size(); ++i) {
      const float keep = p[i];
      p[i] = keep + h;
      const double lp = loss();
      p[i] = keep - h;
      const double lm = loss();
      p[i] = keep;
      CHECK(g[i] == Approx((lp - lm) / (2 * h)).margin(2e-3).epsilon(1e-3));
    }
  };
  check(W, dW);
  check(b, db);
  check(x, dx);
  // optional outputs may be skipped
  std::vector<float> dW2(W.size());
  linear_backward(W.data(), in, out, n, x.data(), R.data(), dW2.data(), nullptr, nullptr);
  CHECK(dW2 == dW);
}

TEST_CASE("silu_backward matches central differences of silu_forward") {
  const auto h0 = randn(257, 8, 3.0f), R = randn(257, 9);
  std::vector<float> dx(h0.size());
  silu_backward(h0.data(), R.data(), dx.data(), std::int64_t(h0.size()));
  const double eps = 1e-3;
  for (std::size_t i = 0; i < h0.size(); ++i) {
    // SiLU in double by its definition: the reference is not the code under test
    auto silu = [](double v) { return v / (1.0 + std::exp(-v)); };
    const double fd = (silu(h0[i] + eps) - silu(h0[i] - eps)) / (2 * eps) * R[i];
    CHECK(dx[i] == Approx(fd).margin(1e-5).epsilon(1e-4));
  }
  // and against the float forward kernel, one coordinate at a time
  std::vector<float> a = h0;
  silu_forward(a.data(), std::int64_t(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == Approx(h0[i] / (1.0 + std::exp(-double(h0[i])))).margin(1e-5));
}

TEST_CASE("sigmoid_backward matches central differences of sigmoid_forward") {
  const auto h0 = randn(131, 10, 3.0f), R = randn(131, 11);
  std::vector<float> y = h0;
  sigmoid_forward(y.data(), std::int64_t(y.size()));
  std::vector<float> dx(h0.size());
  sigmoid_backward(y.data(), R.data(), dx.data(), std::int64_t(y.size()));
  const float h = 1e-2f;
  for (std::size_t i = 0; i < h0.size(); ++i) {
    float p = h0[i] + h, m = h0[i] - h;
    sigmoid_forward(&p, 1);
    sigmoid_forward(&m, 1);
    CHECK(dx[i] == Approx((double(p) - m) / (2 * h) * R[i]).margin(2e-4).epsilon(2e-3));
  }
}
