#include "drift/train/options.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace drift::train {

const std::vector<std::pair<std::string, Device>>& device_names() {
  static const std::vector<std::pair<std::string, Device>> n{
      {"auto", Device::automatic}, {"cpu", Device::cpu}, {"cuda", Device::cuda}};
  return n;
}

namespace {
std::string device_name(Device d) {
  for (const auto& [name, v] : device_names())
    if (v == d) return name;
  return "auto";
}
Device device_from_name(const std::string& s) {
  for (const auto& [name, v] : device_names())
    if (name == s) return v;
  throw std::runtime_error("options: unknown device '" + s + "'");
}
}  // namespace

#define DRIFT_OPT_FIELDS(X)                                                                       \
  X(dataset) X(data_dir) X(out) X(out_act) X(widths) X(steps) X(epochs) X(batch_size) X(positives) X(uncond) \
  X(lr) X(warmup) X(weight_decay) X(clip) X(ema) X(taus) X(floor) X(init) X(seed) X(threads)       \
  X(record) X(ckpt_every) X(log_every) X(grid_alpha) X(final_eval) X(eval_n) X(command) X(features)              \
  X(features_sha256) X(feature_gen) X(feature_pos) X(feature_uncond) X(feature_max_locations) X(feature_weight)

void to_json(nlohmann::json& j, const TrainOptions& o) {
  j = nlohmann::json::object();
#define X(f) j[#f] = o.f;
  DRIFT_OPT_FIELDS(X)
#undef X
  j["arch"] = models::arch_name(o.arch);
  j["device"] = device_name(o.device);
  j["alpha_max"] = o.alpha.alpha_max;
  j["alpha_k"] = o.alpha.k;
  j["alpha_frac_one"] = o.alpha.frac_one;
  // The coverage levers only when set: a run without them stores exactly what it did before.
  if (o.class_split != 1) j["class_split"] = o.class_split;
  if (o.velocity_clip != "off") j["velocity_clip"] = o.velocity_clip;
  if (o.disc_key_dim > 0) {
    j["disc_key_dim"] = o.disc_key_dim;
    j["disc_key_weight"] = o.disc_key_weight;
    j["disc_key_temp"] = o.disc_key_temp;
    j["disc_key_lr"] = o.disc_key_lr;
  }
}

void from_json(const nlohmann::json& j, TrainOptions& o) {
#define X(f) \
  if (j.contains(#f)) j.at(#f).get_to(o.f);
  DRIFT_OPT_FIELDS(X)
#undef X
  if (j.contains("arch")) o.arch = models::arch_from_name(j.at("arch").get<std::string>());
  if (j.contains("device")) o.device = device_from_name(j.at("device").get<std::string>());
  o.alpha.alpha_max = j.value("alpha_max", o.alpha.alpha_max);
  o.alpha.k = j.value("alpha_k", o.alpha.k);
  o.alpha.frac_one = j.value("alpha_frac_one", o.alpha.frac_one);
  o.class_split = j.value("class_split", o.class_split);
  o.velocity_clip = j.value("velocity_clip", o.velocity_clip);
  o.disc_key_dim = j.value("disc_key_dim", int64_t{0});  // written whenever on; absent = a run without it
  o.disc_key_weight = j.value("disc_key_weight", o.disc_key_weight);
  o.disc_key_temp = j.value("disc_key_temp", o.disc_key_temp);
  o.disc_key_lr = j.value("disc_key_lr", o.disc_key_lr);
}

void resolve_defaults(TrainOptions& o, bool toy, int64_t num_classes, int64_t dataset_size, int64_t sample_dim) {
  if (o.batch_size <= 0) o.batch_size = toy ? 1024 : 64;  // images: G = 64 beat 32 on FD, accuracy and recall (docs/results.md)
  // Real samples cost no generator passes: more of them sharpen the field almost for free.
  if (o.positives <= 0) o.positives = toy ? o.batch_size : 4 * o.batch_size;
  if (o.uncond < 0) o.uncond = toy ? 0 : 2 * o.batch_size;
  if (o.ema < 0) o.ema = toy ? 0.99 : 0.999;
  if (o.steps <= 0) {
    if (o.epochs > 0) {
      const double per_step = double(o.positives) * double(std::max<int64_t>(num_classes, 1));
      o.steps = std::max<int64_t>(1, int64_t(std::ceil(o.epochs * double(dataset_size) / per_step)));
    } else {
      o.steps = toy ? 2000 : 6000;
    }
  }
  if (o.disc_key_dim < 0) {
    // On where it was measured to help (images); a 2D point is its own best key. The leave-one-out
    // densities need two positives and two generated samples per group: smaller groups go without.
    const int64_t g = o.batch_size * std::max<int64_t>(o.class_split, 1);
    o.disc_key_dim = (toy || o.positives < 2 || g < 2) ? 0 : std::min<int64_t>(64, sample_dim);
  }
  if (toy) o.alpha.frac_one = 1.0;  // no classes, no guidance
  const int64_t groups = std::max<int64_t>(num_classes, 1);
  if (o.class_split < 1 || groups % o.class_split != 0)
    throw std::runtime_error("--class-split " + std::to_string(o.class_split) + ": must divide the " +
                             std::to_string(groups) + " class groups of " + o.dataset);
}

field::FieldOptions pixel_field_options(const TrainOptions& o) {
  field::FieldOptions f;
  f.taus = o.taus;
  f.floor = o.floor;
  if (o.velocity_clip == "median") f.velocity_clip = field::VelocityClip::median;
  else if (o.velocity_clip == "unit") f.velocity_clip = field::VelocityClip::unit;
  else if (o.velocity_clip != "off") {
    f.velocity_clip = field::VelocityClip::fixed;
    f.clip_kappa = parse_clip_kappa(o.velocity_clip);
  }
  return f;
}

double parse_clip_kappa(const std::string& s) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || !std::isfinite(v) || v <= 0)
    throw std::runtime_error("--velocity-clip " + s + ": not off, median, unit or a positive number");
  return v;
}

double learning_rate(const TrainOptions& o, int64_t step) {
  const double warm = std::min(1.0, double(step + 1) / double(std::max<int64_t>(o.warmup, 1)));
  return o.lr * warm;
}

}  // namespace drift::train
