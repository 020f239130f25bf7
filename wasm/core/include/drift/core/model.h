// A loaded drift-model: manifest + weights (f32, converted from f16 or int8 at load) for the
// final weights and every snapshot, with each layer's activation shapes resolved. Snapshots
// in their own files (version 2) are added later with load_snapshot, so a page can show
// digits before it has fetched them.
// Loading never throws and never crashes on any byte string; errors are one line.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drift/core/manifest.h"

namespace drift::core {

// Per-sample activation shape: flat vectors have c = size, h = w = 1, flat = true.
struct ActShape {
  int c = 0, h = 1, w = 1;
  bool flat = true;
  std::int64_t size() const { return std::int64_t(c) * h * w; }
};

// A layer with its resolved shapes. Weight/bias offsets index into a weight set's floats
// (-1 if the layer has none). Linear weights are stored as PyTorch's [out,in] row-major,
// conv weights as [out, in*k*k] row-major: both read as column-major W^T by the kernels.
struct LayerPlan {
  LayerSpec spec;
  ActShape in, out;
  std::int64_t weight = -1, bias = -1;
  bool packed = false;  // linear weight stored as gemm.h panels (kPackLinearWeights builds)
};

class Model {
 public:
  const Manifest& manifest() const { return manifest_; }
  const std::vector<LayerPlan>& layers() const { return layers_; }
  int input_dim() const;                  // latent_dim + num_classes + 1
  int latent_dim() const { return manifest_.conditioning.latent_dim; }
  int num_classes() const { return manifest_.conditioning.num_classes; }
  std::int64_t output_size() const;       // product of output.shape
  std::int64_t max_activation() const { return max_activation_; }  // per sample, floats
  std::int64_t parameter_count() const { return parameters_; }

  // Weight sets: 0 is the final weights, 1..k the manifest's snapshots in order.
  int weight_set_count() const { return 1 + int(manifest_.snapshots.size()); }
  // "" or "final" -> 0; a snapshot name -> its index; -1 if unknown.
  int find_weight_set(std::string_view name) const;
  std::string weight_set_name(int index) const;
  // Whether weight set `index` can be used: always for the final weights and snapshots in
  // the main bin; for a snapshot in its own file, once load_snapshot has taken that file.
  bool weight_set_ready(int index) const;
  // Takes the bytes of snapshot `index`'s own file (manifest snapshots[index-1].bin): checks
  // its size and SHA-256 and decodes it once (finite values). False with *error =
  // "SOURCE: FILE: problem" (the model is unchanged then). Loading it again is a no-op.
  bool load_snapshot(int index, const void* bin, std::size_t bin_size, std::string* error,
                     std::string_view source = "model.json");
  // The set's floats in the layers' layout. A snapshot is decoded from its kept bytes on first
  // use and cached (one at a time): the pointer stays valid until weights() is called with
  // another snapshot index. index must be in [0, weight_set_count()); nullptr when the set is
  // not ready (weight_set_ready).
  const float* weights(int index) const;

 private:
  friend std::unique_ptr<Model> load_model(std::string_view, const void*, std::size_t,
                                           std::string*, std::string_view);
  Manifest manifest_;
  std::vector<LayerPlan> layers_;
  bool decode_set(int set, const std::uint8_t* bytes, float* dst, std::string* why) const;
  std::vector<float> final_;            // weight set 0
  std::string bin_;                     // the bin, kept only when snapshots live in it
  std::vector<std::string> snap_bins_;  // per snapshot: its own file's bytes, once loaded
  std::vector<char> snap_ready_;        // per snapshot: usable (in bin_, or its file loaded)
  std::int64_t floats_ = 0;             // floats per weight set
  mutable int cached_set_ = -1;         // snapshot decoded in cached_
  mutable std::vector<float> cached_;
  std::int64_t max_activation_ = 0;
  std::int64_t parameters_ = 0;
};

// Validates everything (manifest, layer chaining, bin size and SHA-256, f32/f16/int8
// decoding, finite weights) and returns the model, or nullptr with *error = "SOURCE: problem".
// `bin` is the main bin; snapshots with their own file are not ready until load_snapshot.
std::unique_ptr<Model> load_model(std::string_view manifest_json, const void* bin,
                                  std::size_t bin_size, std::string* error,
                                  std::string_view source = "model.json");

// Decodes tensor t from the bytes of its bin (t.offset is into bin) to elements() floats in
// PyTorch layout; false with *why on a non-finite value or scale. The offsets must have been
// checked (parse_manifest does).
bool decode_tensor(const TensorEntry& t, const std::uint8_t* bin, float* dst, std::string* why);

// Native convenience: reads PATH and the bin named in it (relative to PATH's folder), then
// every snapshot file that exists next to it (a missing one leaves that snapshot not ready;
// a corrupt one fails the load).
std::unique_ptr<Model> load_model_file(const std::string& manifest_path, std::string* error);

}  // namespace drift::core
