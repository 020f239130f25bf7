#include "drift/eval/diversity.h"

#include <stdexcept>

namespace drift::eval {

double mean_pairwise_distance(const torch::Tensor& x) {
  // x [N,...] -> scalar; the diagonal (zeros) is excluded from the mean
  torch::NoGradGuard no_grad;
  if (x.dim() < 1 || x.size(0) < 2)
    throw std::runtime_error("diversity: need at least 2 samples");
  auto r = x.reshape({x.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  const int64_t n = r.size(0);
  double total = 0;
  for (int64_t i = 0; i < n; i += 1024) {
    total += torch::cdist(r.slice(0, i, std::min(i + 1024, n)), r).sum().item<double>();
  }
  return total / static_cast<double>(n * (n - 1));
}

ClassDiversity within_class_diversity(const torch::Tensor& x, const torch::Tensor& labels,
                                      int64_t num_classes) {
  // x [N,...], labels [N] -> per_class [num_classes]
  if (labels.dim() != 1 || labels.size(0) != x.size(0))
    throw std::runtime_error("diversity: labels must be [N] matching the samples");
  auto lab = labels.to(torch::kCPU, torch::kInt64);
  ClassDiversity out;
  int counted = 0;
  for (int64_t c = 0; c < num_classes; ++c) {
    auto idx = torch::nonzero(lab == c).reshape({-1});
    if (idx.size(0) < 2) {
      out.per_class.push_back(-1.0);
      continue;
    }
    double d = mean_pairwise_distance(x.index_select(0, idx.to(x.device())));
    out.per_class.push_back(d);
    out.mean += d;
    ++counted;
  }
  if (counted > 0) out.mean /= counted;
  return out;
}

}  // namespace drift::eval
