// drift-infer sample --model model.json --out x.npy [--noise z.npy | --seed S] [--n N]
//                    [--labels 0,1,..] [--alpha A] [--snapshot NAME]
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "drift/core/npy.h"
#include "drift/core/generator.h"
#include "infer.h"

namespace {
struct Args {
  std::string model, out, noise, labels, snapshot;
  int n = 0;
  std::uint64_t seed = 0;
  float alpha = 1.0f;
};

void run(const Args& a) {
  using namespace drift;
  std::vector<int> labels;  // argument errors first, before any file is read
  if (!a.labels.empty()) labels = infer::parse_int_list(a.labels, "--labels");
  auto model = infer::load_or_throw(a.model);
  const int L = model->latent_dim(), K = model->num_classes();
  core::NpyArray noise;
  int n = a.n;
  if (!a.noise.empty()) {
    noise = core::read_npy(a.noise);
    if (noise.shape.size() != 2 || noise.shape[1] != L) {
      std::string got;
      for (auto d : noise.shape) got += (got.empty() ? "" : ",") + std::to_string(d);
      throw std::runtime_error(a.noise + ": noise must be [n, " + std::to_string(L) + "], got [" +
                               got + "]");
    }
    if (n && n != noise.shape[0])
      throw std::runtime_error(a.noise + ": has " + std::to_string(noise.shape[0]) +
                               " rows but --n is " + std::to_string(n));
    n = int(noise.shape[0]);
  }
  if (!n) n = labels.size() > 1 ? int(labels.size()) : 16;
  if (n < 1 || n > (1 << 20)) throw std::runtime_error("--n: must be in [1, 1048576]");
  std::vector<std::int32_t> lab(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    if (labels.empty())
      lab[std::size_t(i)] = K ? i % K : 0;  // default: cycle the classes
    else if (labels.size() == 1)
      lab[std::size_t(i)] = labels[0];
    else if (labels.size() == std::size_t(n))
      lab[std::size_t(i)] = labels[std::size_t(i)];
    else
      throw std::runtime_error("--labels: " + std::to_string(labels.size()) + " labels for " +
                               std::to_string(n) + " samples (give 1 or n)");
  }
  core::GenerateRequest r;
  r.n = n;
  r.noise = noise.data.empty() ? nullptr : noise.data.data();
  r.seed = a.seed;
  r.labels = lab.data();
  r.alpha = a.alpha;
  r.weight_set = model->find_weight_set(a.snapshot);
  if (r.weight_set < 0)
    throw std::runtime_error(a.model + ": no snapshot named '" + a.snapshot + "'");
  std::vector<float> out(std::size_t(n) * std::size_t(model->output_size()));
  core::Generator g(*model);
  std::string err;
  const auto t0 = std::chrono::steady_clock::now();
  if (!g.generate(r, out.data(), &err)) throw std::runtime_error(err);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::vector<std::int64_t> shape{n};
  for (int d : model->manifest().output_shape) shape.push_back(d);
  core::write_npy(a.out, shape, out.data());
  std::fprintf(stderr, "wrote %s: %d samples in %.2f ms\n", a.out.c_str(), n, ms);
}

void add(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("sample", "Generate samples to a .npy [n, ...output.shape]");
  c->add_option("--model", a->model, "model.json (model.bin next to it)")->required();
  c->add_option("--out", a->out, "output .npy")->required();
  c->add_option("--noise", a->noise, "float32 .npy [n, latent_dim]; default: drawn from --seed");
  c->add_option("--seed", a->seed, "noise seed (docs/weights-format.md, Noise)")
      ->capture_default_str();
  c->add_option("--n", a->n,
                "number of samples (default: rows of --noise, count of --labels, or 16)");
  c->add_option("--labels", a->labels, "comma-separated class labels: one for all, or n");
  c->add_option("--alpha", a->alpha, "guidance alpha (1 = none)")->capture_default_str();
  c->add_option("--snapshot", a->snapshot, "snapshot name (default: the final weights)");
  c->callback([a] { run(*a); });
}
DRIFT_INFER_COMMAND(add);
}  // namespace
