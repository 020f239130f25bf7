// model.json: the parsed, validated manifest of a drift-model (docs/weights-format.md).
// Parsing never throws: every problem becomes one line "SOURCE: problem".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "drift/core/layer_vocab.h"

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
static_assert(Limits::kDim == vocab_detail::kDim, "layer_vocab.h's parameter cap");

// Tensor dtypes of model.bin: the one list the writer and the reader share. int8 stores one
// f32 scale per output row (shape[0]) before the row-major int8 values (version 2 on).
enum class DType { f32, f16, int8 };
struct DTypeInfo {
  DType type;
  const char* name;  // the manifest's "dtype"
  int bytes;         // per element
  int min_version;   // the first format version that has it
};
inline constexpr DTypeInfo kDTypes[] = {
    {DType::f32, "f32", 4, 1}, {DType::f16, "f16", 2, 1}, {DType::int8, "int8", 1, 2}};
inline const char* dtype_name(DType t) { return kDTypes[int(t)].name; }
inline int dtype_bytes(DType t) { return kDTypes[int(t)].bytes; }
// Bytes a tensor of this dtype and shape takes in the bin: elements x dtype_bytes, plus
// 4 bytes of scale per row (shape[0]) for int8.
inline std::int64_t tensor_bytes(DType t, std::int64_t elements, std::int64_t rows) {
  return elements * dtype_bytes(t) + (t == DType::int8 ? 4 * rows : 0);
}
// false if `name` is not a dtype of the format
inline bool dtype_from_name(std::string_view name, DType* out) {
  for (const auto& d : kDTypes)
    if (name == d.name) {
      *out = d.type;
      return true;
    }
  return false;
}

// A tensor stored in model.bin: little-endian, C order (PyTorch layout).
struct TensorEntry {
  std::string name;
  std::vector<std::int64_t> shape;
  DType dtype = DType::f32;
  std::uint64_t offset = 0;  // bytes into model.bin
  std::uint64_t length = 0;  // bytes
  std::int64_t elements() const;
};

struct Conditioning {
  int num_classes = 0;
  int latent_dim = 0;
  float alpha_min = 1.0f, alpha_max = 1.0f;  // the range seen in training
  std::string alpha_range_json;              // "alpha_range" as written in the manifest
};

// A bin file named by the manifest: "bin" for the final weights, and (version 2) a
// snapshot's own "bin", which the page fetches only when the replay needs it.
struct BinRef {
  std::string file;       // relative to model.json's folder; empty: the snapshot is in "bin"
  std::uint64_t bytes = 0;
  std::string sha256;     // 64 lowercase hex digits
};

struct SnapshotEntry {
  std::string name;
  std::int64_t step = 0;
  std::vector<TensorEntry> tensors;
  BinRef bin;             // file empty: offsets are into the main bin (version 1 layout)
  bool own_file() const { return !bin.file.empty(); }
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

// Parses and checks the manifest's own consistency (types, vocabulary, caps, tensor names
// used by layers exist with the shapes the layer params imply, offsets inside bin.bytes and
// not overlapping). Does not look at model.bin. Returns false and sets *error on failure.
bool parse_manifest(std::string_view text, Manifest* out, std::string* error,
                    std::string_view source = "model.json");

}  // namespace drift::core
