#include "eval/precision_recall.h"

#include "eval/neighbors.h"

namespace drift::eval {

PrecisionRecall knn_precision_recall(const torch::Tensor& real, const torch::Tensor& fake,
                                     int64_t k) {
  // real [Nr,D], fake [Nf,D]
  torch::NoGradGuard no_grad;
  PrecisionRecall pr;
  auto real_radii = kth_neighbor_radii(real, k);
  auto fake_radii = kth_neighbor_radii(fake, k);
  pr.precision = inside_any_ball(fake, real, real_radii).to(torch::kFloat64).mean().item<double>();
  pr.recall = inside_any_ball(real, fake, fake_radii).to(torch::kFloat64).mean().item<double>();
  return pr;
}

}  // namespace drift::eval
