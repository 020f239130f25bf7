// Energy distance (drift/core/energy.h): plain double loops, with a 2D path that keeps the
// target coordinates in separate arrays and sums in four lanes (autovectorised natively and
// with -msimd128 in wasm; the page calls this a few times a second on ~1-2k points).
#include "drift/core/energy.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace drift::core {

namespace {

// Sum over i < n, j in [j0(i), m) of |a_i - b_j|, with j0(i) = i + 1 when upper (a == b,
// each unordered pair once) and 0 otherwise.
double sum_distances(const float* a, std::size_t n, const float* b, std::size_t m, int dim, bool upper) {
  double total = 0.0;
  if (dim == 2) {
    std::vector<double> bx(m), by(m);
    for (std::size_t j = 0; j < m; ++j) bx[j] = b[2 * j], by[j] = b[2 * j + 1];
    for (std::size_t i = 0; i < n; ++i) {
      const double ax = a[2 * i], ay = a[2 * i + 1];
      double lane[4] = {0.0, 0.0, 0.0, 0.0};
      std::size_t j = upper ? i + 1 : 0;
      for (; j + 4 <= m; j += 4)
        for (int l = 0; l < 4; ++l) {
          const double dx = ax - bx[j + l], dy = ay - by[j + l];
          lane[l] += std::sqrt(dx * dx + dy * dy);
        }
      for (; j < m; ++j) {
        const double dx = ax - bx[j], dy = ay - by[j];
        lane[0] += std::sqrt(dx * dx + dy * dy);
      }
      total += (lane[0] + lane[1]) + (lane[2] + lane[3]);
    }
    return total;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const float* ai = a + i * std::size_t(dim);
    double row = 0.0;
    for (std::size_t j = upper ? i + 1 : 0; j < m; ++j) {
      const float* bj = b + j * std::size_t(dim);
      double ss = 0.0;
      for (int k = 0; k < dim; ++k) {
        const double d = double(ai[k]) - double(bj[k]);
        ss += d * d;
      }
      row += std::sqrt(ss);
    }
    total += row;
  }
  return total;
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("energy distance: " + what);
}

}  // namespace

double mean_cross_distance(const float* x, std::size_t nx, const float* y, std::size_t ny, int dim) {
  check(dim >= 1 && nx >= 1 && ny >= 1, "need non-empty point sets and dim >= 1");
  return sum_distances(x, nx, y, ny, dim, false) / (double(nx) * double(ny));
}

double mean_within_distance(const float* x, std::size_t n, int dim) {
  check(dim >= 1 && n >= 2, "need at least 2 points per set and dim >= 1");
  return sum_distances(x, n, x, n, dim, true) / (0.5 * double(n) * double(n - 1));
}

double energy_distance(const float* x, std::size_t nx, const float* y, std::size_t ny, int dim) {
  check(dim >= 1 && nx >= 2 && ny >= 2, "need at least 2 points per set and dim >= 1");
  return 2.0 * mean_cross_distance(x, nx, y, ny, dim) - mean_within_distance(x, nx, dim) -
         mean_within_distance(y, ny, dim);
}

double energy_distance(const std::vector<float>& x, const std::vector<float>& y, int dim) {
  check(dim >= 1 && x.size() % std::size_t(dim) == 0 && y.size() % std::size_t(dim) == 0,
        "point arrays must hold whole points of dim coordinates");
  return energy_distance(x.data(), x.size() / std::size_t(dim), y.data(), y.size() / std::size_t(dim), dim);
}

}  // namespace drift::core
