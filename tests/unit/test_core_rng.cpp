// The spec's noise stream. Expected values come from an independent Python transcription of
// docs/weights-format.md ("Noise"); splitmix64(0) also matches the published reference values.
#include "drift_catch.h"
#include <algorithm>
#include <cmath>
#include <vector>

#include "drift/core/rng.h"

using namespace drift::core;

TEST_CASE("splitmix64 reference outputs for seed 0", "[core][rng]") {
  std::uint64_t s = 0;
  CHECK(splitmix64(&s) == 0xe220a8397b1dcdafull);
  CHECK(splitmix64(&s) == 0x6e789e6aa1b965f4ull);
  CHECK(splitmix64(&s) == 0x06c45d188009454full);
}

TEST_CASE("xoshiro128+ seeded through splitmix64", "[core][rng]") {
  Xoshiro128Plus r(42);
  const std::uint32_t want[] = {0x58db51c8u, 0x815c6c29u, 0xec0a8dcfu,
                                0xa5de31d4u, 0x93b45736u, 0x2f4f905fu};
  for (std::uint32_t w : want) CHECK(r.next() == w);
}

TEST_CASE("fill_normal follows the documented Box-Muller pairing", "[core][rng]") {
  float z[5];
  fill_normal(7, z, 5);
  const float want[] = {-0.951748848f, 0.0555945039f, 0.590112805f, 0.24236083f, -0.281346291f};
  for (int i = 0; i < 5; ++i) CHECK(z[i] == want[i]);
  // a prefix of a longer stream is the shorter stream
  float z3[3];
  fill_normal(7, z3, 3);
  for (int i = 0; i < 3; ++i) CHECK(z3[i] == z[i]);
}

TEST_CASE("fill_normal is standard normal", "[core][rng]") {
  std::vector<float> z(200000);
  fill_normal(123, z.data(), z.size());
  double m = 0, v = 0;
  for (float x : z) m += x;
  m /= double(z.size());
  for (float x : z) v += (x - m) * (x - m);
  v /= double(z.size());
  CHECK(std::fabs(m) < 0.01);
  CHECK(std::fabs(v - 1.0) < 0.02);
  for (float x : z) REQUIRE(std::isfinite(x));
}

TEST_CASE("rng_log and rng_sincos agree with libm on the Box-Muller arguments", "[core][rng]") {
  // Every 61st of the 2^24 possible uniforms (all of them were checked once: log differs from
  // glibc in the last ulp for 7% of them, sin/cos for 3%, and never after rounding to f32).
  const double two_pi = 6.283185307179586476925286766559;
  double worst = 0.0;
  for (std::uint32_t k = 0; k < (1u << 24); k += 61) {
    const double u = double(k) * (1.0 / 16777216.0);
    const double l = rng_log(1.0 - u), L = std::log(1.0 - u);
    double s, c;
    rng_sincos(two_pi * u, &s, &c);
    const double S = std::sin(two_pi * u), C = std::cos(two_pi * u);
    worst = std::max({worst, std::fabs(l - L) / std::max(std::fabs(L), 1e-300),
                      std::fabs(s - S) / std::max(std::fabs(S), 1e-300),
                      std::fabs(c - C) / std::max(std::fabs(C), 1e-300)});
    REQUIRE(float(std::sqrt(-2.0 * l)) == float(std::sqrt(-2.0 * L)));
    REQUIRE(float(s) == float(S));
    REQUIRE(float(c) == float(C));
  }
  CHECK(worst <= 2.3e-16);
}
