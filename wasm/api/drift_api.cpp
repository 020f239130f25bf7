// C API over drift_core. The core may throw std::runtime_error on bad toy arguments; the
// wasm module is built without exception catching, so every argument is validated here
// first and a throw can only mean a bug (which aborts the module, reported by drift.js).
#include "drift_api.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "drift/generator.h"
#include "drift/model.h"
#include "drift/toy_data.h"
#include "drift/toy_trainer.h"
#include "drift/version.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define API EMSCRIPTEN_KEEPALIVE
#else
#define API
#endif

using namespace drift::core;

namespace {
std::string g_error;

struct ModelSlot {
  std::unique_ptr<Model> model;
  std::unique_ptr<Generator> gen;
  std::string info;
};
struct ToySlot {
  std::unique_ptr<ToyTrainer> trainer;
  std::vector<float> field;
};
std::vector<std::unique_ptr<ModelSlot>> g_models;  // handle h -> g_models[h-1]
std::vector<std::unique_ptr<ToySlot>> g_toys;

int fail(const std::string& msg) {
  g_error = msg;
  return -1;
}

template <class T>
T* slot(std::vector<std::unique_ptr<T>>& v, int h, const char* what) {
  if (h <= 0 || size_t(h) > v.size() || !v[size_t(h - 1)]) {
    g_error = std::string(what) + ": invalid handle " + std::to_string(h);
    return nullptr;
  }
  return v[size_t(h - 1)].get();
}

template <class T>
int store(std::vector<std::unique_ptr<T>>& v, std::unique_ptr<T> s) {
  for (size_t i = 0; i < v.size(); ++i)
    if (!v[i]) {
      v[i] = std::move(s);
      return int(i + 1);
    }
  v.push_back(std::move(s));
  return int(v.size());
}

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

// JSON by hand: keeps nlohmann's object builder out of the module (the loader's parser and
// serialiser are already in it; training_json is already serialised JSON).
std::string json_str(const std::string& v) {
  std::string o = "\"";
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') o += '\\', o += char(c);
    else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      o += "\\u00";
      o += hex[c >> 4];
      o += hex[c & 15];
    } else o += char(c);
  }
  return o + "\"";
}
std::string json_num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string model_info(const Model& m) {
  const Manifest& mf = m.manifest();
  std::string j = "{\"format\":" + json_str(kFormatName) + ",\"version\":" + std::to_string(mf.version);
  j += ",\"num_classes\":" + std::to_string(mf.conditioning.num_classes);
  j += ",\"latent_dim\":" + std::to_string(mf.conditioning.latent_dim);
  j += ",\"input_dim\":" + std::to_string(m.input_dim());
  j += ",\"alpha_range\":[" + json_num(mf.conditioning.alpha_min) + "," + json_num(mf.conditioning.alpha_max) + "]";
  j += ",\"output_shape\":[";
  for (size_t i = 0; i < mf.output_shape.size(); ++i) j += (i ? "," : "") + std::to_string(mf.output_shape[i]);
  j += "],\"output_range\":[" + json_num(mf.output_min) + "," + json_num(mf.output_max) + "]";
  j += ",\"output_size\":" + std::to_string(m.output_size());
  j += ",\"parameters\":" + std::to_string(m.parameter_count());
  j += ",\"layers\":[";
  for (size_t i = 0; i < mf.layers.size(); ++i) j += (i ? "," : "") + json_str(layer_type_name(mf.layers[i].type));
  j += "],\"snapshots\":[";
  for (size_t i = 0; i < mf.snapshots.size(); ++i)
    j += std::string(i ? "," : "") + "{\"name\":" + json_str(mf.snapshots[i].name) + ",\"step\":" +
         std::to_string(mf.snapshots[i].step) + "}";
  j += "],\"training\":" + (mf.training_json.empty() ? std::string("{}") : mf.training_json) + "}";
  return j;
}
}  // namespace

extern "C" {

API const char* drift_last_error(void) { return g_error.c_str(); }
API const char* drift_version(void) { return core_version(); }
API void* drift_malloc(int bytes) { return bytes > 0 ? std::malloc(size_t(bytes)) : nullptr; }
API void drift_free(void* p) { std::free(p); }

API int drift_model_load(const char* manifest, int manifest_len, const uint8_t* bin, int bin_len) {
  if (!manifest || manifest_len < 0 || bin_len < 0 || (bin_len > 0 && !bin))
    return fail("drift_model_load: bad buffers"), 0;
  std::string err;
  auto model = load_model(std::string_view(manifest, size_t(manifest_len)), bin, size_t(bin_len), &err);
  if (!model) return fail(err), 0;
  auto s = std::make_unique<ModelSlot>();
  s->info = model_info(*model);
  s->gen = std::make_unique<Generator>(*model);
  s->model = std::move(model);
  return store(g_models, std::move(s));
}

API void drift_model_free(int h) {
  if (slot(g_models, h, "drift_model_free")) g_models[size_t(h - 1)].reset();
}

API const char* drift_model_info(int h) {
  ModelSlot* s = slot(g_models, h, "drift_model_info");
  return s ? s->info.c_str() : nullptr;
}

API int drift_model_output_size(int h) {
  ModelSlot* s = slot(g_models, h, "drift_model_output_size");
  return s ? int(s->model->output_size()) : -1;
}

API int drift_model_latent_dim(int h) {
  ModelSlot* s = slot(g_models, h, "drift_model_latent_dim");
  return s ? s->model->latent_dim() : -1;
}

API int drift_generate(int h, int n, const int32_t* labels, float alpha, uint32_t seed_lo,
                       uint32_t seed_hi, const float* noise, const char* snapshot, float* out) {
  ModelSlot* s = slot(g_models, h, "generate");
  if (!s) return -1;
  if (!out) return fail("generate: null output buffer");
  GenerateRequest req;
  req.n = n;
  req.noise = noise;
  req.seed = (uint64_t(seed_hi) << 32) | seed_lo;
  req.labels = labels;
  req.alpha = alpha;
  std::string snap = snapshot ? snapshot : "";
  req.weight_set = s->model->find_weight_set(snap);
  if (req.weight_set < 0) return fail("generate: unknown snapshot '" + snap + "'");
  std::string err;
  if (!s->gen->generate(req, out, &err)) return fail(err);
  return 0;
}

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

}  // extern "C"
