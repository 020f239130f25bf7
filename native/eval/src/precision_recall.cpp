#include "drift/eval/precision_recall.h"

#include "drift/eval/neighbors.h"

namespace drift::eval {

PrecisionRecall knn_precision_recall(const torch::Tensor& real, const torch::Tensor& fake,
                                     int64_t k) {
  // real [Nr,D], fake [Nf,D]
  return knn_precision_recall_with_radii(real, kth_neighbor_radii(real, k), fake, k);
}

PrecisionRecall knn_precision_recall_with_radii(const torch::Tensor& real,
                                                const torch::Tensor& real_radii,
                                                const torch::Tensor& fake, int64_t k) {
  // real [Nr,D], real_radii [Nr], fake [Nf,D]
  torch::NoGradGuard no_grad;
  PrecisionRecall pr;
  auto fake_radii = kth_neighbor_radii(fake, k);
  pr.precision = inside_any_ball(fake, real, real_radii).to(torch::kFloat64).mean().item<double>();
  pr.real_covered = inside_any_ball(real, fake, fake_radii);
  pr.recall = pr.real_covered.to(torch::kFloat64).mean().item<double>();
  return pr;
}

std::vector<double> recall_per_class(const torch::Tensor& covered, const torch::Tensor& labels,
                                     int64_t k) {
  auto hits = torch::zeros({k}, torch::kFloat64).index_add_(0, labels, covered.to(torch::kFloat64));
  auto counts = torch::zeros({k}, torch::kFloat64).index_add_(0, labels, torch::ones({labels.size(0)}, torch::kFloat64));
  auto per = (hits / counts).contiguous();  // 0/0 -> NaN for an absent class
  return std::vector<double>(per.data_ptr<double>(), per.data_ptr<double>() + k);
}

DensityCoverage density_coverage_with_radii(const torch::Tensor& real, const torch::Tensor& real_radii,
                                            const torch::Tensor& fake, int64_t k) {
  // real [Nr,D], real_radii [Nr], fake [Nf,D]
  torch::NoGradGuard no_grad;
  const auto counts = count_in_balls(fake, real, real_radii);
  DensityCoverage dc;
  dc.density = counts.per_query.to(torch::kFloat64).sum().item<double>() / (double(k) * double(fake.size(0)));
  dc.coverage = counts.reached.to(torch::kFloat64).mean().item<double>();
  return dc;
}

DensityCoverage density_coverage(const torch::Tensor& real, const torch::Tensor& fake, int64_t k) {
  return density_coverage_with_radii(real, kth_neighbor_radii(real, k), fake, k);
}

}  // namespace drift::eval
