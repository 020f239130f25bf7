// C API over drift_core, model part (drift_api.h "models"): the inference module
// drift_api.wasm is this file plus drift_api_common.cpp. It never throws: the module is built
// with -fno-exceptions, and every failure comes back as a one-line message in
// drift_last_error().
#include <cmath>
#include <cstring>

#include "drift/core/generator.h"
#include "drift/core/model.h"
#include "drift/core/version.h"
#include "drift_api_common.h"

using namespace drift::core;
using namespace drift::api;

namespace {
struct ModelSlot {
  std::unique_ptr<Model> model;
  std::unique_ptr<Generator> gen;
  std::string info;
};
std::vector<std::unique_ptr<ModelSlot>> g_models;  // handle h -> g_models[h-1]

// JSON by hand: keeps nlohmann/json out of the module (training_json is already serialised
// JSON). Measured: the same object built as nlohmann::json and dump()ed made drift_api.wasm
// 30,962 -> 45,007 B gzipped (+14 KB; 63,661 B when training is parsed back in rather than
// embedded as a string), so this size trick stays.
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
std::string model_info(const Model& m) {
  const Manifest& mf = m.manifest();
  std::string j = "{\"format\":" + json_str(kFormatName) + ",\"version\":" + decimal(mf.version);
  j += ",\"num_classes\":" + decimal(mf.conditioning.num_classes);
  j += ",\"latent_dim\":" + decimal(mf.conditioning.latent_dim);
  j += ",\"input_dim\":" + decimal(m.input_dim());
  // alpha_range and output_range as the manifest writes them (validated, finite): no float
  // formatting in the module (printf's would add ~8 KB, even a small one ~0.3 KB gzipped)
  j += ",\"alpha_range\":" + mf.conditioning.alpha_range_json;
  j += ",\"output_shape\":[";
  for (size_t i = 0; i < mf.output_shape.size(); ++i) j += (i ? "," : "") + decimal(mf.output_shape[i]);
  j += "],\"output_range\":" + mf.output_range_json;
  j += ",\"output_size\":" + decimal(m.output_size());
  j += ",\"parameters\":" + decimal(m.parameter_count());
  j += ",\"layers\":[";
  for (size_t i = 0; i < mf.layers.size(); ++i) j += (i ? "," : "") + json_str(layer_type_name(mf.layers[i].type));
  j += "],\"snapshots\":[";
  for (size_t i = 0; i < mf.snapshots.size(); ++i)
  {
    const SnapshotEntry& e = mf.snapshots[i];
    j += std::string(i ? "," : "") + "{\"name\":" + json_str(e.name) + ",\"step\":" + decimal(e.step);
    // a snapshot in its own file: what the page fetches before drift_model_load_snapshot
    if (e.own_file())
      j += ",\"file\":" + json_str(e.bin.file) + ",\"bytes\":" + decimal(std::int64_t(e.bin.bytes)) +
           ",\"sha256\":" + json_str(e.bin.sha256);
    j += "}";
  }
  j += "],\"training\":" + (mf.training_json.empty() ? std::string("{}") : mf.training_json) + "}";
  return j;
}
}  // namespace

extern "C" {
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

API int drift_model_load_snapshot(int h, const char* name, const uint8_t* bin, int bin_len) {
  ModelSlot* s = slot(g_models, h, "drift_model_load_snapshot");
  if (!s) return -1;
  if (!name || bin_len < 0 || (bin_len > 0 && !bin)) return fail("drift_model_load_snapshot: bad buffers"), -1;
  const int set = s->model->find_weight_set(name);
  if (set <= 0) return fail(std::string("model.json: unknown snapshot '") + name + "'"), -1;
  std::string err;
  if (!s->model->load_snapshot(set, bin, size_t(bin_len), &err)) return fail(err), -1;
  return 0;
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

}  // extern "C"
