#include "train/options.h"

namespace drift::train {

#define DRIFT_OPT_FIELDS(X)                                                                      \
  X(dataset) X(data_dir) X(out) X(arch) X(out_act) X(steps) X(epochs) X(batch_size) X(positives) X(uncond) X(gen_negatives) \
  X(lr) X(warmup) X(schedule) X(weight_decay) X(clip) X(ema) X(taus) X(floor) X(views) X(init) X(device) X(seed)     \
  X(threads) X(record) X(ckpt_every) X(log_every) X(grid_alpha) X(final_eval) X(eval_n) X(command)

void to_json(nlohmann::json& j, const TrainOptions& o) {
  j = nlohmann::json::object();
#define X(f) j[#f] = o.f;
  DRIFT_OPT_FIELDS(X)
#undef X
  j["alpha_max"] = o.alpha.alpha_max;
  j["alpha_k"] = o.alpha.k;
  j["alpha_frac_one"] = o.alpha.frac_one;
}

void from_json(const nlohmann::json& j, TrainOptions& o) {
#define X(f) \
  if (j.contains(#f)) j.at(#f).get_to(o.f);
  DRIFT_OPT_FIELDS(X)
#undef X
  o.alpha.alpha_max = j.value("alpha_max", o.alpha.alpha_max);
  o.alpha.k = j.value("alpha_k", o.alpha.k);
  o.alpha.frac_one = j.value("alpha_frac_one", o.alpha.frac_one);
}

}  // namespace drift::train
