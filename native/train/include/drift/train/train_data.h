// What the loop trains on: an image dataset with per-class sampling, or a 2D toy target.
// One interface so the loop has no dataset-specific branches in its hot path.
#pragma once
#include <torch/torch.h>
#include <memory>
#include <string>
#include <vector>

#include "drift/data/image_dataset.h"
#include "drift/data/toy_dataset.h"

namespace drift::train {

class TrainData {
 public:
  // Throws "dataset 'SPEC': ..." / the loader's "PATH: problem".
  TrainData(const std::string& spec, const std::string& data_dir, torch::Device device);

  bool is_toy() const { return toy_ != nullptr; }
  int64_t num_classes() const { return num_classes_; }          // 0 for toys
  int64_t num_groups() const { return std::max<int64_t>(num_classes_, 1); }
  std::vector<int64_t> sample_shape() const { return shape_; }  // [C,H,W] or [2]
  int64_t dim() const;
  int64_t size() const;  // training examples (toys: a nominal 1 000 000)

  // [B,P,D] positives of each group's class (class_ids [B]) on the device.
  torch::Tensor positives(const torch::Tensor& class_ids, int64_t P, at::Generator& gen) const;
  // [B,U,D] unconditional reals (any class) on the device.
  torch::Tensor uncond(int64_t B, int64_t U, at::Generator& gen) const;
  // [n,D] reference samples for diagnostics (toys: fresh target points).
  torch::Tensor reference(int64_t n, at::Generator& gen) const;

 private:
  std::unique_ptr<data::ImageDataset> images_;
  std::unique_ptr<data::ClassSampler> sampler_;
  std::unique_ptr<data::ToyDataset> toy_;
  int64_t num_classes_ = 0;
  std::vector<int64_t> shape_;
  torch::Device device_;
};

}  // namespace drift::train
