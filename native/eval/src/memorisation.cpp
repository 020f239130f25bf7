#include "drift/eval/memorisation.h"

#include "drift/eval/neighbors.h"

namespace drift::eval {

Memorisation memorisation_check(const torch::Tensor& generated, const torch::Tensor& train,
                                const torch::Tensor& test) {
  // generated [Ng,...], train [Nt,...], test [Ns,...]
  const NeighborIndex index(train, kMemorisationProjection);
  return memorisation_from_distances(nearest_distances(generated, index),
                                     nearest_distances(test, index));
}

Memorisation memorisation_from_distances(const torch::Tensor& gen_nn_in, const torch::Tensor& test_nn_in) {
  // gen_nn [Ng], test_nn [Ns]
  torch::NoGradGuard no_grad;
  auto gen_nn = gen_nn_in.to(torch::kCPU, torch::kFloat64);
  auto test_nn = test_nn_in.to(torch::kCPU, torch::kFloat64);
  Memorisation m;
  m.gen_nn_median = gen_nn.median().item<double>();
  m.test_nn_median = test_nn.median().item<double>();
  m.ratio = m.test_nn_median > 0 ? m.gen_nn_median / m.test_nn_median : 0.0;
  auto sorted = std::get<0>(test_nn.sort());
  double p1 = sorted[static_cast<int64_t>(0.01 * static_cast<double>(sorted.size(0) - 1))].item<double>();
  m.frac_below_test_p1 = (gen_nn < p1).to(torch::kFloat64).mean().item<double>();
  return m;
}

}  // namespace drift::eval
