// Torch-free drift-model writer (docs/weights-format.md): float tensors in, model.json +
// model.bin out. The torch exporter (export.h), the tests and the parity checks share it.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace drift::exporter {

enum class Dtype { f32, f16 };
Dtype parse_dtype(const std::string& s);  // "f32" | "f16", else std::runtime_error

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
  nlohmann::json layers = nlohmann::json::array();  // architecture.layers
  std::int64_t num_classes = 0, latent_dim = 0;
  double alpha_min = 1.0, alpha_max = 1.0;
  std::vector<std::int64_t> output_shape;
  double output_min = 0.0, output_max = 1.0;
  nlohmann::json training = nlohmann::json::object();
};

struct ModelFiles {
  std::string manifest;  // model.json text
  std::string bin;       // model.bin bytes
};

// Lays the tensors out contiguously (final set, then snapshots), each at a multiple of 4
// bytes, and fills offsets, sizes and the SHA-256. Throws std::runtime_error on bad input
// (non-finite values, value count not matching the shape).
ModelFiles encode_model(const ModelDescription& desc, const WeightSet& final_weights,
                        const std::vector<WeightSet>& snapshots, Dtype dtype,
                        const std::string& bin_name = "model.bin");

// Writes out_dir/model.bin then out_dir/model.json (each atomically; the manifest last, so
// a reader never sees a manifest whose bin is missing). Creates out_dir if needed.
void write_model_files(const std::string& out_dir, const ModelFiles& files,
                       const std::string& bin_name = "model.bin",
                       const std::string& manifest_name = "model.json");

}  // namespace drift::exporter
