#include "drift/eval/energy.h"

#include <stdexcept>

namespace drift::eval {

static double mean_cross_distance(const torch::Tensor& a, const torch::Tensor& b) {
  // a [Na,D], b [Nb,D] -> mean over all (i,j) of ||a_i - b_j||, diagonal included
  double total = 0;
  for (int64_t i = 0; i < a.size(0); i += 1024)
    total += torch::cdist(a.slice(0, i, std::min(i + 1024, a.size(0))), b).sum().item<double>();
  return total / static_cast<double>(a.size(0) * b.size(0));
}

double energy_distance(const torch::Tensor& x, const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  if (x.dim() != 2 || y.dim() != 2 || x.size(1) != y.size(1) || x.size(0) == 0 || y.size(0) == 0)
    throw std::runtime_error("energy: point sets must be non-empty [N,D] with the same D");
  auto a = x.to(torch::kCPU, torch::kFloat64), b = y.to(torch::kCPU, torch::kFloat64);
  double e = 2.0 * mean_cross_distance(a, b) - mean_cross_distance(a, a) - mean_cross_distance(b, b);
  return e < 0.0 ? 0.0 : e;
}

}  // namespace drift::eval
