// LibTorch generator (native/models) vs the Eigen core (wasm/core) on identical weights:
// every architecture and activation, random-init and briefly trained weights, f32 and f16,
// and the whole export_model path (checkpoint + snapshots -> files -> load_model_file).
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <cstdlib>
#include <filesystem>

#include "drift/core/generator.h"
#include "drift/core/model.h"
#include "drift/export/export.h"
#include "drift/models/generator.h"

using namespace drift;
namespace fs = std::filesystem;

namespace {
models::GeneratorConfig config_for(const std::string& arch, const std::string& act) {
  models::GeneratorConfig c = arch == "toy" ? models::default_toy_config()
                                             : models::default_image_config(models::arch_from_name(arch), 10, {1, 28, 28});
  c.activation = act;
  return c;
}

// Random-init weights plus noise on every parameter, so biases are exercised with
// non-trivial values.
void perturb(models::Generator& g, double scale) {
  torch::NoGradGuard ng;
  for (auto& p : g->parameters()) p.add_(torch::randn_like(p) * scale);
}

// A few Adam steps toward random targets: weights that have moved away from the init.
void train_briefly(models::Generator& g, int steps) {
  const auto& c = g->config();
  torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(1e-3));
  auto eps = torch::randn({16, c.latent_dim});
  auto labels = torch::randint(std::max<int64_t>(c.num_classes, 1), {16}, torch::kLong);
  auto alpha = torch::rand({16}) * 3 + 1;
  auto target = torch::rand({16, c.output_dim()});
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    auto loss = (g->generate(eps, labels, alpha) - target).pow(2).mean();
    loss.backward();
    opt.step();
  }
}

struct Result {
  double max_rel = 0;  // max |eigen - torch| / max |torch|
};

// Runs both on the same eps/labels/alpha and returns the relative error.
Result compare(models::Generator& g, const core::Model& m, int weight_set, int n, float alpha) {
  const auto& c = g->config();
  torch::NoGradGuard ng;
  g->eval();
  auto eps = torch::randn({n, c.latent_dim});
  auto labels = torch::randint(std::max<int64_t>(c.num_classes, 1), {n}, torch::kLong);
  auto ref = g->generate(eps, labels, torch::full({n}, double(alpha))).contiguous();
  std::vector<std::int32_t> lab(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) lab[std::size_t(i)] = std::int32_t(labels[i].item<int64_t>());
  std::vector<float> out(std::size_t(n * m.output_size()));
  core::Generator eg(m);
  core::GenerateRequest r;
  r.n = n;
  r.noise = eps.data_ptr<float>();
  r.labels = lab.data();
  r.alpha = alpha;
  r.weight_set = weight_set;
  std::string err;
  REQUIRE(eg.generate(r, out.data(), &err));
  REQUIRE(ref.numel() == std::int64_t(out.size()));
  auto eig = torch::from_blob(out.data(), ref.sizes(), torch::kFloat);
  Result res;
  res.max_rel = ((eig - ref).abs().max() / ref.abs().max()).item<double>();
  return res;
}

std::unique_ptr<core::Model> to_core(models::Generator& g, core::DType dtype) {
  auto files = exporter::encode_model(exporter::describe_generator(g, {}),
                                      exporter::generator_weights(g, "final", 0), {}, dtype);
  std::string err;
  auto m = core::load_model(files.manifest, files.bin.data(), files.bin.size(), &err);
  INFO(err);
  REQUIRE(m);
  return m;
}

// The same generator with its weights rounded through f16, the reference for f16 files.
models::Generator rounded_f16_copy(models::Generator& g) {
  models::Generator h(g->config());
  models::copy_weights(h, g);
  torch::NoGradGuard ng;
  for (auto& p : h->parameters()) p.copy_(p.to(torch::kHalf).to(torch::kFloat));
  return h;
}
}  // namespace

TEST_CASE("parity f32: every architecture x activation, random-init and trained", "[parity]") {
  torch::manual_seed(1);
  double worst = 0;
  for (std::string arch : {"mlp", "mlpconv", "toy"})
    for (std::string act : {"silu", "relu", "tanh", "sigmoid", "gelu_tanh", "leaky_relu"}) {
      models::Generator g(config_for(arch, act));
      perturb(g, 0.05);
      auto m = to_core(g, core::DType::f32);
      for (float alpha : {1.0f, 2.5f}) {
        Result r = compare(g, *m, 0, 17, alpha);
        INFO(arch << " " << act << " random-init alpha " << alpha << " max rel " << r.max_rel);
        CHECK(r.max_rel <= 1e-5);
        worst = std::max(worst, r.max_rel);
      }
      if (act == "silu" || act == "gelu_tanh") {
        train_briefly(g, 20);
        auto mt = to_core(g, core::DType::f32);
        Result r = compare(g, *mt, 0, 9, 3.0f);
        INFO(arch << " " << act << " trained max rel " << r.max_rel);
        CHECK(r.max_rel <= 1e-5);
        worst = std::max(worst, r.max_rel);
      }
    }
  std::printf("parity f32: worst max rel over 3 archs x 6 activations %.2e\n", worst);
}

