// C API over the core's digit trainer (drift_api.h "digit trainer"): the module
// drift_digits.wasm is this file plus drift_api_common.cpp. Built without exception catching
// (as the toy module): every argument and the data are checked here first, so a throw from the
// core can only be a bug (it aborts the module).
#include <cmath>
#include <memory>
#include <string>

#include "drift/core/digit_pack.h"
#include "drift/core/digit_trainer.h"
#include "drift_api_common.h"

using namespace drift::core;
using namespace drift::api;

namespace {
struct DigitsSlot {
  std::unique_ptr<DigitTrainer> trainer;
  ModelFiles exported;
  bool has_export = false;
};
std::vector<std::unique_ptr<DigitsSlot>> g_digits;  // handle h -> g_digits[h-1]
std::string g_arch_names;

DigitsSlot* get(int h) { return slot(g_digits, h, "digit trainer"); }
}  // namespace

extern "C" {

API int drift_digits_create(const char* arch, uint32_t seed_lo, uint32_t seed_hi, float lr) {
  DigitTrainerConfig c;
  c.arch = arch ? arch : "";
  c.seed = (uint64_t(seed_hi) << 32) | seed_lo;
  c.lr = lr;
  const std::string why = DigitTrainer::check_config(c);
  if (!why.empty()) return fail(why), 0;
  auto s = std::make_unique<DigitsSlot>();
  s->trainer = std::make_unique<DigitTrainer>(c);
  return store(g_digits, std::move(s));
}

API void drift_digits_free(int h) {
  if (get(h)) g_digits[size_t(h - 1)].reset();
}

API int drift_digits_set_data(int h, const uint8_t* pack, int bytes, const char* name) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  const std::string file = name && *name ? name : "digits.pack";
  if (!pack || bytes < 0) return fail(file + ": no data");
  DigitSet d;
  std::string error;
  if (!parse_digit_pack(pack, size_t(bytes), file, &d, &error)) return fail(error);
  const std::string why = s->trainer->check_data(d);
  if (!why.empty()) return fail(file + ": " + why);
  s->trainer->set_data(std::move(d));
  return 0;
}

API int drift_digits_step(int h, int k) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  if (k < 0 || k > 100000) return fail("digit trainer: step count must be in [0, 100000]");
  if (k > 0 && !s->trainer->has_data()) return fail("digit trainer: no training data (drift_digits_set_data first)");
  s->trainer->step(k);
  return 0;
}

API int drift_digits_step_count(int h) {
  DigitsSlot* s = get(h);
  return s ? s->trainer->step_count() : -1;
}

API float drift_digits_loss(int h) {
  DigitsSlot* s = get(h);
  return s ? s->trainer->last_loss() : NAN;
}

API float drift_digits_quality(int h) {
  DigitsSlot* s = get(h);
  if (!s) return NAN;
  if (!s->trainer->has_data()) return fail("digit trainer: no held-out data (drift_digits_set_data first)"), NAN;
  return s->trainer->quality();
}

API const float* drift_digits_sample(int h, int per_class) {
  DigitsSlot* s = get(h);
  if (!s) return nullptr;
  if (per_class < 1 || per_class > DigitTrainer::kMaxSamplePer)
    return fail("digit trainer: samples per class must be in [1, 64]"), nullptr;
  return s->trainer->sample(per_class).data();
}

API int drift_digits_set_lr(int h, float lr) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  const std::string why = DigitTrainer::check_lr(lr);
  if (!why.empty()) return fail(why);
  s->trainer->set_lr(lr);
  return 0;
}

API int drift_digits_reset(int h) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  s->trainer->reset();
  return 0;
}

API int drift_digits_param_count(int h) {
  DigitsSlot* s = get(h);
  return s ? int(s->trainer->mlp().params().size()) : -1;
}

API int drift_digits_export(int h) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  if (!s->trainer->weights_finite()) return fail("digit trainer: the weights are not finite (training diverged); reset");
  s->exported = s->trainer->export_model();
  s->has_export = true;
  return 0;
}

API const char* drift_digits_export_manifest(int h) {
  DigitsSlot* s = get(h);
  if (!s) return nullptr;
  if (!s->has_export) return fail("digit trainer: nothing exported yet (drift_digits_export first)"), nullptr;
  return s->exported.manifest.c_str();
}

API const uint8_t* drift_digits_export_bin(int h) {
  DigitsSlot* s = get(h);
  if (!s) return nullptr;
  if (!s->has_export) return fail("digit trainer: nothing exported yet (drift_digits_export first)"), nullptr;
  return reinterpret_cast<const uint8_t*>(s->exported.bin.data());
}

API int drift_digits_export_bin_size(int h) {
  DigitsSlot* s = get(h);
  if (!s) return -1;
  if (!s->has_export) return fail("digit trainer: nothing exported yet (drift_digits_export first)");
  return int(s->exported.bin.size());
}

API const char* drift_digits_archs(void) {
  if (g_arch_names.empty()) g_arch_names = digit_arch_names();
  return g_arch_names.c_str();
}

}  // extern "C"
