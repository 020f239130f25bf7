// C API over drift_core, toy part (drift_api.h "toy trainer"): the 2D module drift_toy.wasm
// is this file plus drift_api_common.cpp. The core's toy functions throw std::runtime_error on
// bad arguments; the wasm module is built without exception catching, so every argument is
// validated here first and a throw can only mean a bug (which aborts the module, reported by
// drift.js).
#include <cmath>

#include "drift/core/toy_data.h"
#include "drift/core/toy_trainer.h"
#include "drift_api_common.h"

using namespace drift::core;
using namespace drift::api;

namespace {
struct ToySlot {
  std::unique_ptr<ToyTrainer> trainer;
  std::vector<float> field;
};
std::vector<std::unique_ptr<ToySlot>> g_toys;  // handle h -> g_toys[h-1]

std::string join_names(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

bool check_target(const char* name) {
  if (is_toy_name(name)) return true;
  fail(std::string("toy data: unknown set '") + name + "' (known: " + join_names(toy_names()) + ")");
  return false;
}
bool check_init(const char* name) {
  for (const auto& n : toy_init_names())
    if (n == name) return true;
  fail(std::string("toy init: unknown init '") + name + "' (known: " + join_names(toy_init_names()) + ")");
  return false;
}
bool check_points(const float* p, int m) {
  if (!p || m < 1 || m > 65536) return fail("toy trainer: target points must be [m,2] with 1 <= m <= 65536"), false;
  for (int i = 0; i < 2 * m; ++i)
    if (!std::isfinite(p[i]) || std::abs(p[i]) > 1e4f)
      return fail("toy trainer: target points must be finite, |v| <= 1e4"), false;
  return true;
}
bool check_tau(float t) {
  if (t > 0.0f && std::isfinite(t)) return true;
  return fail("toy trainer: temperatures must be > 0"), false;
}
bool check_lr(float lr) {
  if (lr > 0.0f && std::isfinite(lr)) return true;
  return fail("toy trainer: lr must be > 0"), false;
}

}  // namespace

extern "C" {

API int drift_toy_create(const char* target, const float* points, int m, const char* init, int n,
                         uint32_t seed, float tau, float lr, int hidden) {
  bool use_points = !target || !*target;
  if (!use_points && !check_target(target)) return 0;
  if (use_points && !check_points(points, m)) return 0;
  if (!init || !*init) init = "middle";
  if (!check_init(init) || !check_tau(tau) || !check_lr(lr)) return 0;
  if (n < 2 || n > 8192) return fail("toy trainer: n must be in [2, 8192]"), 0;
  if (hidden < 0 || hidden > 1024) return fail("toy trainer: hidden must be in [1, 1024] (0: default)"), 0;
  ToyTrainerConfig c;
  if (hidden > 0) c.hidden = hidden;
  c.target = use_points ? "checkerboard" : target;
  c.init = init;
  c.n = n;
  c.eval_n = n;
  c.seed = seed;
  c.taus = {tau};
  c.lr = lr;
  auto s = std::make_unique<ToySlot>();
  s->trainer = std::make_unique<ToyTrainer>(c);
  if (use_points) s->trainer->set_target_points(std::vector<float>(points, points + 2 * size_t(m)));
  return store(g_toys, std::move(s));
}

API void drift_toy_free(int h) {
  if (slot(g_toys, h, "toy trainer")) g_toys[size_t(h - 1)].reset();
}

API int drift_toy_step(int h, int k) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s) return -1;
  if (k < 0 || k > 100000) return fail("toy trainer: step count must be in [0, 100000]");
  s->trainer->step(k);
  return 0;
}

API int drift_toy_step_count(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->step_count() : -1;
}

API int drift_toy_eval_count(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->config().eval_n : -1;
}

API int drift_toy_target_count(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? int(s->trainer->targets().size() / 2) : -1;
}

API const float* drift_toy_generated(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->generated().data() : nullptr;
}

API const float* drift_toy_targets(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->targets().data() : nullptr;
}

API const float* drift_toy_field(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s) return nullptr;
  s->field = s->trainer->field();
  return s->field.data();
}

API float drift_toy_distance(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->distance() : NAN;
}

API float drift_toy_loss(int h) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  return s ? s->trainer->last_loss() : NAN;
}

API int drift_toy_set_target(int h, const char* name) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s) return -1;
  if (!name || !check_target(name)) return -1;
  s->trainer->set_target(name);
  return 0;
}

API int drift_toy_set_points(int h, const float* points, int m) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s || !check_points(points, m)) return -1;
  s->trainer->set_target_points(std::vector<float>(points, points + 2 * size_t(m)));
  return 0;
}

API int drift_toy_reset(int h, const char* init) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s) return -1;
  if (!init || !check_init(init)) return -1;
  s->trainer->reset(init);
  return 0;
}

API int drift_toy_set_temperature(int h, float tau) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s || !check_tau(tau)) return -1;
  s->trainer->set_temperatures({tau});
  return 0;
}

API int drift_toy_set_lr(int h, float lr) {
  ToySlot* s = slot(g_toys, h, "toy trainer");
  if (!s || !check_lr(lr)) return -1;
  s->trainer->set_lr(lr);
  return 0;
}

// The toy set names, comma-separated, so that the page lists the core's sets, not a copy.
API const char* drift_toy_names(void) {
  static const std::string names = [] {
    std::string s;
    for (const auto& n : toy_names()) s += (s.empty() ? "" : ",") + n;
    return s;
  }();
  return names.c_str();
}

}  // extern "C"
