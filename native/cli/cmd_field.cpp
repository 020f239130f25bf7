// drift-train field: the drift field V for one group, exactly as the loss computes it.
#include <cstdio>
#include <memory>

#include "drift/core/npy.h"
#include "drift/field/field_torch.h"
#include "registry.h"
#include "validators.h"

namespace {
torch::Tensor load_2d(const std::string& path, int64_t want_cols) {
  auto a = drift::core::read_npy_2d(path, want_cols);
  return torch::from_blob(a.data.data(), {a.shape[0], a.shape[1]}, torch::kFloat).clone();
}

void add_field(CLI::App& app) {
  struct Args {
    std::string x, pos, neg, out;
    double neg_weight = 1.0;
    drift::field::FieldOptions opt;
  };
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("field", "Compute the drift field V for one group of samples");
  c->add_option("--x", a->x, "generated samples [G, D] float32 .npy")->required();
  c->add_option("--pos", a->pos, "positives [P, D]")->required();
  c->add_option("--neg", a->neg, "extra negatives [U, D] (the generated samples are always negatives)");
  c->add_option("--neg-weight", a->neg_weight, "weight of each extra negative")->capture_default_str()
      ->check(drift::cli::finite_non_negative());
  c->add_option("--taus", a->opt.taus, "temperatures")->capture_default_str()->check(drift::cli::finite_positive());
  c->add_option("--floor", a->opt.floor, "affinity floor")->capture_default_str()->check(drift::cli::finite_range(0.0, 1.0));
  c->add_option("--out", a->out, "V [G, D] float32 .npy, in units of s (the loss target is x/s + V)")->required();
  c->callback([a] {
    auto x = load_2d(a->x, -1);
    auto pos = load_2d(a->pos, x.size(1));
    drift::field::FieldInput in{x.unsqueeze(0), pos.unsqueeze(0), {}, {}};
    if (!a->neg.empty()) {
      in.uncond = load_2d(a->neg, x.size(1)).unsqueeze(0);
      in.w_u = torch::full({1}, a->neg_weight);
    }
    auto r = drift::field::compute_field(in, a->opt);
    auto V = r.V[0].contiguous();
    drift::core::write_npy(a->out, {V.size(0), V.size(1)}, V.data_ptr<float>());
    std::printf("s = %.9g\nmean_dist = %.9g\n", r.s, r.mean_dist);
    for (size_t i = 0; i < r.force_rms.size(); ++i)
      std::printf("force_rms[tau=%g] = %.9g\n", a->opt.taus[i], r.force_rms[i]);
  });
}
DRIFT_REGISTER_COMMAND(add_field);
}  // namespace
