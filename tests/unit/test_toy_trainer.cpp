// drift/toy_trainer.h: backprop against finite differences, inits, training progress.
#include "drift_catch.h"

#include <algorithm>
#include <cmath>

#include "drift/core/energy.h"
#include "drift/core/toy_trainer.h"

using namespace drift::core;

namespace {
std::vector<float> randn(int r, int c, uint64_t seed) {
  ToyRng g(seed);
  std::vector<float> m(size_t(r) * c);
  for (float& v : m) v = g.normal();
  return m;
}
}  // namespace

TEST_CASE("ToyMLP backward matches central finite differences (double-checked in float)") {
  ToyMLP mlp(5, 7, 3, 2);
  ToyRng r(3);
  mlp.init(r);
  std::vector<float> Z = randn(9, 5, 4);  // [n=9, in=5]
  std::vector<float> R = randn(9, 2, 5);  // L = sum(out ⊙ R)
  auto loss = [&]() {
    const std::vector<float>& y = mlp.forward(Z.data(), 9);
    double l = 0;
    for (size_t k = 0; k < y.size(); ++k) l += double(y[k]) * R[k];
    return l;
  };
  loss();
  std::vector<float> grad;
  mlp.backward(R.data(), grad);
  std::vector<float>& p = mlp.params();
  REQUIRE(grad.size() == p.size());
  REQUIRE(p.size() == size_t(5 * 7 + 7 + 2 * (7 * 7 + 7) + 7 * 2 + 2));
  const float h = 1e-2f;
  int checked = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    float keep = p[i];
    p[i] = keep + h;
    double lp = loss();
    p[i] = keep - h;
    double lm = loss();
    p[i] = keep;
    double fd = (lp - lm) / (2 * h);
    CHECK(grad[i] == Approx(fd).margin(2e-3).epsilon(2e-2));
    ++checked;
  }
  CHECK(checked == int(p.size()));
}

TEST_CASE("ToyTrainer drift loss gradient matches finite differences along random directions") {
  ToyTrainerConfig c;
  c.hidden = 16;
  c.depth = 2;
  c.n = 32;
  c.eval_n = 32;
  ToyTrainer t(c);
  std::vector<float> Z = randn(32, c.noise_dim, 6);
  std::vector<float> goal = randn(32, 2, 7);
  const float s = 0.7f;
  std::vector<float> grad;
  t.loss_and_grad(Z.data(), 32, goal.data(), s, &grad);
  std::vector<float>& p = t.mlp().params();
  for (uint64_t k = 0; k < 4; ++k) {
    ToyRng dr(100 + k);
    std::vector<float> dir(p.size());
    double gd = 0;
    for (size_t i = 0; i < p.size(); ++i) dir[i] = dr.normal(), gd += double(dir[i]) * grad[i];
    std::vector<float> keep = p;
    const float h = 1e-3f;
    for (size_t i = 0; i < p.size(); ++i) p[i] = keep[i] + h * dir[i];
    double lp = t.loss_and_grad(Z.data(), 32, goal.data(), s, nullptr);
    for (size_t i = 0; i < p.size(); ++i) p[i] = keep[i] - h * dir[i];
    double lm = t.loss_and_grad(Z.data(), 32, goal.data(), s, nullptr);
    p = keep;
    CHECK(gd == Approx((lp - lm) / (2 * h)).epsilon(2e-2));
  }
}

TEST_CASE("ToyTrainer inits put the untrained output where toy_init says") {
  for (const auto& init : toy_init_names()) {
    ToyTrainerConfig c;
    c.init = init;
    c.hidden = 32;
    ToyTrainer t(c);
    ToyInit spec = toy_init(init);
    const auto& g = t.generated();
    REQUIRE(g.size() == size_t(2 * c.eval_n));
    double mx = 0, my = 0;
    for (int i = 0; i < c.eval_n; ++i) mx += g[2 * i], my += g[2 * i + 1];
    mx /= c.eval_n, my /= c.eval_n;
    double v = 0;
    for (int i = 0; i < c.eval_n; ++i)
      v += (g[2 * i] - mx) * (g[2 * i] - mx) + (g[2 * i + 1] - my) * (g[2 * i + 1] - my);
    CHECK(mx == Approx(spec.cx).margin(1e-4));
    CHECK(my == Approx(spec.cy).margin(1e-4));
    CHECK(std::sqrt(v / (2 * c.eval_n)) == Approx(spec.spread).epsilon(1e-3));
  }
}

