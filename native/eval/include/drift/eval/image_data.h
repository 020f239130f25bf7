// Labelled image splits in the [N,C,H,W] layout the classifier and the metrics use.
#pragma once
#include <torch/torch.h>

#include <string>

namespace drift::eval {

struct ImageSet {
  torch::Tensor images;  // [N,C,H,W] float32 in [0,1]
  torch::Tensor labels;  // [N] int64
  int64_t num_classes = 0;
};

// One split of an image dataset spec (mnist | fashion-mnist | idx:DIR, read by drift_data)
// as [N,1,H,W] images in [0,1]; errors are "PATH: problem" from the IDX reader.
ImageSet load_image_split(const std::string& dataset, const std::string& data_dir, const std::string& split);

// The first n of each class in turn (round-robin over classes), so subsets stay balanced.
// n <= 0 or n >= N returns the whole set.
ImageSet balanced_subset(const ImageSet& set, int64_t n);

}  // namespace drift::eval
