// Guidance scale sampling for training: per class group, alpha = 1 with probability
// frac_one, otherwise alpha in [1, alpha_max] with density proportional to alpha^(-k).
#pragma once
#include <torch/torch.h>

namespace drift::train {

struct AlphaOptions {
  double alpha_max = 4.0;
  double k = 3.0;          // power-law exponent of the continuous part
  double frac_one = 0.5;   // fraction of groups with alpha exactly 1 (no guidance)
};

// -> [n] float32 on CPU, drawn from gen (deterministic for a given generator state).
torch::Tensor sample_alpha(int64_t n, const AlphaOptions& opt, at::Generator& gen);

// Weight of each unconditional negative: (alpha - 1)(G - 1)/U, where G - 1 is the number of
// generated negatives each sample sees (pass G + Q with Q extra ones). alpha [B] -> [B].
torch::Tensor uncond_weight(const torch::Tensor& alpha, int64_t G, int64_t U);

}  // namespace drift::train
