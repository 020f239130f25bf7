// Generator: sequential stack built from LayerSpecs (see generator.h for the contract).
#include "drift/models/generator.h"

#include <cmath>
#include <stdexcept>

namespace drift::models {

using drift::core::LayerSpec;
using drift::core::LayerType;

namespace {
// The activation named `name` (a vocabulary type marked as activation), or throws.
LayerType activation_type(const std::string& name) {
  const drift::core::LayerInfo* info = drift::core::find_layer(name);
  if (info && info->activation) return info->type;
  std::string known;
  for (const auto& l : drift::core::kLayerVocab)
    if (l.activation) known += (known.empty() ? "" : ", ") + std::string(l.name);
  throw std::runtime_error("unknown activation '" + name + "' (known: " + known + ")");
}

LayerSpec layer(LayerType t) {
  LayerSpec s;
  s.type = t;
  return s;
}
LayerSpec act(const std::string& name) {
  LayerSpec s = layer(activation_type(name));
  if (s.type == LayerType::leaky_relu) s.slope = 0.2f;
  return s;
}
LayerSpec linear(int64_t in, int64_t out) {
  LayerSpec s = layer(LayerType::linear);
  s.in = int(in);
  s.out = int(out);
  return s;
}
LayerSpec conv(int64_t in, int64_t out, int64_t k) {
  LayerSpec s = layer(LayerType::conv2d);
  s.in_channels = int(in);
  s.out_channels = int(out);
  s.kernel = int(k);
  s.padding = int(k / 2);
  return s;
}
}  // namespace

int64_t GeneratorConfig::output_dim() const {
  int64_t n = 1;
  for (auto v : output_shape) n *= v;
  return n;
}

const std::vector<std::pair<std::string, Arch>>& arch_names() {
  static const std::vector<std::pair<std::string, Arch>> n{
      {"mlpconv", Arch::mlpconv}, {"mlp", Arch::mlp}, {"toy", Arch::toy}};
  return n;
}

std::string arch_name(Arch a) {
  for (const auto& [name, v] : arch_names())
    if (v == a) return name;
  return "?";
}

Arch arch_from_name(const std::string& name) {
  std::string known;
  for (const auto& [n, v] : arch_names()) {
    if (n == name) return v;
    known += (known.empty() ? "" : ", ") + n;
  }
  throw std::runtime_error("unknown arch '" + name + "' (known: " + known + ")");
}

void to_json(nlohmann::json& j, const GeneratorConfig& c) {
  j = nlohmann::json{{"arch", arch_name(c.arch)}, {"latent_dim", c.latent_dim},
                     {"num_classes", c.num_classes}, {"output_shape", c.output_shape},
                     {"widths", c.widths}, {"activation", c.activation},
                     {"dataset", c.dataset}, {"output_activation", c.output_activation}};
  if (c.arch == Arch::mlpconv) {
    j["head_channels"] = c.head_channels;
    j["mid_channels"] = c.mid_channels;
  }
}

void from_json(const nlohmann::json& j, GeneratorConfig& c) {
  try {
    c.arch = arch_from_name(j.at("arch").get<std::string>());
    c.latent_dim = j.at("latent_dim").get<int64_t>();
    c.num_classes = j.at("num_classes").get<int64_t>();
    c.output_shape = j.at("output_shape").get<std::vector<int64_t>>();
    if (j.contains("widths")) {
      c.widths = j.at("widths").get<std::vector<int64_t>>();
      c.head_channels = j.value("head_channels", int64_t(0));
      c.mid_channels = j.value("mid_channels", int64_t(0));
    } else {  // older configs: one "hidden" list, mlpconv's two channel counts at its end
      c.widths = j.at("hidden").get<std::vector<int64_t>>();
      if (c.arch == Arch::mlpconv && c.widths.size() >= 3) {
        c.mid_channels = c.widths.back();
        c.widths.pop_back();
        c.head_channels = c.widths.back();
        c.widths.pop_back();
      }
    }
    c.activation = j.value("activation", std::string("silu"));
    c.dataset = j.value("dataset", std::string());
    c.output_activation = j.value("output_activation", std::string("none"));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("generator config: ") + e.what());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("generator config: ") + e.what());
  }
  if (c.latent_dim <= 0 || c.num_classes < 0 || c.output_shape.empty() || c.widths.empty())
    throw std::runtime_error("generator config: latent_dim, output_shape and widths must be non-empty/positive");
  if (c.arch == Arch::mlpconv && (c.head_channels <= 0 || c.mid_channels <= 0))
    throw std::runtime_error("generator config: mlpconv needs head_channels and mid_channels > 0");
  if (c.output_activation != "none" && c.output_activation != "sigmoid")
    throw std::runtime_error("generator config: output_activation must be none or sigmoid");
  try {
    activation_type(c.activation);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("generator config: ") + e.what());
  }
}

