// Labelled image splits as tensors for evaluation (IDX files via drift_io).
#pragma once
#include <torch/torch.h>

#include <string>

namespace drift::eval {

struct ImageSet {
  torch::Tensor images;  // [N,C,H,W] float32 in [0,1]
  torch::Tensor labels;  // [N] int64
  int64_t num_classes = 0;
};

// "mnist" -> DATA_DIR/mnist, "fashion-mnist" -> DATA_DIR/fashion-mnist, "idx:DIR" -> DIR.
std::string image_dataset_dir(const std::string& data_dir, const std::string& dataset);

// split "train" | "test"; errors are "PATH: problem" from the IDX reader.
ImageSet load_image_split(const std::string& dir, const std::string& split);

// The first n of each class in turn (round-robin over classes), so subsets stay balanced.
// n <= 0 or n >= N returns the whole set.
ImageSet balanced_subset(const ImageSet& set, int64_t n);

}  // namespace drift::eval
