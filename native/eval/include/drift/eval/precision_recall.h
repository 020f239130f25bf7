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

}  // namespace drift::eval