GeneratorConfig default_mlp_config(int64_t num_classes, std::vector<int64_t> output_shape) {
  GeneratorConfig c;
  c.arch = Arch::mlp;
  c.latent_dim = 32;
  c.num_classes = num_classes;
  c.output_shape = std::move(output_shape);
  c.widths = {512, 1024};
  c.activation = "silu";
  return c;
}

GeneratorConfig default_mlpconv_config(int64_t num_classes, std::vector<int64_t> output_shape) {
  GeneratorConfig c = default_mlp_config(num_classes, std::move(output_shape));
  c.arch = Arch::mlpconv;
  c.head_channels = 4;  // the MLP's read-out at H/2
  c.mid_channels = 8;   // between the two 3x3 convs at H
  return c;
}

GeneratorConfig default_image_config(Arch arch, int64_t num_classes, std::vector<int64_t> output_shape) {
  if (arch == Arch::mlpconv) return default_mlpconv_config(num_classes, std::move(output_shape));
  if (arch == Arch::mlp) return default_mlp_config(num_classes, std::move(output_shape));
  throw std::runtime_error("--arch " + arch_name(arch) + ": not an image generator (use mlp or mlpconv)");
}

GeneratorConfig default_toy_config() {
  GeneratorConfig c;
  c.arch = Arch::toy;
  c.latent_dim = 31;  // + (alpha - 1) = 32 inputs, as in the official 2D notebook
  c.num_classes = 0;
  c.output_shape = {2};
  c.widths = {256, 256, 256};
  c.activation = "silu";
  return c;
}

namespace {
// Layers with tensors are registered as "layer<i>", so their names are named_parameters() keys.
std::vector<LayerSpec> with_tensor_names(std::vector<LayerSpec> specs) {
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto& info = drift::core::layer_info(specs[i].type);
    if (info.weight) specs[i].weight = "layer" + std::to_string(i) + ".weight";
    if (info.bias) specs[i].bias = "layer" + std::to_string(i) + ".bias";
  }
  return specs;
}
}  // namespace

std::vector<LayerSpec> build_layer_specs(const GeneratorConfig& cfg) {
  std::vector<LayerSpec> s;
  const int64_t in = cfg.input_dim(), out = cfg.output_dim();
  int64_t prev = in;
  for (auto h : cfg.widths) {
    s.push_back(linear(prev, h));
    s.push_back(act(cfg.activation));
    prev = h;
  }
  if (cfg.arch != Arch::mlpconv) {
    s.push_back(linear(prev, out));
    if (cfg.output_activation == "sigmoid") s.push_back(act("sigmoid"));
    return with_tensor_names(std::move(s));
  }
  // mlpconv: the MLP's last layer is read as a [head, H/2, W/2] image, upsampled, and refined
  // by two 3x3 convolutions: neighbouring pixels share weights, which removes the isolated
  // speckle that independent per-pixel read-outs leave on strokes.
  if (cfg.output_shape.size() != 3 || cfg.output_shape[1] % 2 || cfg.output_shape[2] % 2)
    throw std::runtime_error("generator config: mlpconv needs output_shape [C,H,W] with H,W even");
  const int64_t C = cfg.output_shape[0], H = cfg.output_shape[1], W = cfg.output_shape[2];
  const int64_t ch = cfg.head_channels, cm = cfg.mid_channels;
  s.push_back(linear(prev, ch * (H / 2) * (W / 2)));
  s.push_back(layer(LayerType::reshape));
  s.back().shape = {int(ch), int(H / 2), int(W / 2)};
  s.push_back(layer(LayerType::upsample_nearest));
  s.back().scale = 2;
  s.push_back(conv(ch, cm, 3));
  s.push_back(act(cfg.activation));
  s.push_back(conv(cm, C, 3));
  if (cfg.output_activation == "sigmoid") s.push_back(act("sigmoid"));
  s.push_back(layer(LayerType::flatten));
  return with_tensor_names(std::move(s));
}

