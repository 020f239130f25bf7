// drift/toy_data.h: determinism, shapes, and each set's defining geometry.
#include "drift_catch.h"

#include <cmath>
#include <stdexcept>

#include "drift/core/toy_data.h"

using namespace drift::core;

TEST_CASE("ToyRng: SplitMix64 reference values and uniform/normal moments") {
  // Reference outputs of SplitMix64 with seed 1234567 (from the published C reference).
  ToyRng r(1234567);
  CHECK(r.next_u64() == 6457827717110365317ull);
  CHECK(r.next_u64() == 3203168211198807973ull);
  ToyRng a(7);
  double s = 0, s2 = 0, su = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    float z = a.normal();
    s += z;
    s2 += z * z;
    float u = a.uniform();
    REQUIRE(u >= 0.0f);
    REQUIRE(u < 1.0f);
    su += u;
  }
  CHECK(std::abs(s / n) < 0.01);
  CHECK(std::abs(s2 / n - 1.0) < 0.02);
  CHECK(std::abs(su / n - 0.5) < 0.01);
}

TEST_CASE("sample_toy: same seed same points, other seed other points, all finite") {
  for (const auto& name : toy_names()) {
    auto a = sample_toy(name, 500, 42);
    auto b = sample_toy(name, 500, 42);
    auto c = sample_toy(name, 500, 43);
    REQUIRE(a.size() == 1000);
    CHECK(a == b);
    CHECK(a != c);
    for (float v : a) {
      REQUIRE(std::isfinite(v));
      CHECK(std::abs(v) < 4.0f);
    }
  }
}

TEST_CASE("sample_toy: geometry of each set") {
  const int n = 20000;
  SECTION("checkerboard: only even cells, all 8 used") {
    auto p = sample_toy("checkerboard", n, 1);
    int count[4][4] = {};
    for (int i = 0; i < n; ++i) {
      int cx = static_cast<int>(std::floor(p[2 * i] + 2.0f));
      int cy = static_cast<int>(std::floor(p[2 * i + 1] + 2.0f));
      REQUIRE(cx >= 0);
      REQUIRE(cx < 4);
      REQUIRE(cy >= 0);
      REQUIRE(cy < 4);
      CHECK((cx + cy) % 2 == 0);
      count[cy][cx]++;
    }
    for (int y = 0; y < 4; ++y)
      for (int x = 0; x < 4; ++x)
        if ((x + y) % 2 == 0) CHECK(std::abs(count[y][x] - n / 8) < n / 40);
  }
  SECTION("8gaussians: every point within 0.6 of one of 8 centres at radius 2") {
    auto p = sample_toy("8gaussians", n, 2);
    int hits[8] = {};
    for (int i = 0; i < n; ++i) {
      float r = std::hypot(p[2 * i], p[2 * i + 1]);
      CHECK(std::abs(r - 2.0f) < 0.6f);
      float a = std::atan2(p[2 * i + 1], p[2 * i]);
      int k = static_cast<int>(std::lround(a / (3.14159265f / 4))) & 7;
      hits[k]++;
    }
    for (int k = 0; k < 8; ++k) CHECK(std::abs(hits[k] - n / 8) < n / 40);
  }
  SECTION("bimodal: unequal modes, 70/30") {
    auto p = sample_toy("bimodal", n, 3);
    int left = 0;
    for (int i = 0; i < n; ++i) left += p[2 * i] < 0.0f;
    CHECK(std::abs(left / double(n) - 0.7) < 0.02);
  }
  SECTION("swissroll: radius grows with angle, within [0.6, 2.2]") {
    auto p = sample_toy("swissroll", n, 4);
    for (int i = 0; i < n; ++i) {
      float r = std::hypot(p[2 * i], p[2 * i + 1]);
      CHECK(r > 0.4f);
      CHECK(r < 2.3f);
    }
  }
  SECTION("moons: mean near origin, two halves balanced") {
    auto p = sample_toy("moons", n, 5);
    double mx = 0, my = 0;
    for (int i = 0; i < n; ++i) mx += p[2 * i], my += p[2 * i + 1];
    CHECK(std::abs(mx / n) < 0.05);
    CHECK(std::abs(my / n) < 0.05);
  }
}

TEST_CASE("sample_toy / toy_init: unknown names give one clear line") {
  try {
    sample_toy("spiral", 3, 0);
    FAIL("no throw");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("unknown set 'spiral'") != std::string::npos);
    CHECK(std::string(e.what()).find("checkerboard") != std::string::npos);
  }
  CHECK_THROWS_AS(toy_init("nowhere"), std::runtime_error);
  CHECK_THROWS_AS(sample_init("nowhere", 3, 0), std::runtime_error);
}

TEST_CASE("sample_init: centres and spreads") {
  for (const auto& name : toy_init_names()) {
    ToyInit s = toy_init(name);
    auto p = sample_init(name, 4000, 9);
    double mx = 0, my = 0, v = 0;
    for (int i = 0; i < 4000; ++i) mx += p[2 * i], my += p[2 * i + 1];
    mx /= 4000, my /= 4000;
    for (int i = 0; i < 4000; ++i)
      v += (p[2 * i] - mx) * (p[2 * i] - mx) + (p[2 * i + 1] - my) * (p[2 * i + 1] - my);
    double sd = std::sqrt(v / 8000);
    CHECK(std::abs(mx - s.cx) < 5 * s.spread / 60 + 1e-4);
    CHECK(std::abs(my - s.cy) < 5 * s.spread / 60 + 1e-4);
    CHECK(sd == Approx(s.spread).epsilon(0.05));
  }
  // far is outside every target set's box, middle is inside
  CHECK(toy_init("far").cx > 3.0f);
  CHECK(toy_init("collapsed").spread < 0.01f);
}

TEST_CASE("toy_init_affine: the last layer's scale and bias for a probed spread and mean") {
  // far: centre (4,4), spread 0.1. A probe with spread 0.5 and W h mean (0.25, -0.5) needs
  // W scaled by 0.1/0.5 = 0.2, after which W h averages (0.05, -0.1): bias (3.95, 4.1).
  const ToyInitAffine a = toy_init_affine("far", 0.5, 0.25f, -0.5f);
  CHECK(a.scale == Approx(0.2).epsilon(1e-7));
  CHECK(a.bias[0] == Approx(3.95f).epsilon(1e-6));
  CHECK(a.bias[1] == Approx(4.1f).epsilon(1e-6));
  // a constant probe (spread 0) is divided by 1e-8, not by 0
  CHECK(toy_init_affine("middle", 0.0, 0.0f, 0.0f).scale == Approx(0.05 / 1e-8));
  CHECK_THROWS_AS(toy_init_affine("nowhere", 1.0, 0.0f, 0.0f), std::runtime_error);
}
