// The feature encoder of feature-space drift: a small convolutional masked autoencoder (MAE).
// Three conv stages at H, H/2 and H/4 (28², 14², 7² for MNIST) produce the feature maps the
// drift keys are taken from; a light decoder from the last stage reconstructs the image and
// exists only for the self-supervised training (no labels): about half of the 2×2 patches are
// zeroed in the input and the L2 loss is taken on those masked patches only.
//
// File: ENC_DIR/encoder.pt, a torch archive {kind "drift-encoder", config JSON, weights}. The
// trainer records its SHA-256 (encoder_sha256) so a run can insist on the same encoder.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace drift::features {

struct EncoderConfig {
  std::vector<int64_t> channels{8, 16, 32};  // widths of the stages at H, H/2, H/4
  int64_t in_channels = 1, height = 28, width = 28;
  int64_t patch = 2;        // masking unit: patch x patch pixels
  double mask_ratio = 0.5;  // fraction of patches masked per image (exact count, rounded)
  std::string dataset;      // what it was trained on (information only)
};
void to_json(nlohmann::json& j, const EncoderConfig& c);
void from_json(const nlohmann::json& j, EncoderConfig& c);

class MaskedAutoencoderImpl : public torch::nn::Module {
 public:
  // Throws when H or W is not a multiple of 4 or patch does not divide them.
  explicit MaskedAutoencoderImpl(EncoderConfig cfg);
  // x [n,C,H,W] -> {[n,c0,H,W], [n,c1,H/2,W/2], [n,c2,H/4,W/4]}
  std::vector<torch::Tensor> encode(const torch::Tensor& x);
  // top [n,c2,H/4,W/4] -> [n,C,H,W] reconstruction
  torch::Tensor decode(const torch::Tensor& top);
  const EncoderConfig& config() const { return cfg_; }

 private:
  EncoderConfig cfg_;
  torch::nn::Sequential stage0_{nullptr}, stage1_{nullptr}, stage2_{nullptr}, decoder_{nullptr};
};
TORCH_MODULE(MaskedAutoencoder);

// [n,1,H,W] float mask, 1 = masked: per image exactly round(ratio * patches) of the patch x patch
// blocks, chosen uniformly from gen.
torch::Tensor make_patch_mask(int64_t n, int64_t H, int64_t W, int64_t patch, double ratio, at::Generator& gen);

// Mean squared error over the masked pixels only: pred, target, mask [n,C,H,W] -> scalar.
torch::Tensor masked_l2(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& mask);

// The MAE objective on a batch: x [n,C,H,W], mask [n,1,H,W] -> scalar. The encoder sees x with
// the masked patches zeroed; the loss is masked_l2 of the reconstruction.
torch::Tensor mae_loss(MaskedAutoencoder& m, const torch::Tensor& x, const torch::Tensor& mask);

// encoder.pt: written atomically (serialised in memory, then core::write_file_atomic).
void save_encoder(const MaskedAutoencoder& m, const std::string& path, const nlohmann::json& meta = {});
// Throws "PATH: problem" for a missing, damaged or non-encoder file.
MaskedAutoencoder load_encoder(const std::string& path);
// SHA-256 (64 hex digits) of the file's bytes; throws "PATH: cannot read file".
std::string file_sha256(const std::string& path);

}  // namespace drift::features
