// Feature-space drift (docs/training.md, "Feature-space drift"): the drift loss taken on keys
// of a frozen encoder's feature maps, as the paper's code does, added to the pixel term.
//
// For every encoder stage (a map [n,C,h,w] per sample), the keys are
//   loc      per-location vectors: h*w keys of dimension C,
//   mean,std global mean and std over locations: one key of dimension C each,
//   p2mean, p2std, p4mean, p4std   means and stds over 2×2 and 4×4 patches: one key per patch;
//   loc and patch keys only with at most FeatureOptions::max_locations locations or patches.
// Every location or patch is its own kernel: the keys of a stage are laid out as [B*L, n, C],
// L groups per class group, so one compute_field call evaluates a key for every class group
// and location at once. Each key gets its own scale s (its mean distance becomes √C) and its
// own per-τ normalisation; the keys' losses are summed.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "drift/features/encoder.h"
#include "drift/field/field_torch.h"

namespace drift::features {

struct FeatureOptions {
  // Per-location and per-patch keys only where a stage has at most this many locations or
  // patches (each one is a kernel of G x N per class group). The default keeps everything but
  // the 28² stage's loc key, whose 784 kernels cost more than the rest of the step together;
  // 49 also drops the 196-kernel keys (s0/p2*, s1/loc), most of what remains (docs/training.md).
  int64_t max_locations = 196;
};

struct FeatureKey {
  std::string name;  // "s0/p2mean", ...
  torch::Tensor t;   // [B*L, n, C]
};

// The keys of a batch's stage maps, each laid out [B*L, n, C]: stages {[B*n,C,h,w]}.
std::vector<FeatureKey> feature_keys(const std::vector<torch::Tensor>& stages, int64_t B, const FeatureOptions& opt = {});

struct FeatureLoss {
  torch::Tensor loss;                // sum of the keys' drift losses (carries x's graph)
  std::vector<std::string> names;    // per key
  std::vector<double> scale;         // per key: the field's s
  std::vector<double> force_rms;     // per key: raw force RMS at the middle temperature
};

// One key's drift loss, as every key of FeatureDrift (and the online discriminative key,
// disc_key.h) takes it: gen, pos [B*L, n, C] (L rows per class group), uncond [B*L, U, C] or
// undefined, w_u [B] each group's weight of its uncond columns. Each row is centred on its
// positives' mean; the key gets its own scale s (min_scale 1e-12: keys have no natural scale)
// and its own per-τ normalisation from fopt's temperatures.
struct KeyLoss {
  torch::Tensor loss;   // carries gen's graph
  double scale = 1;     // the field's s
  double force_rms = 0; // raw force RMS at the middle temperature
};
KeyLoss key_drift_loss(const torch::Tensor& gen, const torch::Tensor& pos, const torch::Tensor& uncond,
                       const torch::Tensor& w_u, int64_t B, const field::FieldOptions& fopt);

// Holds the frozen encoder: no parameter requires grad, so backward stops at x.
class FeatureDrift {
 public:
  FeatureDrift(const std::string& encoder_path, torch::Device dev, FeatureOptions opt = {});
  const std::string& sha256() const { return sha256_; }
  MaskedAutoencoder& encoder() { return enc_; }
  const EncoderConfig& config() const { return enc_->config(); }

  // in.x [B,G,D] with the generator's graph. The keys take the first G_f generated samples,
  // P_f positives and U_f unconditional samples of each group (capped at what in holds; the
  // draw is random, so the first ones are a random subset) -> summed key loss.
  // fopt: temperatures, floor and the several-process hook, shared with the pixel field.
  FeatureLoss loss(const field::FieldInput& in, const field::FieldOptions& fopt, int64_t G_f, int64_t P_f, int64_t U_f);

 private:
  MaskedAutoencoder enc_{nullptr};
  std::string sha256_;
  FeatureOptions opt_;
};

}  // namespace drift::features
