// Torch-free drift-model writer (docs/weights-format.md): float tensors in, model.json +
// model.bin out. The encoding is the core's (drift/core/model_writer.h, shared with the
// browser trainer); this adds writing the files, validation and conversion.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/core/manifest.h"
#include "drift/core/model_writer.h"

namespace drift::exporter {

// The core's encoder (drift/core/model_writer.h), under the names this library always had.
using core::ModelDescription;
using core::ModelFiles;
using core::SnapshotFile;
using core::TensorData;
using core::WeightSet;
using core::encode_model;
using core::layers_json;

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
