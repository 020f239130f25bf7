// Generators: a plain sequential stack of layers from the core's vocabulary
// (drift/core/layer_vocab.h), so that specs() describes exactly what forward() runs (the
// exporter writes them and the Eigen core replays them).
//
//   input  = [ eps (latent_dim) | one_hot(class) (num_classes) | alpha - 1 ]   [B, input_dim]
//   output = flat sample in data units                                         [B, output_dim]
//
// Data units: images are pixels in [0,1] (0 = background) flattened C-order from
// output_shape [C,H,W]. With output_activation "none" consumers clamp to [0,1] for display;
// "sigmoid" ends the stack with a sigmoid layer.
// 2D toy generators output raw coordinates (output_shape [2]).
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "drift/core/layer_vocab.h"

namespace drift::models {

// The generator architectures. One table (arch_names in generator.cpp) names them for the
// CLI, the JSON config and error messages.
enum class Arch { mlp, mlpconv, toy };
const std::vector<std::pair<std::string, Arch>>& arch_names();
std::string arch_name(Arch a);
Arch arch_from_name(const std::string& name);  // throws "unknown arch 'x' (known: ...)"

// Everything needed to rebuild a generator; stored as JSON in checkpoints and manifests.
struct GeneratorConfig {
  Arch arch = Arch::mlp;
  int64_t latent_dim = 32;               // size of eps
  int64_t num_classes = 10;              // 0 = unconditional (toy sets)
  std::vector<int64_t> output_shape{1, 28, 28};  // [C,H,W] for images, [2] for toy
  std::vector<int64_t> widths{512, 1024};  // hidden widths of the MLP (every arch has one)
  int64_t head_channels = 0;             // mlpconv: channels of the MLP's [c, H/2, W/2] read-out
  int64_t mid_channels = 0;              // mlpconv: channels between its two 3x3 convs
  std::string activation = "silu";       // any activation of the core's layer vocabulary
  std::string output_activation = "none";  // "none" | "sigmoid" (images: keeps pixels in (0,1))
  std::string dataset;                   // informational: what it was trained on

  int64_t input_dim() const { return latent_dim + num_classes + 1; }
  int64_t output_dim() const;
};

// JSON keys: arch, latent_dim, num_classes, output_shape, widths, head_channels, mid_channels,
// activation, output_activation, dataset. Configs written before the typed fields kept all
// widths in one "hidden" list; from_json still reads them. Throws std::runtime_error on bad fields.
void to_json(nlohmann::json& j, const GeneratorConfig& c);
void from_json(const nlohmann::json& j, GeneratorConfig& c);

// Defaults per arch (the values `drift-train train --arch ...` uses).
GeneratorConfig default_mlp_config(int64_t num_classes, std::vector<int64_t> output_shape);
GeneratorConfig default_mlpconv_config(int64_t num_classes, std::vector<int64_t> output_shape);
GeneratorConfig default_toy_config();  // 32 -> 256 -> 256 -> 256 -> 2, SiLU, num_classes 0
// The default config of an image arch (mlp or mlpconv) for a dataset's classes and shape.
GeneratorConfig default_image_config(Arch arch, int64_t num_classes, std::vector<int64_t> output_shape);

// The layer list an architecture expands to (pure function of the config). Layers with
// tensors name them by their named_parameters() key: "layer<i>.weight", "layer<i>.bias".
std::vector<drift::core::LayerSpec> build_layer_specs(const GeneratorConfig& cfg);

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(GeneratorConfig cfg);

  // [B, input_dim] -> [B, output_dim]
  torch::Tensor forward(const torch::Tensor& input);
  // eps [B, latent_dim], labels [B] int64 (ignored if num_classes==0), alpha [B] -> [B, output_dim]
  torch::Tensor generate(const torch::Tensor& eps, const torch::Tensor& labels,
                         const torch::Tensor& alpha);

  const GeneratorConfig& config() const { return cfg_; }
  // The manifest's architecture.layers, in forward order.
  const std::vector<drift::core::LayerSpec>& specs() const { return specs_; }
  int64_t num_parameters() const;

 private:
  GeneratorConfig cfg_;
  std::vector<drift::core::LayerSpec> specs_;
  std::vector<int> slot_;  // per layer: index into linears_/convs_, -1 if param-free
  std::vector<std::shared_ptr<torch::nn::LinearImpl>> linears_;
  std::vector<std::shared_ptr<torch::nn::Conv2dImpl>> convs_;
};
TORCH_MODULE(Generator);

// [B, latent], [B] int64, [B] float -> [B, input_dim] on eps's device/dtype.
torch::Tensor make_generator_input(const GeneratorConfig& cfg, const torch::Tensor& eps,
                                   const torch::Tensor& labels, const torch::Tensor& alpha);

// Copy all parameters and buffers of src into dst (same config).
void copy_weights(Generator& dst, const Generator& src);

// ---- checkpoints (written by native/train; read here so export/eval need only drift_models) ----
// A checkpoint is a torch archive with: "config" (JSON string), "step" (int64 tensor),
// "ema" (sub-archive: EMA generator weights), and in training checkpoints also "model",
// "optim", "rng". Snapshots (RUN_DIR/snapshots/*.pt) hold only config, step and ema.
struct LoadedModel {
  GeneratorConfig config;
  Generator ema{nullptr};  // eval mode, on CPU
  int64_t step = 0;
  double wall_s = -1.0;    // training wall time up to this step (-1: not recorded, e.g. snapshots)
};
// Throws std::runtime_error("PATH: problem") on a missing or malformed file.
// weights: "ema" (what sampling and export use) or "raw" (the optimised weights, which
// training checkpoints hold too; snapshots have only EMA weights).
LoadedModel load_checkpoint(const std::string& path, const std::string& weights = "ema");
// Atomic write of a snapshot file (config + step + EMA weights).
void save_snapshot(const std::string& path, const Generator& ema, int64_t step);

}  // namespace drift::models
