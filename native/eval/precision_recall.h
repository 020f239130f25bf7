// Improved precision and recall (Kynkäänniemi et al., NeurIPS 2019): each set's manifold
// is the union of balls reaching each point's k-th nearest neighbour (k = 3).
#pragma once
#include <torch/torch.h>

namespace drift::eval {

struct PrecisionRecall {
  double precision = 0;  // fraction of generated samples inside the real manifold (fidelity)
  double recall = 0;     // fraction of real samples inside the generated manifold (coverage)
};

// real [Nr,D], fake [Nf,D] (both > k rows) -> precision, recall.
PrecisionRecall knn_precision_recall(const torch::Tensor& real, const torch::Tensor& fake,
                                     int64_t k = 3);

}  // namespace drift::eval
