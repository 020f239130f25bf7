// Image-model evaluation against held-out real data, per guidance scale α:
// FD in classifier features (and the real-vs-real floor at the same N), conditional
// accuracy, k-NN precision/recall, within-class pixel diversity and memorisation.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <vector>

#include "drift/eval/classifier.h"
#include "drift/eval/image_data.h"

namespace drift::eval {

// labels [N] int64, alpha -> samples [N, C*H*W] or [N,C,H,W] in pixel units ([0,1] nominal).
using ImageSampler = std::function<torch::Tensor(const torch::Tensor& labels, double alpha)>;

struct ImageEvalOptions {
  int64_t n = 2000;                      // generated samples per α (balanced over classes)
  std::vector<double> alphas{1.0, 1.25, 1.5, 2.0};
};

// train: the full train split (memorisation reference and floor subset); test: held-out split.
// Returns {"kind":"images","n":..,"floor":{..},"alphas":[{..} per α],"seconds":..}.
nlohmann::json evaluate_images(const ImageSampler& sample, Classifier& classifier,
                               const ImageSet& train, const ImageSet& test,
                               const ImageEvalOptions& opt);

}  // namespace drift::eval