GeneratorImpl::GeneratorImpl(GeneratorConfig cfg) : cfg_(std::move(cfg)) {
  specs_ = build_layer_specs(cfg_);
  for (size_t i = 0; i < specs_.size(); ++i) {
    const LayerSpec& sp = specs_[i];
    const std::string name = "layer" + std::to_string(i);
    int slot = -1;
    if (sp.type == LayerType::linear) {
      slot = int(linears_.size());
      linears_.push_back(register_module(name, torch::nn::Linear(sp.in, sp.out)));
    } else if (sp.type == LayerType::conv2d) {
      auto c = torch::nn::Conv2d(
          torch::nn::Conv2dOptions(sp.in_channels, sp.out_channels, sp.kernel).padding(sp.padding));
      slot = int(convs_.size());
      convs_.push_back(register_module(name, c));
    }
    slot_.push_back(slot);
  }
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& input) {
  // [B, input_dim] -> [B, output_dim]
  torch::Tensor h = input;
  for (size_t i = 0; i < specs_.size(); ++i) {
    const LayerSpec& sp = specs_[i];
    switch (sp.type) {
      case LayerType::linear: h = linears_[slot_[i]]->forward(h); break;
      case LayerType::conv2d:
        // Channels-last (NHWC) activations: oneDNN's kernels for these few-channel convs are
        // much faster that way, above all in backward; same values up to summation order.
        if (h.device().is_cpu() && h.dim() == 4 && h.suggest_memory_format() != at::MemoryFormat::ChannelsLast)
          h = h.contiguous(at::MemoryFormat::ChannelsLast);
        h = convs_[slot_[i]]->forward(h);
        break;
      case LayerType::upsample_nearest:
        // nearest upsampling by an integer factor: each pixel repeated sc x sc (one kernel and
        // a summing backward, where two repeat_interleaves cost index copies both ways)
        h = torch::upsample_nearest2d(h, {h.size(2) * sp.scale, h.size(3) * sp.scale});
        break;
      case LayerType::reshape: h = h.reshape({h.size(0), sp.shape[0], sp.shape[1], sp.shape[2]}); break;
      case LayerType::flatten: h = h.flatten(1); break;
      case LayerType::relu: h = torch::relu(h); break;
      case LayerType::silu: h = torch::silu(h); break;
      case LayerType::tanh: h = torch::tanh(h); break;
      case LayerType::sigmoid: h = torch::sigmoid(h); break;
      case LayerType::gelu_tanh: h = torch::gelu(h, "tanh"); break;
      case LayerType::leaky_relu: h = torch::leaky_relu(h, double(sp.slope)); break;
    }
  }
  return h;
}

torch::Tensor make_generator_input(const GeneratorConfig& cfg, const torch::Tensor& eps,
                                   const torch::Tensor& labels, const torch::Tensor& alpha) {
  // eps [B,L], labels [B], alpha [B] -> [B, L + K + 1]
  const int64_t B = eps.size(0);
  if (eps.dim() != 2 || eps.size(1) != cfg.latent_dim)
    throw std::runtime_error("generator input: eps must be [B, " + std::to_string(cfg.latent_dim) + "]");
  std::vector<torch::Tensor> parts{eps};
  if (cfg.num_classes > 0) {
    auto oh = torch::zeros({B, cfg.num_classes}, eps.options());
    oh.scatter_(1, labels.to(eps.device(), torch::kLong).view({B, 1}), 1.0);
    parts.push_back(oh);
  }
  parts.push_back((alpha.to(eps.options()) - 1.0).view({B, 1}));
  return torch::cat(parts, 1);
}

torch::Tensor GeneratorImpl::generate(const torch::Tensor& eps, const torch::Tensor& labels,
                                      const torch::Tensor& alpha) {
  return forward(make_generator_input(cfg_, eps, labels, alpha));
}

int64_t GeneratorImpl::num_parameters() const {
  int64_t n = 0;
  for (const auto& p : parameters()) n += p.numel();
  return n;
}

void copy_weights(Generator& dst, const Generator& src) {
  torch::NoGradGuard ng;
  auto d = dst->named_parameters(true);
  auto s = src->named_parameters(true);
  for (const auto& kv : s) d[kv.key()].copy_(kv.value());
  auto db = dst->named_buffers(true);
  for (const auto& kv : src->named_buffers(true)) db[kv.key()].copy_(kv.value());
}

}  // namespace drift::models
