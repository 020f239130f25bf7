// LibTorch generator (native/models) vs the Eigen core (wasm/core) on identical weights:
// every architecture and activation, random-init and briefly trained weights, f32 and f16,
// and the whole export_model path (checkpoint + snapshots -> files -> load_model_file).
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "drift/core/generator.h"
#include "drift/core/layer_vocab.h"
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
// int8 weights from the spec (docs/weights-format.md): every element of a weight row within half
// a step, max|row| / 127 / 2, of its f32 value (plus float32 rounding of w / s and s * q, a few
// 2^-24 of the step count 127); the biases stay f16 (relative 2^-11, absolute 2^-25 for f16
// subnormals). Most elements must have moved, or the rounding was not applied at all.
void check_int8_rounding(models::Generator& rounded, models::Generator& f32) {
  torch::NoGradGuard ng;
  auto want = f32->named_parameters(true);
  std::int64_t moved = 0, total = 0;
  for (const auto& kv : rounded->named_parameters(true)) {
    auto q = kv.value().to(torch::kFloat64), w = want[kv.key()].to(torch::kFloat64);
    INFO(kv.key());
    if (w.dim() == 1) {
      CHECK((q - w).abs().le(w.abs() * std::ldexp(1.0, -11) + std::ldexp(1.0, -25)).all().item<bool>());
      continue;
    }
    auto rows = w.reshape({w.size(0), -1}), qr = q.reshape({q.size(0), -1});
    auto row_max = std::get<0>(rows.abs().max(1, /*keepdim=*/true));
    CHECK((qr - rows).abs().le(row_max / 127.0 / 2.0 + row_max * std::ldexp(1.0, -20)).all().item<bool>());
    moved += (qr != rows).sum().item<std::int64_t>();
    total += rows.numel();
  }
  CHECK(moved > total / 2);
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
  check_int8_rounding(q, g);  // the reference itself, bounded from the spec, not the codec
  check_int8_rounding(q_early, early);
  CHECK(compare(q, *m8, 0, 4, 2.0f).max_rel <= 1e-5);
  CHECK(compare(q_early, *m8, m8->find_weight_set("step_00000010"), 4, 2.0f).max_rel <= 1e-5);
  CHECK(compare(g, *m8, 0, 4, 2.0f).max_rel > 1e-5);
}

namespace {
// A checkpoint written by the real trainer (drift-train train: EMA weights, checkpoint format),
// trained briefly on MNIST with small groups; the folder is made once per test run.
std::string trained_checkpoint() {
  const fs::path run = fs::temp_directory_path() / "drift_parity_trained_run";
  fs::remove_all(run);
  const std::string cmd = std::string(DRIFT_TRAIN_EXE) + " train --dataset mnist --data-dir " +
                          DRIFT_SOURCE_DIR + "/data --widths 64,96 --steps 60 --batch-size 8 " +
                          "--positives 16 --uncond 4 --seed 3 --threads 1 --no-eval --ckpt-every 0 --out " +
                          run.string() + " > " + run.string() + ".log 2>&1";
  INFO(cmd << " (log: " << run.string() << ".log)");
  REQUIRE(std::system(cmd.c_str()) == 0);
  REQUIRE(fs::exists(run / "model_final.pt"));
  return (run / "model_final.pt").string();
}
}  // namespace

