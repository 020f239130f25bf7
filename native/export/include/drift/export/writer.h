// Torch-free drift-model writer (docs/weights-format.md): float tensors in, model.json +
// model.bin out. The torch exporter (export.h), the tests and the parity checks share it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/core/manifest.h"

namespace drift::exporter {

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
  std::vector<drift::core::LayerSpec> layers;  // architecture.layers
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
nlohmann::json layers_json(const std::vector<drift::core::LayerSpec>& layers);

// Lays the tensors out contiguously (final set, then snapshots), each at a multiple of 4
// bytes, and fills offsets, sizes and the SHA-256. With snapshot_files each snapshot goes to
// its own bin (BIN_STEM.snapshot-<i>.bin, i from 1), which a page fetches only for the replay;
// otherwise all share the main bin. dtype int8 quantises weights (rank >= 2) per output row
// and writes biases as f16. Throws std::runtime_error on bad input (non-finite values, value
// count not matching the shape).
ModelFiles encode_model(const ModelDescription& desc, const WeightSet& final_weights,
                        const std::vector<WeightSet>& snapshots, drift::core::DType dtype,
                        const std::string& bin_name = "model.bin", bool snapshot_files = false);

// Writes out_dir/model.bin, the snapshot bins, then out_dir/model.json (each atomically; the
// manifest last, so a reader never sees a manifest whose bins are missing). Creates out_dir
// if needed.
void write_model_files(const std::string& out_dir, const ModelFiles& files,
                       const std::string& bin_name = "model.bin",
                       const std::string& manifest_name = "model.json");

struct ExportResult {
  std::string manifest_path, bin_path;
  std::int64_t bin_bytes = 0, parameters = 0, snapshots = 0;
  std::int64_t snapshot_bytes = 0;  // all snapshot files together
};

// An exported model (MANIFEST = model.json, any format version the core reads, with its
// bins next to it) written again to OUT/ with `dtype` and this writer's layout (snapshots in
// their own files): for models whose checkpoint is gone, e.g. an f16 page model turned into
// int8. Every snapshot is kept, and training gains "converted_from". Throws
// std::runtime_error("PATH: problem"); validated and written as validate_and_write does.
ExportResult convert_model(const std::string& manifest, const std::string& out_dir,
                           drift::core::DType dtype);

// Validates files with the core's reader (main bin and every snapshot file), then writes them
// to out_dir (write_model_files); export_model and convert_model end with it.
ExportResult validate_and_write(const ModelFiles& files, const std::string& out_dir,
                                std::int64_t parameters);

}  // namespace drift::exporter
