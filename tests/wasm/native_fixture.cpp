// Native side of the wasm tests: writes a small drift-model that uses every layer type (with
// a snapshot, f32 and f16 copies), the native core's outputs for fixed requests, and broken
// variants with the native loader's error message, so that model.test.mjs can check the
// wasm module against the native core on identical inputs.
//   drift_wasm_fixture OUT_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/core/generator.h"
#include "drift/core/model.h"
#include "drift/core/rng.h"
#include "drift/core/toy_trainer.h"
#include "test_core_models.h"

using namespace drift::core;
using nlohmann::json;
namespace ex = drift::exporter;

namespace {
void write(const std::string& path, const void* data, size_t n) {
  std::ofstream f(path, std::ios::binary);
  f.write(static_cast<const char*>(data), std::streamsize(n));
  if (!f) throw std::runtime_error(path + ": cannot write");
}
void write(const std::string& path, const std::string& s) { write(path, s.data(), s.size()); }
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: drift_wasm_fixture OUT_DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  try {
    std::filesystem::create_directories(dir);
    auto desc = test_core::all_layers_description();
    ex::WeightSet snap = test_core::all_layers_weights(11, "step_00000010");
    snap.step = 10;
    json out = {{"models", json::array()}, {"corrupt", json::array()}};
    for (auto dtype : {drift::core::DType::f32, drift::core::DType::f16, drift::core::DType::int8}) {
      const std::string tag = drift::core::dtype_name(dtype);
      ex::ModelFiles files = ex::encode_model(desc, test_core::all_layers_weights(3), {snap}, dtype,
                                              "model_" + tag + ".bin");
      write(dir + "/model_" + tag + ".json", files.manifest);
      write(dir + "/model_" + tag + ".bin", files.bin);
      std::string err;
      auto model = load_model(files.manifest, files.bin.data(), files.bin.size(), &err);
      if (!model) throw std::runtime_error("fixture model does not load: " + err);
      Generator gen(*model);
      const int L = model->latent_dim(), S = int(model->output_size());
      json cases = json::array();
      // seeded, final weights, guidance
      // explicit noise, the snapshot, no guidance
      for (int c = 0; c < 2; ++c) {
        const int n = c == 0 ? 7 : 4;
        std::vector<int32_t> labels(n);
        for (int i = 0; i < n; ++i) labels[i] = (i * 2 + c) % 3;
        std::vector<float> noise;
        GenerateRequest req;
        req.n = n;
        req.labels = labels.data();
        req.alpha = c == 0 ? 1.7f : 1.0f;
        req.seed = c == 0 ? 123456789012345ull : 0;
        if (c == 1) {
          noise.resize(size_t(n) * L);
          fill_normal(99, noise.data(), noise.size());
          req.noise = noise.data();
          req.weight_set = model->find_weight_set("step_00000010");
        }
        std::vector<float> y(size_t(n) * S);
        if (!gen.generate(req, y.data(), &err)) throw std::runtime_error("native generate: " + err);
        const std::string name = tag + "_case" + std::to_string(c);
        write(dir + "/" + name + ".f32", y.data(), y.size() * sizeof(float));
        if (c == 1) write(dir + "/" + name + ".noise.f32", noise.data(), noise.size() * sizeof(float));
        cases.push_back({{"name", name}, {"n", n}, {"labels", labels}, {"alpha", req.alpha},
                         {"seed", std::to_string(req.seed)}, {"noise", c == 1},
                         {"snapshot", c == 1 ? "step_00000010" : ""}, {"output_size", S}});
      }
      out["models"].push_back({{"manifest", "model_" + tag + ".json"}, {"bin", "model_" + tag + ".bin"},
                               {"cases", cases}, {"parameters", model->parameter_count()}});
      if (dtype != drift::core::DType::f32) continue;
      // Broken variants: each with the message the native loader gives.
      struct Bad { std::string name, manifest, bin; };
      std::vector<Bad> bad;
      std::string flipped = files.bin;
      flipped[flipped.size() / 2] ^= 0x40;
      bad.push_back({"bin_flipped", files.manifest, flipped});
      bad.push_back({"bin_truncated", files.manifest, files.bin.substr(0, files.bin.size() - 4)});
      bad.push_back({"manifest_not_json", files.manifest.substr(0, files.manifest.size() / 2), files.bin});
      json m = json::parse(files.manifest);
      m["version"] = 99;
      bad.push_back({"manifest_version", m.dump(), files.bin});
      m = json::parse(files.manifest);
      m["architecture"]["layers"][0]["type"] = "attention";
      bad.push_back({"manifest_layer", m.dump(), files.bin});
      for (const Bad& b : bad) {
        auto r = load_model(b.manifest, b.bin.data(), b.bin.size(), &err);
        if (r) throw std::runtime_error("fixture: broken variant " + b.name + " loaded");
        write(dir + "/" + b.name + ".json", b.manifest);
        write(dir + "/" + b.name + ".bin", b.bin);
        out["corrupt"].push_back({{"name", b.name}, {"error", err}});
      }
    }
    // Toy trainer: the same configuration as drift.js's createToyTrainer({target: 'moons',
    // init: 'far', n: 64, seed: 5, tau: 0.05, lr: 1e-3, hidden: 32}), points after 0 and 5 steps.
    {
      ToyTrainerConfig c;
      c.target = "moons";
      c.init = "far";
      c.n = c.eval_n = 64;
      c.seed = 5;
      c.taus = {0.05f};
      c.lr = 1e-3f;
      c.hidden = 32;
      ToyTrainer t(c);
      write(dir + "/toy_step0.f32", t.generated().data(), t.generated().size() * sizeof(float));
      t.step(5);
      write(dir + "/toy_step5.f32", t.generated().data(), t.generated().size() * sizeof(float));
      out["toy"] = {{"target", "moons"}, {"init", "far"}, {"n", 64}, {"seed", 5}, {"tau", 0.05},
                    {"lr", 1e-3}, {"hidden", 32}, {"distance5", t.distance()}};
    }
    write(dir + "/expected.json", out.dump(2));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drift_wasm_fixture: %s\n", e.what());
    return 1;
  }
  return 0;
}
