// Image datasets as torch tensors (MNIST, Fashion-MNIST, any IDX folder) and fast batched
// per-class sampling for the drift field's positives and unconditional negatives.
//
// Pixels are float32 in [lo, hi], [0, 1] by default (byte / 255 mapped linearly).
// Sampling draws random numbers from a CPU torch generator (seedable, same stream on every
// device) and gathers rows with one index_select on whatever device the data lives on.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace drift::data {

struct ImageDataset {
  torch::Tensor x;       // [N, D] float32, D = channels*height*width, row-major CHW
  torch::Tensor labels;  // [N] int64 in [0, num_classes)
  int64_t num_classes = 0;
  int64_t channels = 1, height = 0, width = 0;
  float lo = 0.f, hi = 1.f;  // pixel range of x
  std::string name;          // "mnist", "fashion-mnist" or "idx:DIR"
  std::string split;         // "train" or "test"

  int64_t size() const { return x.size(0); }
  int64_t dim() const { return x.size(1); }
};

struct ImageDatasetOptions {
  std::string data_dir = "data";  // mnist -> DATA_DIR/mnist, fashion-mnist -> DATA_DIR/fashion-mnist
  std::string split = "train";    // "train" | "test"
  float lo = 0.f, hi = 1.f;       // pixel range (e.g. -1, 1)
  int64_t limit = 0;              // keep only the first `limit` images (0 = all)
};

// True for "mnist", "fashion-mnist" and "idx:DIR".
bool is_image_dataset(const std::string& spec);
// The IDX folder a spec reads. Throws "dataset 'SPEC': ..." for anything else.
std::string image_dataset_dir(const std::string& spec, const std::string& data_dir);
// Loads a split through the IDX reader. Errors are the reader's "PATH: problem".
ImageDataset load_image_dataset(const std::string& spec, const ImageDatasetOptions& opt = {});

// A CPU generator with a fixed seed (the sampler's randomness).
at::Generator make_generator(uint64_t seed);

// Uniform sampling with replacement, overall or within classes. Keeps references to the
// dataset's tensors (cheap; no copy of x). Build once, call every step.
class ClassSampler {
 public:
  explicit ClassSampler(const ImageDataset& ds);

  // class_ids [B] int64 (any device) -> [B, P, D] on x's device: row (b, p) is a uniformly
  // random image of class class_ids[b]. Throws if a class id is out of range or empty.
  torch::Tensor sample_positives(const torch::Tensor& class_ids, int64_t P, at::Generator& gen) const;
  // [n, D]: uniformly random images of any class.
  torch::Tensor sample_any(int64_t n, at::Generator& gen) const;
  // Same as sample_any, also returning their labels [n] (int64, x's device).
  std::pair<torch::Tensor, torch::Tensor> sample_any_labelled(int64_t n, at::Generator& gen) const;

  const torch::Tensor& class_counts() const { return counts_; }  // [K] int64, CPU

 private:
  torch::Tensor x_, labels_;
  torch::Tensor order_;    // [N] int64 CPU: dataset indices sorted by class (stable)
  torch::Tensor offsets_;  // [K] int64 CPU: where each class starts in order_
  torch::Tensor counts_;   // [K] int64 CPU
  int64_t num_classes_;
};

}  // namespace drift::data
