// The weights-format writer (docs/weights-format.md): float tensors in, model.json text +
// model.bin bytes out, in memory. drift-train's exporter (native/export), the browser digit
// trainer (its C API's export) and the tests share it; native/export adds the file writing.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/core/manifest.h"

namespace drift::core {

struct TensorData {
  std::string name;
  std::vector<std::int64_t> shape;
  std::vector<float> values;  // C order, product(shape) values
};

struct WeightSet {
  std::string name;  // snapshot name (ignored for the final set)
  std::int64_t step = 0;
  std::vector<TensorData> tensors;
};

struct ModelDescription {
  std::vector<LayerSpec> layers;  // architecture.layers
  std::int64_t num_classes = 0, latent_dim = 0;
  double alpha_min = 1.0, alpha_max = 1.0;
  std::vector<std::int64_t> output_shape;
  double output_min = 0.0, output_max = 1.0;
  nlohmann::json training = nlohmann::json::object();
};

struct SnapshotFile {
  std::string file;  // name next to the manifest, e.g. model.snapshot-1.bin
  std::string bin;   // its bytes
};

struct ModelFiles {
  std::string manifest;                    // model.json text
  std::string bin;                         // model.bin bytes
  std::vector<SnapshotFile> snapshot_bins; // with snapshot_files: one per snapshot
};

// architecture.layers: each layer's type, the params the vocabulary (drift/core/layer_vocab.h)
// lists for it, and its tensor names. Throws std::runtime_error("export: layer I (TYPE): ...")
// for a param out of the vocabulary's range, a missing weight name, or a tensor name on a
// layer type that has none.
nlohmann::json layers_json(const std::vector<LayerSpec>& layers);

// Lays the tensors out contiguously (final set, then snapshots), each at a multiple of 4
// bytes, and fills offsets, sizes and the SHA-256. With snapshot_files each snapshot goes to
// its own bin (BIN_STEM.snapshot-<i>.bin, i from 1), which a page fetches only for the replay;
// otherwise all share the main bin. dtype int8 quantises weights (rank >= 2) per output row
// and writes biases as f16. Throws std::runtime_error on bad input (non-finite values, value
// count not matching the shape).
ModelFiles encode_model(const ModelDescription& desc, const WeightSet& final_weights,
                        const std::vector<WeightSet>& snapshots, DType dtype,
                        const std::string& bin_name = "model.bin", bool snapshot_files = false);

}  // namespace drift::core
