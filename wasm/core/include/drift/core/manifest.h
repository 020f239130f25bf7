// model.json: the parsed, validated manifest of a drift-model (docs/weights-format.md).
// Parsing never throws: every problem becomes one line "SOURCE: problem".
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drift::core {

// Caps that keep a hostile or broken file from exhausting memory (documented in the spec).
struct Limits {
  static constexpr std::size_t kManifestBytes = 1u << 20;       // 1 MiB of JSON
  static constexpr std::uint64_t kBinBytes = 64ull << 20;       // 64 MiB model.bin
  static constexpr int kLayers = 64;
  static constexpr int kTensors = 256;                          // per weight set
  static constexpr int kSnapshots = 128;
  static constexpr std::int64_t kTensorElements = 16ll << 20;   // 16M per tensor
  static constexpr std::int64_t kActivation = 1ll << 20;        // per sample, any layer
  static constexpr int kDim = 1 << 16;                          // any single dimension
};

enum class DType { f32, f16 };

enum class LayerType {
  linear, conv2d, upsample_nearest, reshape, flatten, groupnorm,
  relu, silu, tanh, sigmoid, gelu_tanh, leaky_relu
};

// A tensor stored in model.bin: little-endian, C order (PyTorch layout).
struct TensorEntry {
  std::string name;
  std::vector<std::int64_t> shape;
  DType dtype = DType::f32;
  std::uint64_t offset = 0;  // bytes into model.bin
  std::uint64_t length = 0;  // bytes
  std::int64_t elements() const;
};

// One layer of the sequential stack. Only the fields of its type are meaningful.
struct LayerSpec {
  LayerType type = LayerType::relu;
  int in = 0, out = 0;                                     // linear
  int in_channels = 0, out_channels = 0, kernel = 0, padding = 0;  // conv2d (stride 1)
  int scale = 0;                                           // upsample_nearest
  std::array<int, 3> shape{0, 0, 0};                       // reshape: [C,H,W]
  int groups = 0, channels = 0;                            // groupnorm
  float eps = 1e-5f;                                       // groupnorm
  float slope = 0.01f;                                     // leaky_relu
  std::string weight, bias;                                // tensor names ("" if none)
};

struct Conditioning {
  int num_classes = 0;
  int latent_dim = 0;
  float alpha_min = 1.0f, alpha_max = 1.0f;  // the range seen in training
  std::string alpha_range_json;              // "alpha_range" as written in the manifest
};

struct SnapshotEntry {
  std::string name;
  std::int64_t step = 0;
  std::vector<TensorEntry> tensors;
};

struct Manifest {
  int version = 0;
  std::vector<LayerSpec> layers;
  Conditioning conditioning;
  std::vector<int> output_shape;            // e.g. [1,28,28] or [2]
  float output_min = -1.0f, output_max = 1.0f;
  std::string output_range_json;            // "range" as written in the manifest
  std::vector<TensorEntry> tensors;         // the final (EMA) weights
  std::string bin_file;                     // relative to model.json's folder
  std::uint64_t bin_bytes = 0;
  std::string bin_sha256;                   // 64 lowercase hex digits
  std::string training_json;                // the "training" object, re-serialised
  std::vector<SnapshotEntry> snapshots;
};

const char* layer_type_name(LayerType t);

// Parses and checks the manifest's own consistency (types, vocabulary, caps, tensor names
// used by layers exist with the shapes the layer params imply, offsets inside bin.bytes and
// not overlapping). Does not look at model.bin. Returns false and sets *error on failure.
bool parse_manifest(std::string_view text, Manifest* out, std::string* error,
                    std::string_view source = "model.json");

}  // namespace drift::core
