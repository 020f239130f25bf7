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

inline void add_tensor(WeightSet& w, const std::string& name, std::vector<std::int64_t> shape,
                       std::mt19937& rng, float scale) {
  std::uniform_real_distribution<float> u(-scale, scale);
  TensorData t{name, shape, {}};
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  for (std::int64_t i = 0; i < n; ++i) t.values.push_back(u(rng));
  w.tensors.push_back(std::move(t));
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
  d.layers = json::array({
      {{"type", "linear"}, {"in", 9}, {"out", 32}, {"weight", "l0.weight"}, {"bias", "l0.bias"}},
      {{"type", "leaky_relu"}, {"slope", 0.2}},
      {{"type", "reshape"}, {"shape", {2, 4, 4}}},
      {{"type", "conv2d"}, {"in_channels", 2}, {"out_channels", 3}, {"kernel", 3}, {"padding", 1},
       {"weight", "c1.weight"}, {"bias", "c1.bias"}},
      {{"type", "groupnorm"}, {"groups", 3}, {"channels", 3}, {"eps", 1e-5},
       {"weight", "g1.weight"}, {"bias", "g1.bias"}},
      {{"type", "silu"}},
      {{"type", "upsample_nearest"}, {"scale", 2}},
      {{"type", "conv2d"}, {"in_channels", 3}, {"out_channels", 4}, {"kernel", 3}, {"padding", 0},
       {"weight", "c2.weight"}},
      {{"type", "gelu_tanh"}},
      {{"type", "groupnorm"}, {"groups", 2}, {"channels", 4}, {"eps", 1e-3}},
      {{"type", "flatten"}},
      {{"type", "linear"}, {"in", 144}, {"out", 10}, {"weight", "l1.weight"}, {"bias", "l1.bias"}},
      {{"type", "tanh"}},
      {{"type", "linear"}, {"in", 10}, {"out", 6}, {"weight", "l2.weight"}, {"bias", "l2.bias"}},
      {{"type", "sigmoid"}},
      {{"type", "relu"}},
  });
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
  add_tensor(w, "g1.weight", {3}, rng, 1.0f);
  add_tensor(w, "g1.bias", {3}, rng, 1.0f);
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
  auto W = [&](const json& l, const char* key, std::size_t i) -> double {
    return l.contains(key) ? double(t.at(l[key].get<std::string>())->values[i]) : NAN;
  };
  Act a{int(input.size()), 1, 1, std::vector<double>(input.begin(), input.end())};
  for (const json& l : d.layers) {
    const std::string type = l["type"];
    if (type == "linear") {
      int in = l["in"], out = l["out"];
      Act b{out, 1, 1, std::vector<double>(std::size_t(out))};
      for (int o = 0; o < out; ++o) {
        double s = l.contains("bias") ? W(l, "bias", std::size_t(o)) : 0.0;
        for (int i = 0; i < in; ++i) s += W(l, "weight", std::size_t(o * in + i)) * a.v[std::size_t(i)];
        b.v[std::size_t(o)] = s;
      }
      a = b;
    } else if (type == "reshape") {
      a.c = l["shape"][0]; a.h = l["shape"][1]; a.w = l["shape"][2];
    } else if (type == "flatten") {
      a.c = a.c * a.h * a.w; a.h = a.w = 1;
    } else if (type == "conv2d") {
      int C = l["in_channels"], O = l["out_channels"], k = l["kernel"], p = l["padding"];
      int Ho = a.h + 2 * p - k + 1, Wo = a.w + 2 * p - k + 1;
      Act b{O, Ho, Wo, std::vector<double>(std::size_t(O * Ho * Wo))};
      for (int o = 0; o < O; ++o)
        for (int y = 0; y < Ho; ++y)
          for (int x = 0; x < Wo; ++x) {
            double s = l.contains("bias") ? W(l, "bias", std::size_t(o)) : 0.0;
            for (int c = 0; c < C; ++c)
              for (int ky = 0; ky < k; ++ky)
                for (int kx = 0; kx < k; ++kx) {
                  int iy = y + ky - p, ix = x + kx - p;
                  if (iy < 0 || ix < 0 || iy >= a.h || ix >= a.w) continue;
                  s += W(l, "weight", std::size_t(((o * C + c) * k + ky) * k + kx)) * a.at(c, iy, ix);
                }
            b.at(o, y, x) = s;
          }
      a = b;
    } else if (type == "upsample_nearest") {
      int s = l["scale"];
      Act b{a.c, a.h * s, a.w * s, std::vector<double>(std::size_t(a.c * a.h * s * a.w * s))};
      for (int c = 0; c < a.c; ++c)
        for (int y = 0; y < b.h; ++y)
          for (int x = 0; x < b.w; ++x) b.at(c, y, x) = a.at(c, y / s, x / s);
      a = b;
    } else if (type == "groupnorm") {
      int G = l["groups"], C = l["channels"], cg = C / G, S = a.h * a.w;
      double eps = l["eps"];
      for (int g = 0; g < G; ++g) {
        double m = 0, v = 0;
        for (int i = 0; i < cg * S; ++i) m += a.v[std::size_t(g * cg * S + i)];
        m /= cg * S;
        for (int i = 0; i < cg * S; ++i) v += std::pow(a.v[std::size_t(g * cg * S + i)] - m, 2);
        v /= cg * S;
        for (int c = g * cg; c < (g + 1) * cg; ++c)
          for (int i = 0; i < S; ++i) {
            double& x = a.v[std::size_t(c * S + i)];
            x = (x - m) / std::sqrt(v + eps);
            if (l.contains("weight")) x = x * W(l, "weight", std::size_t(c)) + W(l, "bias", std::size_t(c));
          }
      }
    } else {
      for (double& x : a.v) {
        if (type == "relu") x = x > 0 ? x : 0;
        else if (type == "leaky_relu") x = x >= 0 ? x : x * double(l.value("slope", 0.01));
        else if (type == "tanh") x = std::tanh(x);
        else if (type == "sigmoid") x = 1 / (1 + std::exp(-x));
        else if (type == "silu") x = x / (1 + std::exp(-x));
        else if (type == "gelu_tanh")
          x = 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
      }
    }
  }
  return std::vector<float>(a.v.begin(), a.v.end());
}

}  // namespace test_core
