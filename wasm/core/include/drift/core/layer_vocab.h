// The layer vocabulary of the weights format (docs/weights-format.md, "Layers"): one table that
// the LibTorch builder (native/models), the writer (native/export) and the reader
// (manifest.cpp) all use. A layer type is added, renamed or removed here and nowhere else.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace drift::core {

// In the order of kLayerVocab below.
enum class LayerType : std::uint8_t {
  linear, conv2d, upsample_nearest, reshape, flatten,
  relu, silu, tanh, sigmoid, gelu_tanh, leaky_relu
};

// One layer of the sequential stack. Only the fields of its type are meaningful.
struct LayerSpec {
  LayerType type = LayerType::relu;
  int in = 0, out = 0;                                             // linear
  int in_channels = 0, out_channels = 0, kernel = 0, padding = 0;  // conv2d (stride 1)
  int scale = 0;                                                   // upsample_nearest
  std::array<int, 3> shape{0, 0, 0};                               // reshape: [C,H,W]
  float slope = 0.01f;                                             // leaky_relu
  std::string weight, bias;                                        // tensor names ("" if none)
};

// One manifest parameter of a layer, stored in exactly one LayerSpec field:
//   int_field   a required integer in [lo, hi]
//   dims_field  a required array of three integers, each in [lo, hi]
//   float_field an optional finite number (absent: LayerSpec's default)
struct LayerParam {
  const char* name;
  int LayerSpec::*int_field;
  std::array<int, 3> LayerSpec::*dims_field;
  float LayerSpec::*float_field;
  int lo, hi;
};

struct LayerInfo {
  LayerType type;
  const char* name;          // the manifest's "type"
  LayerParam params[4];      // the first num_params are used
  int num_params;
  bool weight, bias;         // a weight tensor (required) and a bias tensor (optional)
  bool activation;           // element-wise, shape-preserving
};

namespace vocab_detail {
constexpr int kDim = 1 << 16;
constexpr LayerParam integer(const char* n, int LayerSpec::*f, int lo, int hi) {
  return {n, f, nullptr, nullptr, lo, hi};
}
}  // namespace vocab_detail

inline constexpr LayerInfo kLayerVocab[] = {
    {LayerType::linear, "linear",
     {vocab_detail::integer("in", &LayerSpec::in, 1, vocab_detail::kDim),
      vocab_detail::integer("out", &LayerSpec::out, 1, vocab_detail::kDim)},
     2, true, true, false},
    {LayerType::conv2d, "conv2d",
     {vocab_detail::integer("in_channels", &LayerSpec::in_channels, 1, vocab_detail::kDim),
      vocab_detail::integer("out_channels", &LayerSpec::out_channels, 1, vocab_detail::kDim),
      vocab_detail::integer("kernel", &LayerSpec::kernel, 1, 15),
      vocab_detail::integer("padding", &LayerSpec::padding, 0, 14)},
     4, true, true, false},
    {LayerType::upsample_nearest, "upsample_nearest",
     {vocab_detail::integer("scale", &LayerSpec::scale, 1, 8)}, 1, false, false, false},
    {LayerType::reshape, "reshape",
     {{"shape", nullptr, &LayerSpec::shape, nullptr, 1, vocab_detail::kDim}}, 1, false, false,
     false},
    {LayerType::flatten, "flatten", {}, 0, false, false, false},
    {LayerType::relu, "relu", {}, 0, false, false, true},
    {LayerType::silu, "silu", {}, 0, false, false, true},
    {LayerType::tanh, "tanh", {}, 0, false, false, true},
    {LayerType::sigmoid, "sigmoid", {}, 0, false, false, true},
    {LayerType::gelu_tanh, "gelu_tanh", {}, 0, false, false, true},
    {LayerType::leaky_relu, "leaky_relu", {{"slope", nullptr, nullptr, &LayerSpec::slope, 0, 0}},
     1, false, false, true},
};
inline constexpr std::size_t kLayerTypes = sizeof(kLayerVocab) / sizeof(kLayerVocab[0]);

constexpr bool vocab_in_enum_order() {
  for (std::size_t i = 0; i < kLayerTypes; ++i)
    if (std::size_t(kLayerVocab[i].type) != i) return false;
  return true;
}
static_assert(vocab_in_enum_order(), "kLayerVocab must list the types in LayerType order");

inline const LayerInfo& layer_info(LayerType t) { return kLayerVocab[std::size_t(t)]; }
inline const char* layer_type_name(LayerType t) { return layer_info(t).name; }
// The entry named `name`, or null if the vocabulary has no such type.
inline const LayerInfo* find_layer(std::string_view name) {
  for (const LayerInfo& l : kLayerVocab)
    if (name == l.name) return &l;
  return nullptr;
}

}  // namespace drift::core
