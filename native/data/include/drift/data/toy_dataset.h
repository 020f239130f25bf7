// 2D toy targets as torch tensors: the five samplers of drift_core's toy_data.h (the same
// code the web page runs) or a fixed point set from a CSV file.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace drift::data {

// True for a name of drift::core::toy_names() or "csv:FILE".
bool is_toy_dataset(const std::string& spec);

// Reads "x,y" per line (blank lines and lines starting with '#' skipped; a first line that
// is not numeric is taken as a header) -> [M, 2] float32. Errors: "FILE:LINE: problem";
// a file with no points is "FILE: no points".
torch::Tensor read_points_csv(const std::string& path);

class ToyDataset {
 public:
  std::string name;     // the spec it was made from
  torch::Tensor points; // csv only: [M, 2] float32 CPU; undefined for samplers

  bool is_sampler() const { return !points.defined(); }
  // [n, 2] float32 CPU: fresh draws from the sampler (seeded from gen, so reproducible),
  // or rows of the CSV drawn uniformly with replacement.
  torch::Tensor sample(int64_t n, at::Generator& gen) const;
};

// spec: a toy name or "csv:FILE". Unknown names throw drift_core's
// "toy data: unknown set 'NAME' (known: ...)".
ToyDataset make_toy(const std::string& spec);

}  // namespace drift::data