TEST_CASE("parity f16: exact against f16-rounded weights, bounded against f32", "[parity]") {
  torch::manual_seed(2);
  for (std::string arch : {"mlp", "mlpconv", "toy"}) {
    models::Generator g(config_for(arch, "silu"));
    perturb(g, 0.05);
    auto m = to_core(g, core::DType::f16);
    auto h = rounded_f16_copy(g);
    torch::manual_seed(3);
    Result exact = compare(h, *m, 0, 8, 2.0f);
    torch::manual_seed(3);
    Result vs32 = compare(g, *m, 0, 8, 2.0f);
    INFO(arch << " f16: vs rounded " << exact.max_rel << ", vs f32 " << vs32.max_rel);
    CHECK(exact.max_rel <= 1e-5);
    CHECK(vs32.max_rel <= 5e-3);  // documented bound in docs/weights-format.md
    std::printf("parity f16 %s: max rel vs f16-rounded torch %.2e, vs f32 torch %.2e\n",
                arch.c_str(), exact.max_rel, vs32.max_rel);
  }
}

TEST_CASE("export_model: checkpoint + snapshots -> files -> same outputs", "[parity][export]") {
  torch::manual_seed(4);
  const fs::path dir = fs::temp_directory_path() / "drift_parity_export_run";
  fs::remove_all(dir);
  fs::create_directories(dir / "snapshots");
  models::Generator g(config_for("mlpconv", "silu"));
  perturb(g, 0.05);
  models::save_snapshot((dir / "snapshots" / "step_00000010.pt").string(), g, 10);
  models::Generator early(g->config());
  models::copy_weights(early, g);
  train_briefly(g, 5);
  models::save_snapshot((dir / "model_final.pt").string(), g, 20);
  exporter::ExportOptions opt;
  opt.dtype = core::DType::f32;
  opt.snapshots_dir = (dir / "snapshots").string();
  opt.command = "test";
  auto res = exporter::export_model((dir / "model_final.pt").string(), (dir / "out").string(), opt);
  CHECK(res.snapshots == 1);
  std::string err;
  auto m = core::load_model_file((dir / "out" / "model.json").string(), &err);
  INFO(err);
  REQUIRE(m);
  CHECK(m->manifest().snapshots.at(0).name == "step_00000010");
  CHECK(m->manifest().snapshots.at(0).step == 10);
  const auto training = nlohmann::json::parse(m->manifest().training_json);
  CHECK(training.at("steps") == 20);
  CHECK_FALSE(training.contains("wall_time_s"));  // a snapshot records no training time
  CHECK(training.at("command") == "test");
  CHECK(compare(g, *m, 0, 4, 2.0f).max_rel <= 1e-5);
  CHECK(compare(early, *m, m->find_weight_set("step_00000010"), 4, 2.0f).max_rel <= 1e-5);
  CHECK_THROWS_WITH(
      exporter::export_model((dir / "absent.pt").string(), (dir / "o2").string(), opt),
      Catch::Contains("absent.pt"));

  // int8 (snapshot in its own file): the Eigen forward of the export equals LibTorch's on the
  // same int8-rounded weights (roundtrip_weights, what `eval --dtype int8` measures), and
  // differs from the unrounded ones.
  opt.dtype = core::DType::int8;
  exporter::export_model((dir / "model_final.pt").string(), (dir / "out8").string(), opt);
  auto m8 = core::load_model_file((dir / "out8" / "model.json").string(), &err);
  INFO(err);
  REQUIRE(m8);
  REQUIRE(m8->manifest().snapshots.at(0).own_file());
  models::Generator q(g->config()), q_early(g->config());
  models::copy_weights(q, g);
  models::copy_weights(q_early, early);
  exporter::roundtrip_weights(q, core::DType::int8);
  exporter::roundtrip_weights(q_early, core::DType::int8);
  CHECK(compare(q, *m8, 0, 4, 2.0f).max_rel <= 1e-5);
  CHECK(compare(q_early, *m8, m8->find_weight_set("step_00000010"), 4, 2.0f).max_rel <= 1e-5);
  CHECK(compare(g, *m8, 0, 4, 2.0f).max_rel > 1e-5);
}

// Trained runs: DRIFT_PARITY_CHECKPOINTS="run1/model_final.pt:run2/model_final.pt" (e.g. after
// scripts/demo.sh) checks real trained weights through export_model, f32 and f16.
TEST_CASE("parity on trained checkpoints (DRIFT_PARITY_CHECKPOINTS)", "[parity][trained]") {
  const char* env = std::getenv("DRIFT_PARITY_CHECKPOINTS");
  if (!env || !*env) {
    WARN("DRIFT_PARITY_CHECKPOINTS not set: no trained checkpoints checked");
    return;
  }
  std::string list = env;
  for (std::size_t pos = 0; pos <= list.size();) {
    std::size_t colon = list.find(':', pos);
    if (colon == std::string::npos) colon = list.size();
    const std::string ckpt = list.substr(pos, colon - pos);
    pos = colon + 1;
    if (ckpt.empty()) continue;
    auto lm = models::load_checkpoint(ckpt);
    for (std::string dtype : {"f32", "f16"}) {
      exporter::ExportOptions opt;
      REQUIRE(core::dtype_from_name(dtype, &opt.dtype));
      const fs::path out = fs::temp_directory_path() / ("drift_parity_trained_" + dtype);
      exporter::export_model(ckpt, out.string(), opt);
      std::string err;
      auto m = core::load_model_file((out / "model.json").string(), &err);
      INFO(ckpt << " " << dtype << ": " << err);
      REQUIRE(m);
      torch::manual_seed(5);
      Result r = compare(lm.ema, *m, 0, 32, 2.0f);
      std::printf("parity trained %s (%s): max rel %.2e\n", ckpt.c_str(), dtype.c_str(), r.max_rel);
      CHECK(r.max_rel <= (dtype == "f32" ? 1e-5 : 5e-3));
    }
  }
}
