// Generator forward on a loaded Model: batched, samples as columns (each layer is one GEMM
// over the whole chunk), allocation free after the first call at a given batch size: the
// activation, im2col and noise buffers are kept and reused, and batches over 4M activation
// floats run in chunks. (The wasm GEMM allocates nothing; natively, Eigen's GEMM may still
// malloc its own packing buffers for large products.)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "drift/core/model.h"

namespace drift::core {

struct GenerateRequest {
  int n = 1;                          // number of samples
  const float* noise = nullptr;       // [n, latent_dim] row-major; null: drawn from seed
  std::uint64_t seed = 0;             // used when noise is null (drift/rng.h, the spec's stream)
  const std::int32_t* labels = nullptr;  // [n] in [0, num_classes); ignored if num_classes == 0
  float alpha = 1.0f;                 // guidance; the network sees alpha - 1
  int weight_set = 0;                 // Model::find_weight_set
};

class Generator {
 public:
  explicit Generator(const Model& model);  // the model must outlive the generator

  // out: [n, output_size] row-major (each sample's output.shape in C order).
  // Returns false with *error set (one line) on bad arguments; never throws.
  bool generate(const GenerateRequest& req, float* out, std::string* error);

  const Model& model() const { return model_; }

 private:
  void forward(const float* weights, int n, float* x, float* y);  // x: [input_dim, n]
  const Model& model_;
  std::vector<float> a_, b_, col_, noise_;  // ping-pong activations, im2col, seeded noise
};

}  // namespace drift::core
