// Within-class diversity: mean pairwise L2 distance between samples of the same class.
// A collapsed class (every sample the same image) scores 0; real digits set the target.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace drift::eval {

// x [N,...] (N >= 2) -> mean over pairs i != j of ||x_i - x_j||.
double mean_pairwise_distance(const torch::Tensor& x);

struct ClassDiversity {
  std::vector<double> per_class;  // NaN-free: classes with < 2 samples are skipped (-1)
  double mean = 0;                // mean over classes that have >= 2 samples
};

// x [N,...], labels [N] int in [0, num_classes) -> per-class mean pairwise distance.
ClassDiversity within_class_diversity(const torch::Tensor& x, const torch::Tensor& labels,
                                      int64_t num_classes);

}  // namespace drift::eval
