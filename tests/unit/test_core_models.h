// Shared by the core tests: a small model that uses every layer type, written with the
// torch-free writer, and a deliberately naive per-sample reference forward (plain loops,
// straight from the layer definitions in docs/weights-format.md).
#pragma once
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "drift/export/writer.h"

namespace test_core {
using drift::exporter::ModelDescription;
using drift::exporter::TensorData;
using drift::exporter::WeightSet;
using json = nlohmann::json;
using drift::core::LayerSpec;
using drift::core::LayerType;

inline void add_tensor(WeightSet& w, const std::string& name, std::vector<std::int64_t> shape,
                       std::mt19937& rng, float scale) {
  std::uniform_real_distribution<float> u(-scale, scale);
  TensorData t{name, shape, {}};
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  for (std::int64_t i = 0; i < n; ++i) t.values.push_back(u(rng));
  w.tensors.push_back(std::move(t));
}

inline LayerSpec layer(LayerType t, const std::string& weight = "", const std::string& bias = "") {
  LayerSpec s;
  s.type = t;
  s.weight = weight;
  s.bias = bias;
  return s;
}
inline LayerSpec linear(int in, int out, const std::string& name) {
  LayerSpec s = layer(LayerType::linear, name + ".weight", name + ".bias");
  s.in = in;
  s.out = out;
  return s;
}
inline LayerSpec conv(int in, int out, int k, int pad, const std::string& weight,
                      const std::string& bias) {
  LayerSpec s = layer(LayerType::conv2d, weight, bias);
  s.in_channels = in;
  s.out_channels = out;
  s.kernel = k;
  s.padding = pad;
  return s;
}

// L=5, K=3 -> input 9. Every layer type once or more; output [1,2,3].
inline ModelDescription all_layers_description() {
  ModelDescription d;
  d.latent_dim = 5;
  d.num_classes = 3;
  d.alpha_min = 1;
  d.alpha_max = 4;
  d.output_shape = {1, 2, 3};
  d.output_min = -1;
  d.output_max = 1;
  LayerSpec leaky = layer(LayerType::leaky_relu), leaky_default = leaky;
  leaky.slope = 0.2f;
  LayerSpec reshape = layer(LayerType::reshape), up = layer(LayerType::upsample_nearest);
  reshape.shape = {2, 4, 4};
  up.scale = 2;
  d.layers = {
      linear(9, 32, "l0"),
      leaky,
      reshape,
      conv(2, 3, 3, 1, "c1.weight", "c1.bias"),
      layer(LayerType::relu),
      layer(LayerType::silu),
      up,
      conv(3, 4, 3, 0, "c2.weight", ""),
      layer(LayerType::gelu_tanh),
      leaky_default,  // slope absent from the manifest: 0.01
      layer(LayerType::flatten),
      linear(144, 10, "l1"),
      layer(LayerType::tanh),
      linear(10, 6, "l2"),
      layer(LayerType::sigmoid),
      layer(LayerType::relu),
  };
  return d;
}

inline WeightSet all_layers_weights(unsigned seed, const std::string& name = "final") {
  std::mt19937 rng(seed);
  WeightSet w;
  w.name = name;
  add_tensor(w, "l0.weight", {32, 9}, rng, 0.5f);
  add_tensor(w, "l0.bias", {32}, rng, 0.5f);
  add_tensor(w, "c1.weight", {3, 2, 3, 3}, rng, 0.4f);
  add_tensor(w, "c1.bias", {3}, rng, 0.4f);
  add_tensor(w, "c2.weight", {4, 3, 3, 3}, rng, 0.4f);
  add_tensor(w, "l1.weight", {10, 144}, rng, 0.2f);
  add_tensor(w, "l1.bias", {10}, rng, 0.2f);
  add_tensor(w, "l2.weight", {6, 10}, rng, 0.8f);
  add_tensor(w, "l2.bias", {6}, rng, 0.8f);
  return w;
}

// Naive reference: one sample at a time, activations as (C, H, W) with flat = (C, 1, 1).
struct Act {
  int c, h, w;
  std::vector<double> v;
  double& at(int ci, int y, int x) { return v[std::size_t((ci * h + y) * w + x)]; }
};

inline std::vector<float> reference_forward(const ModelDescription& d, const WeightSet& ws,
                                            const std::vector<float>& input) {
  std::map<std::string, const TensorData*> t;
  for (const auto& x : ws.tensors) t[x.name] = &x;
  auto W = [&](const std::string& name, std::size_t i) -> double {
    return double(t.at(name)->values[i]);
  };
  Act a{int(input.size()), 1, 1, std::vector<double>(input.begin(), input.end())};
  for (const LayerSpec& l : d.layers) {
    switch (l.type) {
      case LayerType::linear: {
        Act b{l.out, 1, 1, std::vector<double>(std::size_t(l.out))};
        for (int o = 0; o < l.out; ++o) {
          double s = l.bias.empty() ? 0.0 : W(l.bias, std::size_t(o));
          for (int i = 0; i < l.in; ++i) s += W(l.weight, std::size_t(o * l.in + i)) * a.v[std::size_t(i)];
          b.v[std::size_t(o)] = s;
        }
        a = b;
        break;
      }
      case LayerType::reshape:
        a.c = l.shape[0]; a.h = l.shape[1]; a.w = l.shape[2];
        break;
      case LayerType::flatten:
        a.c = a.c * a.h * a.w; a.h = a.w = 1;
        break;
      case LayerType::conv2d: {
        const int C = l.in_channels, O = l.out_channels, k = l.kernel, p = l.padding;
        const int Ho = a.h + 2 * p - k + 1, Wo = a.w + 2 * p - k + 1;
        Act b{O, Ho, Wo, std::vector<double>(std::size_t(O * Ho * Wo))};
        for (int o = 0; o < O; ++o)
          for (int y = 0; y < Ho; ++y)
            for (int x = 0; x < Wo; ++x) {
              double s = l.bias.empty() ? 0.0 : W(l.bias, std::size_t(o));
              for (int c = 0; c < C; ++c)
                for (int ky = 0; ky < k; ++ky)
                  for (int kx = 0; kx < k; ++kx) {
                    int iy = y + ky - p, ix = x + kx - p;
                    if (iy < 0 || ix < 0 || iy >= a.h || ix >= a.w) continue;
                    s += W(l.weight, std::size_t(((o * C + c) * k + ky) * k + kx)) * a.at(c, iy, ix);
                  }
              b.at(o, y, x) = s;
            }
        a = b;
        break;
      }
      case LayerType::upsample_nearest: {
        const int s = l.scale;
        Act b{a.c, a.h * s, a.w * s, std::vector<double>(std::size_t(a.c * a.h * s * a.w * s))};
        for (int c = 0; c < a.c; ++c)
          for (int y = 0; y < b.h; ++y)
            for (int x = 0; x < b.w; ++x) b.at(c, y, x) = a.at(c, y / s, x / s);
        a = b;
        break;
      }
      default:
        for (double& x : a.v) {
          if (l.type == LayerType::relu) x = x > 0 ? x : 0;
          else if (l.type == LayerType::leaky_relu) x = x >= 0 ? x : x * double(l.slope);
          else if (l.type == LayerType::tanh) x = std::tanh(x);
          else if (l.type == LayerType::sigmoid) x = 1 / (1 + std::exp(-x));
          else if (l.type == LayerType::silu) x = x / (1 + std::exp(-x));
          else if (l.type == LayerType::gelu_tanh)
            x = 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
        }
    }
  }
  return std::vector<float>(a.v.begin(), a.v.end());
}

}  // namespace test_core
