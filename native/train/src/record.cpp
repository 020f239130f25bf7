#include "drift/train/record.h"

#include <cstdio>
#include <filesystem>

#include "drift/core/npy.h"
#include "drift/logging/grid.h"
#include "drift/logging/png.h"
#include "drift/logging/scatter.h"

namespace fs = std::filesystem;

namespace drift::train {

std::string step_name(int64_t step) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "step_%08lld", static_cast<long long>(step));
  return buf;
}

FixedSamples make_fixed_samples(const models::GeneratorConfig& cfg, int64_t toy_points, double alpha,
                                uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  FixedSamples f;
  const int64_t per = 10;
  const int64_t n = cfg.num_classes > 0 ? cfg.num_classes * per : toy_points;
  f.eps = torch::randn({n, cfg.latent_dim}, gen);
  f.labels = cfg.num_classes > 0 ? torch::arange(cfg.num_classes, torch::kLong).repeat_interleave(per)
                                 : torch::zeros({n}, torch::kLong);
  f.alpha = torch::full({n}, cfg.num_classes > 0 ? alpha : 1.0);
  return f;
}

torch::Tensor generate_fixed(models::Generator& g, const FixedSamples& f) {
  torch::NoGradGuard ng;
  const auto dev = g->parameters().front().device();
  const bool was_training = g->is_training();
  g->eval();
  auto out = g->generate(f.eps.to(dev), f.labels.to(dev), f.alpha.to(dev)).to(torch::kCPU);
  if (was_training) g->train();
  std::vector<int64_t> shape{out.size(0)};
  for (auto v : g->config().output_shape) shape.push_back(v);
  return out.reshape(shape).contiguous();
}

void write_record(const std::string& run_dir, int64_t step, models::Generator& ema, const FixedSamples& f) {
  fs::create_directories(fs::path(run_dir) / "record");
  fs::create_directories(fs::path(run_dir) / "snapshots");
  auto x = generate_fixed(ema, f);
  if (x.dim() == 4 && x.size(1) == 1) x = x.squeeze(1);  // digits as [N,H,W]
  x = x.contiguous();
  std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
  core::write_npy((fs::path(run_dir) / "record" / (step_name(step) + ".npy")).string(), shape,
                  x.data_ptr<float>());
  models::save_snapshot((fs::path(run_dir) / "snapshots" / (step_name(step) + ".pt")).string(), ema, step);
}

logging::Image render_samples(const torch::Tensor& samples, const models::GeneratorConfig& cfg,
                              const torch::Tensor& target_points) {
  auto x = samples.to(torch::kCPU, torch::kFloat).contiguous();
  if (cfg.output_shape.size() == 3) {
    logging::GridOptions go;
    go.nrow = cfg.num_classes > 0 ? int(x.size(0) / cfg.num_classes) : 10;
    go.scale = 2;
    return logging::make_grid(x.data_ptr<float>(), int(x.size(0)), int(cfg.output_shape[0]),
                              int(cfg.output_shape[1]), int(cfg.output_shape[2]), go);
  }
  torch::Tensor t = target_points.defined() ? target_points.to(torch::kCPU, torch::kFloat).contiguous()
                                            : torch::zeros({0, 2});
  auto axes = logging::fit_axes(t.numel() ? t.data_ptr<float>() : x.data_ptr<float>(),
                                int(t.numel() ? t.size(0) : x.size(0)));
  return logging::render_scatter(x.data_ptr<float>(), int(x.size(0)),
                                 t.numel() ? t.data_ptr<float>() : nullptr, int(t.size(0)), axes);
}

void write_sample_png(const std::string& path, const torch::Tensor& samples, const models::GeneratorConfig& cfg,
                      const torch::Tensor& target_points) {
  logging::write_png(path, render_samples(samples, cfg, target_points));
}

}  // namespace drift::train