TEST_CASE("ToyTrainer: energy distance falls over a few hundred steps, two targets") {
  struct Case { const char* target; const char* init; };
  for (Case cs : {Case{"8gaussians", "middle"}, Case{"checkerboard", "far"}}) {
    ToyTrainerConfig c;
    c.target = cs.target;
    c.init = cs.init;
    c.n = 256;
    c.hidden = 64;
    c.seed = 5;
    ToyTrainer t(c);
    float d0 = t.distance();
    t.step(300);
    float d1 = t.distance();
    INFO(cs.target << " from " << cs.init << ": " << d0 << " -> " << d1);
    CHECK(t.step_count() == 300);
    CHECK(d1 < 0.1f * d0);
    CHECK(d1 < 0.15f);
  }
}

TEST_CASE("ToyTrainer: field points from the far init toward the data; user points; errors") {
  ToyTrainerConfig c;
  c.init = "far";
  c.target = "bimodal";
  c.hidden = 32;
  ToyTrainer t(c);
  auto F = t.field();
  REQUIRE(F.size() == size_t(2 * c.eval_n));
  for (int i = 0; i < c.eval_n; i += 97) {
    CHECK(F[2 * i] < 0.0f);  // far init is at (4,4), every target is left and below
    CHECK(F[2 * i + 1] < 0.0f);
  }
  std::vector<float> many(2 * 5000);
  for (size_t i = 0; i < many.size(); ++i) many[i] = float(i % 7) * 0.1f;
  t.set_target_points(many);
  CHECK(t.targets().size() == 2 * 2048);  // evaluation subset of a large drawing
  t.set_target("bimodal");  // a drawn target is a sample: the plain unbiased estimate
  CHECK(t.distance() == Approx(energy_distance(t.generated(), t.targets(), 2)).epsilon(1e-6));
  t.set_target_points({0.0f, 0.0f, 1.0f, 1.0f, -1.0f, 0.5f});
  CHECK(t.targets().size() == 6);
  // Three user points are the whole target distribution: E|Y-Y'| averages all 9 pairs,
  // (0 * 3 + 2 * (sqrt 2 + sqrt 1.25 + sqrt 4.25)) / 9, instead of the 6 with i != j.
  const double yy = 2.0 * (std::sqrt(2.0) + std::sqrt(1.25) + std::sqrt(4.25)) / 9.0;
  const double yy_sample = 2.0 * (std::sqrt(2.0) + std::sqrt(1.25) + std::sqrt(4.25)) / 6.0;
  CHECK(t.distance() == Approx(energy_distance(t.generated(), t.targets(), 2) + yy_sample - yy).epsilon(1e-5));
  float d0 = t.distance();
  t.step(200);
  CHECK(t.distance() < 0.2f * d0);
  t.reset("collapsed");
  CHECK(t.step_count() == 0);
  CHECK_THROWS_WITH(t.set_target("spiral"), Catch::Contains("unknown set 'spiral'"));
  CHECK_THROWS_WITH(t.reset("nowhere"), Catch::Contains("unknown init"));
  CHECK_THROWS_AS(t.set_target_points({1.0f, NAN}), std::runtime_error);
  CHECK_THROWS_AS(t.set_temperatures({0.0f}), std::runtime_error);
}

TEST_CASE("ToyTrainer: bimodal from a collapsed start stays on one mode at tau 0.05, finds both at 0.5") {
  // A local kernel (small τ) cannot see the other mode: collapse onto one mode is a fixed
  // point. A wider kernel sees both and splits the samples 70/30 like the data.
  auto left_fraction = [](ToyTrainer& t) {
    const auto& g = t.generated();
    int n = int(g.size() / 2), left = 0;
    for (int i = 0; i < n; ++i) left += g[2 * i] < 0.0f;
    return double(left) / n;
  };
  ToyTrainerConfig c;
  c.target = "bimodal";
  c.init = "collapsed";
  c.n = c.eval_n = 256;
  c.hidden = 64;
  c.taus = {0.05f};
  ToyTrainer narrow(c);
  narrow.step(450);
  double ln = left_fraction(narrow);
  INFO("tau 0.05: fraction on the left mode " << ln << ", distance " << narrow.distance());
  CHECK(std::min(ln, 1.0 - ln) < 0.02);
  CHECK(narrow.distance() > 0.3f);
  c.taus = {0.5f};
  ToyTrainer wide(c);
  wide.step(450);
  double lw = left_fraction(wide);
  INFO("tau 0.5: fraction on the left mode " << lw << ", distance " << wide.distance());
  CHECK(lw > 0.62);
  CHECK(lw < 0.78);
  CHECK(wide.distance() < 0.05f);
}