// Trained weights through export_model, f32 and f16: a checkpoint that drift-train writes here,
// plus any listed in DRIFT_PARITY_CHECKPOINTS="run1/model_final.pt:run2/model_final.pt".
TEST_CASE("parity on trained checkpoints", "[parity][trained]") {
  std::vector<std::string> ckpts = {trained_checkpoint()};
  if (const char* env = std::getenv("DRIFT_PARITY_CHECKPOINTS")) {
    std::string list = env;
    for (std::size_t pos = 0; pos <= list.size();) {
      std::size_t colon = list.find(':', pos);
      if (colon == std::string::npos) colon = list.size();
      if (colon > pos) ckpts.push_back(list.substr(pos, colon - pos));
      pos = colon + 1;
    }
  }
  for (const auto& ckpt : ckpts) {
    auto lm = models::load_checkpoint(ckpt);
    CHECK(lm.step > 0);
    for (std::string dtype : {"f32", "f16"}) {
      exporter::ExportOptions opt;
      REQUIRE(core::dtype_from_name(dtype, &opt.dtype));
      const fs::path out = fs::temp_directory_path() / ("drift_parity_trained_" + dtype);
      exporter::export_model(ckpt, out.string(), opt);
      std::string err;
      auto m = core::load_model_file((out / "model.json").string(), &err);
      INFO(ckpt << " " << dtype << ": " << err);
      REQUIRE(m);
      auto ref = dtype == "f32" ? lm.ema : rounded_f16_copy(lm.ema);
      torch::manual_seed(5);
      Result r = compare(ref, *m, 0, 32, 2.0f);
      std::printf("parity trained %s (%s): max rel %.2e\n", ckpt.c_str(), dtype.c_str(), r.max_rel);
      CHECK(r.max_rel <= 1e-5);
    }
  }
}

// The model the page ships (web/models/mnist, int8): its decoded weights copied into a LibTorch
// generator of the architecture the manifest names give the same digits as the Eigen core.
TEST_CASE("parity on the shipped page model", "[parity][trained]") {
  const std::string path = std::string(DRIFT_SOURCE_DIR) + "/web/models/mnist/model.json";
  std::string err;
  auto m = core::load_model_file(path, &err);
  INFO(path << ": " << err);
  REQUIRE(m);
  // The architecture, read from the manifest's JSON here: the arch the run names, the hidden
  // widths (rows of the 2-D weights but the read-out) and the output activation (the last layer
  // before the reshapes).
  std::ifstream json_in(path);
  const auto manifest = nlohmann::json::parse(json_in);
  auto cfg = models::default_image_config(models::arch_from_name(manifest.at("training").at("arch").get<std::string>()),
                                          m->num_classes(), {1, 28, 28});
  cfg.widths.clear();
  const auto& tensors = m->manifest().tensors;
  for (const auto& t : tensors)
    if (t.shape.size() == 2) cfg.widths.push_back(t.shape[0]);
  REQUIRE(cfg.widths.size() >= 2);
  cfg.widths.pop_back();
  std::vector<std::string> types;
  for (const auto& l : manifest.at("architecture").at("layers")) types.push_back(l.at("type").get<std::string>());
  auto last = std::find_if(types.rbegin(), types.rend(), [](const std::string& t) { return t != "flatten" && t != "reshape"; });
  REQUIRE(last != types.rend());
  cfg.output_activation = *last == "sigmoid" ? "sigmoid" : "none";
  models::Generator g(cfg);
  std::vector<std::string> built;
  for (const auto& l : g->specs()) built.push_back(core::layer_type_name(l.type));
  INFO("manifest layers vs the LibTorch generator's");
  REQUIRE(built == types);
  auto params = g->named_parameters(true);
  REQUIRE(params.size() == tensors.size());
  std::ifstream bin_in(fs::path(path).parent_path() / m->manifest().bin_file, std::ios::binary);
  const std::string bin((std::istreambuf_iterator<char>(bin_in)), std::istreambuf_iterator<char>());
  {
    torch::NoGradGuard ng;
    for (const auto& t : tensors) {
      INFO(t.name);
      REQUIRE(params.contains(t.name));
      std::vector<float> v(std::size_t(t.elements()));
      REQUIRE(core::decode_tensor(t, reinterpret_cast<const std::uint8_t*>(bin.data()), v.data(), &err));
      torch::Tensor p = params[t.name];
      REQUIRE(p.sizes().vec() == t.shape);
      p.copy_(torch::from_blob(v.data(), p.sizes(), torch::kFloat));
    }
  }
  CHECK(g->num_parameters() == m->parameter_count());
  torch::manual_seed(6);
  for (float alpha : {1.0f, 1.25f, 3.0f}) {
    Result r = compare(g, *m, 0, 40, alpha);
    std::printf("parity shipped page model (alpha %.2f): max rel %.2e\n", alpha, r.max_rel);
    CHECK(r.max_rel <= 1e-5);
  }
}
