// drift-infer field: the drift field V for one group with the Eigen core's field
// (drift/field.h), same arguments and output as `drift-train field` (the LibTorch one).
#include <cstdio>
#include <stdexcept>

#include "drift/core/npy.h"
#include "drift/core/field_eigen.h"
#include "infer.h"

namespace {
struct Args {
  std::string x, pos, neg, out;
  float neg_weight = 1.0f;
  std::vector<float> taus{0.02f, 0.05f, 0.2f};
  float floor = 0.0f;
};


void run(const Args& a) {
  auto x = drift::core::read_npy_2d(a.x, -1);
  auto pos = drift::core::read_npy_2d(a.pos, x.shape[1]);
  drift::core::NpyArray neg;
  if (!a.neg.empty()) neg = drift::core::read_npy_2d(a.neg, x.shape[1]);
  for (float t : a.taus)
    if (!(t > 0.0f)) throw std::runtime_error("--taus: temperatures must be > 0");
  drift::core::FieldParams p;
  p.taus = a.taus;
  p.affinity_floor = a.floor;
  drift::core::FieldStats st;
  const int G = int(x.shape[0]), D = int(x.shape[1]);
  std::vector<float> V(std::size_t(G) * std::size_t(D));
  drift::core::drift_field(x.data.data(), G, pos.data.data(), int(pos.shape[0]),
                           neg.data.empty() ? nullptr : neg.data.data(),
                           neg.data.empty() ? 0 : int(neg.shape[0]), D, a.neg_weight, p, V.data(),
                           &st);
  drift::core::write_npy(a.out, {G, D}, V.data());
  std::printf("s = %.9g\nmean_dist = %.9g\n", st.s, st.dbar);
  for (std::size_t i = 0; i < st.force_rms.size() && i < a.taus.size(); ++i)
    std::printf("force_rms[tau=%g] = %.9g\n", a.taus[i], st.force_rms[i]);
}

void add(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c =
      app.add_subcommand("field", "Compute the drift field V for one group of samples (Eigen)");
  c->add_option("--x", a->x, "generated samples [G, D] float32 .npy")->required();
  c->add_option("--pos", a->pos, "positives [P, D]")->required();
  c->add_option("--neg", a->neg,
                "extra negatives [U, D] (the generated samples are always negatives)");
  c->add_option("--neg-weight", a->neg_weight, "weight of each extra negative")
      ->capture_default_str();
  c->add_option("--taus", a->taus, "temperatures")->capture_default_str();
  c->add_option("--floor", a->floor, "affinity floor")->capture_default_str();
  c->add_option("--out", a->out,
                "V [G, D] float32 .npy, in units of s (the loss target is x/s + V)")
      ->required();
  c->callback([a] { run(*a); });
}
DRIFT_INFER_COMMAND(add);
}  // namespace
