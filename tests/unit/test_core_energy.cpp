// drift/core/energy.h: the unbiased energy distance against a hand computation, an
// independent brute-force transcription of the formula, its expectation 0 for one
// distribution (where the biased V-statistic is positive by a known amount), and the closed
// form for two shifted 1D Gaussians. Samples come from std::mt19937_64, not the project's RNGs.
#include "drift_catch.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "drift/core/energy.h"

using namespace drift::core;

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<float> gaussian(std::mt19937_64& g, size_t n, int dim, double shift = 0.0) {
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<float> v(n * size_t(dim));
  for (size_t i = 0; i < v.size(); ++i) v[i] = float(nd(g) + (i % size_t(dim) == 0 ? shift : 0.0));
  return v;
}

double dist(const std::vector<float>& a, size_t i, const std::vector<float>& b, size_t j, int dim) {
  double s = 0;
  for (int k = 0; k < dim; ++k) s += std::pow(double(a[i * dim + k]) - double(b[j * dim + k]), 2);
  return std::sqrt(s);
}

// The formula written out: diagonal_in = false gives the U-statistic, true the V-statistic.
double brute(const std::vector<float>& x, const std::vector<float>& y, int dim, bool diagonal_in) {
  const size_t n = x.size() / dim, m = y.size() / dim;
  double xy = 0, xx = 0, yy = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < m; ++j) xy += dist(x, i, y, j, dim);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) xx += dist(x, i, x, j, dim);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < m; ++j) yy += dist(y, i, y, j, dim);
  const double px = diagonal_in ? double(n) * n : double(n) * (n - 1);
  const double py = diagonal_in ? double(m) * m : double(m) * (m - 1);
  return 2 * xy / (double(n) * m) - xx / px - yy / py;
}

struct Moments {
  double mean = 0, se = 0;
};
Moments moments(const std::vector<double>& v) {
  Moments r;
  for (double x : v) r.mean += x;
  r.mean /= double(v.size());
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  r.se = std::sqrt(ss / double(v.size() - 1) / double(v.size()));
  return r;
}
}  // namespace

TEST_CASE("energy distance of two tiny 1D sets, by hand", "[core][energy]") {
  // X = {0, 1}, Y = {3, 5}: cross |x-y| = 3, 5, 2, 4 (mean 3.5); within X 1; within Y 2.
  // E = 2 * 3.5 - 1 - 2 = 4.
  CHECK(energy_distance({0.0f, 1.0f}, {3.0f, 5.0f}, 1) == Approx(4.0).epsilon(1e-15));
  CHECK(mean_cross_distance(std::vector<float>{0, 1}.data(), 2, std::vector<float>{3, 5}.data(), 2, 1) == 3.5);
  CHECK(mean_within_distance(std::vector<float>{3, 5}.data(), 2, 1) == 2.0);
  // 2D, one set twice: X = Y = {(0,0), (3,4)}: cross mean (0+5+5+0)/4 = 2.5, within 5 each:
  // E = 5 - 10 = -5 (identical two-point sets: the U-statistic is not 0 for one draw).
  CHECK(energy_distance({0, 0, 3, 4}, {0, 0, 3, 4}, 2) == Approx(-5.0).epsilon(1e-15));
}

TEST_CASE("energy distance equals a brute-force transcription in 1, 2 and 5 dimensions", "[core][energy]") {
  std::mt19937_64 g(11);
  for (int dim : {1, 2, 5}) {
    for (size_t n : {2, 7, 33}) {
      auto x = gaussian(g, n, dim), y = gaussian(g, n + 3, dim, 0.7);
      INFO("dim " << dim << " n " << n);
      CHECK(energy_distance(x, y, dim) == Approx(brute(x, y, dim, false)).epsilon(1e-12));
      CHECK(energy_distance(y, x, dim) == Approx(energy_distance(x, y, dim)).epsilon(1e-12));
    }
  }
}

TEST_CASE("energy distance is unbiased for one distribution; the V-statistic is not", "[core][energy]") {
  // 2D standard normals: E|X - X'| = sqrt(pi) (X - X' is N(0, 2I), whose norm is Rayleigh
  // with sigma sqrt 2, mean sigma sqrt(pi/2)). The V-statistic's expectation is then
  // sqrt(pi) (1/n + 1/m) > 0, the U-statistic's 0.
  std::mt19937_64 g(5);
  const size_t n = 20, m = 30;
  const int repeats = 3000;
  std::vector<double> u, v;
  for (int r = 0; r < repeats; ++r) {
    auto x = gaussian(g, n, 2), y = gaussian(g, m, 2);
    u.push_back(energy_distance(x, y, 2));
    v.push_back(brute(x, y, 2, true));
  }
  const Moments mu = moments(u), mv = moments(v);
  const double bias = std::sqrt(kPi) * (1.0 / n + 1.0 / m);  // 0.148
  INFO("U mean " << mu.mean << " +- " << mu.se << ", V mean " << mv.mean << " +- " << mv.se);
  CHECK(std::abs(mu.mean) < 4 * mu.se);
  CHECK(std::abs(mv.mean - bias) < 4 * mv.se);
  CHECK(mv.mean - mu.mean > 10 * mu.se);
}

TEST_CASE("energy distance of shifted 1D Gaussians matches the closed form", "[core][energy]") {
  // X ~ N(0,1), Y ~ N(mu,1): X - Y ~ N(-mu, 2), and E|N(mu, s^2)| = s sqrt(2/pi) exp(-mu^2/2s^2)
  // + mu erf(mu / (s sqrt 2)); E|X - X'| = 2/sqrt(pi). So
  // D(mu) = 2 [ (2/sqrt pi) exp(-mu^2/4) + mu erf(mu/2) ] - 4/sqrt(pi)   (D(1) = 0.5418).
  auto closed = [](double mu) {
    return 2.0 * (2.0 / std::sqrt(kPi) * std::exp(-mu * mu / 4.0) + mu * std::erf(mu / 2.0)) -
           4.0 / std::sqrt(kPi);
  };
  CHECK(closed(1.0) == Approx(0.541806).epsilon(1e-5));
  std::mt19937_64 g(8);
  for (double mu : {0.25, 1.0, 3.0}) {
    std::vector<double> e;
    for (int r = 0; r < 60; ++r) e.push_back(energy_distance(gaussian(g, 150, 1), gaussian(g, 120, 1, mu), 1));
    const Moments me = moments(e);
    INFO("mu " << mu << ": " << me.mean << " +- " << me.se << " vs " << closed(mu));
    CHECK(std::abs(me.mean - closed(mu)) < 4 * me.se);
  }
}

TEST_CASE("energy distance rejects sets it cannot average over", "[core][energy]") {
  CHECK_THROWS_AS(energy_distance({0.0f}, {1.0f, 2.0f}, 1), std::runtime_error);   // one point
  CHECK_THROWS_AS(energy_distance({0, 0, 1}, {1, 2, 3, 4}, 2), std::runtime_error);  // 1.5 points
  CHECK_THROWS_AS(energy_distance({0, 1}, {1, 2}, 0), std::runtime_error);
}
