// Energy distance between two point sets (Székely & Rizzo), the one implementation used by
// drift-train's toy eval and by the toy trainer (and so by the page).
//
// Unbiased (U-statistic) form, X [nx,dim] and Y [ny,dim] row-major float points:
//   E = 2 mean_{i,j} |X_i - Y_j| - mean_{i!=j} |X_i - X_j| - mean_{i!=j} |Y_i - Y_j|
// Its expectation is the population energy distance 2E|X-Y| - E|X-X'| - E|Y-Y'|, which is 0
// exactly when the two distributions are equal. So two samples of one distribution score
// 0 on average, and a single estimate can be slightly negative. (The V-statistic, which
// averages the within-set terms over all n^2 pairs with the zero diagonal, is biased upward
// by E|X-X'|/nx + E|Y-Y'|/ny.) Distances and sums are computed in double.
#pragma once
#include <cstddef>
#include <vector>

namespace drift::core {

// mean over all nx*ny pairs of |x_i - y_j|. nx, ny >= 1.
double mean_cross_distance(const float* x, std::size_t nx, const float* y, std::size_t ny, int dim);
// mean over the n(n-1) ordered pairs i != j of |x_i - x_j|. n >= 2.
double mean_within_distance(const float* x, std::size_t n, int dim);
// The unbiased energy distance above; nx, ny >= 2, dim >= 1, else runtime_error.
double energy_distance(const float* x, std::size_t nx, const float* y, std::size_t ny, int dim);
// Same for flat vectors of size n*dim.
double energy_distance(const std::vector<float>& x, const std::vector<float>& y, int dim);

}  // namespace drift::core
