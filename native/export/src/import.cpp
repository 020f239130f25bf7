#include "drift/export/import.h"

#include <stdexcept>

#include "drift/core/model.h"

namespace drift::exporter {
namespace {

// Floats a layer's weight and bias hold, from its manifest description.
std::pair<int64_t, int64_t> tensor_sizes(const core::LayerSpec& s) {
  if (s.type == core::LayerType::linear) return {int64_t(s.out) * s.in, s.out};
  if (s.type == core::LayerType::conv2d)
    return {int64_t(s.out_channels) * s.in_channels * s.kernel * s.kernel, s.out_channels};
  return {0, 0};
}

}  // namespace

void load_exported_weights(models::Generator& g, const std::string& manifest_path) {
  std::string err;
  auto model = core::load_model_file(manifest_path, &err);
  if (!model) throw std::runtime_error(err);
  auto fail = [&](const std::string& why) { throw std::runtime_error(manifest_path + ": " + why); };
  const float* w = model->weights(0);
  auto params = g->named_parameters();
  torch::NoGradGuard no_grad;
  int64_t copied = 0;
  for (const auto& layer : model->layers()) {
    const auto [weight_n, bias_n] = tensor_sizes(layer.spec);
    const std::pair<const std::string*, std::pair<int64_t, int64_t>> tensors[] = {
        {&layer.spec.weight, {layer.weight, weight_n}}, {&layer.spec.bias, {layer.bias, bias_n}}};
    for (const auto& [name, where] : tensors) {
      const auto [offset, n] = where;
      if (name->empty() || offset < 0) continue;
      if (layer.packed) fail("tensor '" + *name + "' is stored packed (a wasm build's layout)");
      auto* p = params.find(*name);
      if (!p) fail("tensor '" + *name + "' is not a parameter of the generator it is loaded into");
      if (p->numel() != n)
        fail("tensor '" + *name + "' has " + std::to_string(n) + " values, the generator's " +
             std::to_string(p->numel()));
      // The core keeps PyTorch's row-major layout: [out,in] and [out,in,k,k] read as flat.
      p->copy_(torch::from_blob(const_cast<float*>(w + offset), {n}, torch::kFloat).view_as(*p));
      copied += n;
    }
  }
  if (copied != g->num_parameters())
    fail("holds " + std::to_string(copied) + " parameters, the generator " +
         std::to_string(g->num_parameters()));
}

}  // namespace drift::exporter
