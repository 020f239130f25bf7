// drift-train sample: one network evaluation per sample from a checkpoint/snapshot.
#include <cstdio>
#include <memory>

#include "drift/core/npy.h"
#include "drift/models/generator.h"
#include "registry.h"
#include "validators.h"
#include "drift/train/record.h"
#include "drift/train/runtime.h"
#include "drift/train/trainer.h"

namespace {
void add_sample(CLI::App& app) {
  struct Args {
    std::string model, noise, out, raw;
    drift::train::Device device = drift::train::Device::cpu;
    int64_t batch = 100, label = -1;
    double alpha = 1.5;
    uint64_t seed = 0;
  };
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("sample", "Generate samples (PNG grid / scatter and/or raw .npy)");
  c->add_option("--model-path,--model_path", a->model, "checkpoint or snapshot .pt")->required();
  c->add_option("--batch-size,--batch_size", a->batch, "number of samples")->capture_default_str()->check(CLI::Range(1, 1000000));
  c->add_option("--label", a->label, "class of every sample (-1: cycle through the classes)")->capture_default_str()
      ->check(CLI::Range(-1, 1000000));
  c->add_option("--alpha", a->alpha, "guidance scale (1 = none)")->capture_default_str()
      ->check(drift::cli::finite_range(1.0, 100.0));
  c->add_option("--seed", a->seed, "noise seed")->capture_default_str();
  c->add_option("--noise", a->noise, "[N, latent_dim] float32 .npy noise instead of --seed");
  c->add_option("--out", a->out, "PNG: digit grid (images) or scatter (2D)");
  c->add_option("--raw", a->raw, "write the samples as float32 .npy [N, ...shape]");
  c->add_option("--device", a->device, "where to sample (default cpu)")
      ->transform(CLI::CheckedTransformer(drift::train::device_names(), CLI::ignore_case));
  c->callback([a] {
    if (a->out.empty() && a->raw.empty()) throw std::runtime_error("sample: give --out PNG and/or --raw NPY");
    if (a->alpha < 1.0) throw std::runtime_error("sample: --alpha must be >= 1");
    auto m = drift::models::load_checkpoint(a->model);
    const auto& cfg = m.config;
    torch::Tensor eps;
    if (!a->noise.empty()) {
      auto z = drift::core::read_npy(a->noise);
      if (z.shape.size() != 2 || z.shape[1] != cfg.latent_dim)
        throw std::runtime_error(a->noise + ": noise must be [N, " + std::to_string(cfg.latent_dim) + "]");
      eps = torch::from_blob(z.data.data(), {z.shape[0], z.shape[1]}, torch::kFloat).clone();
    } else {
      if (a->batch <= 0) throw std::runtime_error("sample: --batch-size must be >= 1");
      auto gen = at::detail::createCPUGenerator(a->seed);
      eps = torch::randn({a->batch, cfg.latent_dim}, gen);
    }
    const int64_t n = eps.size(0);
    if (a->label >= 0 && a->label >= std::max<int64_t>(cfg.num_classes, 1))
      throw std::runtime_error("sample: --label " + std::to_string(a->label) + " out of range (model has " +
                               std::to_string(cfg.num_classes) + " classes)");
    torch::Tensor labels = a->label >= 0 ? torch::full({n}, a->label, torch::kLong)
                                         : torch::arange(n, torch::kLong) % std::max<int64_t>(cfg.num_classes, 1);
    drift::train::FixedSamples f{eps, labels, torch::full({n}, a->alpha)};
    const auto dev = drift::train::pick_device(a->device);
    m.ema->to(dev);
    auto x = drift::train::generate_fixed(m.ema, f);
    if (!a->raw.empty()) {
      std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
      drift::core::write_npy(a->raw, shape, x.data_ptr<float>());
      std::printf("wrote %s\n", a->raw.c_str());
    }
    if (!a->out.empty()) {
      auto c2 = cfg;
      if (a->label >= 0) c2.num_classes = 0;  // plain grid, 10 per row
      drift::train::write_sample_png(a->out, x, c2);
      std::printf("wrote %s\n", a->out.c_str());
    }
  });
}
DRIFT_REGISTER_COMMAND(add_sample);
}  // namespace
