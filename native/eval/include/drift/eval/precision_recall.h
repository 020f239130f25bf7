// Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019): each set's manifold
// is the union of balls reaching each point's k-th nearest neighbour (k = 3).
#pragma once
#include <torch/torch.h>

#include <vector>

namespace drift::eval {

struct PrecisionRecall {
  double precision = 0;  // fraction of generated samples inside the real manifold (fidelity)
  double recall = 0;     // fraction of real samples inside the generated manifold (coverage)
  torch::Tensor real_covered;  // [Nr] bool: which real samples the generated manifold reaches
};

// Recall split by the real samples' labels: which classes the generator fails to cover.
// covered [Nr] bool, labels [Nr] int64 in 0..k-1 -> k values (NaN for a class with no samples).
std::vector<double> recall_per_class(const torch::Tensor& covered, const torch::Tensor& labels,
                                     int64_t k);

// real [Nr,D], fake [Nf,D] (both > k rows) -> precision, recall.
PrecisionRecall knn_precision_recall(const torch::Tensor& real, const torch::Tensor& fake,
                                     int64_t k = 3);

// The same with the real set's radii given: real_radii [Nr] = kth_neighbor_radii(real, k)
// (neighbors.h), so an eval over several α computes them once.
PrecisionRecall knn_precision_recall_with_radii(const torch::Tensor& real,
                                                const torch::Tensor& real_radii,
                                                const torch::Tensor& fake, int64_t k = 3);

// Density and coverage (Naeem et al., ICML 2020), k = 5: balls around the *real* samples only,
// reaching each one's k-th nearest other real sample (strictly inside). density = (number of
// (generated, real ball) pairs with the sample inside) / (k Nf): about 1 for a generator that
// matches the data, above 1 where generated samples crowd dense regions; coverage = share of
// real samples whose ball holds at least one generated sample, so generated outliers cannot
// raise it. real [Nr,D], real_radii [Nr] = kth_neighbor_radii(real, k), fake [Nf,D].
struct DensityCoverage {
  double density = 0;
  double coverage = 0;
};
DensityCoverage density_coverage_with_radii(const torch::Tensor& real, const torch::Tensor& real_radii,
                                            const torch::Tensor& fake, int64_t k = 5);
DensityCoverage density_coverage(const torch::Tensor& real, const torch::Tensor& fake, int64_t k = 5);

}  // namespace drift::eval
