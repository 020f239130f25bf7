// model.json parser on the core's own small JSON reader (drift/manifest_json.h): every
// access is type-checked, nothing throws (the wasm build has no exception support).
#include "drift/core/manifest.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <set>

#include "drift/core/manifest_json.h"
#include "drift/core/version.h"

namespace drift::core {
namespace {
using json = JsonValue;

// Messages are printf-formatted in one out-of-line function: string concatenation at
// each of the ~50 call sites was the largest part of the wasm module.
struct Ctx {
  std::string source;
  std::string* error;
  __attribute__((format(printf, 2, 3))) bool fail(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::string what = vformat(fmt, ap);
    va_end(ap);
    if (error) *error = source + ": " + what;
    return false;
  }
};

const json* find(const json& obj, const char* key) { return obj.find(key); }

bool get_int(Ctx& c, const json& obj, const char* key, const std::string& where, std::int64_t lo,
             std::int64_t hi, std::int64_t* out) {
  const json* v = find(obj, key);
  if (!v) return c.fail("%s: missing \"%s\"", where.c_str(), key);
  const std::int64_t x = v->i;
  if (!v->is_integer() || x < lo || x > hi)
    return c.fail("%s: \"%s\" must be an integer in [%lld, %lld]", where.c_str(), key,
                  (long long)lo, (long long)hi);
  *out = x;
  return true;
}

bool get_int32(Ctx& c, const json& obj, const char* key, const std::string& where, int lo, int hi,
               int* out) {
  std::int64_t x;
  if (!get_int(c, obj, key, where, lo, hi, &x)) return false;
  *out = int(x);
  return true;
}

bool as_float(const json& v, float* out) {
  if (!v.is_number()) return false;
  double d = v.d;
  if (!std::isfinite(d) || std::fabs(d) > 3.0e38) return false;
  *out = float(d);
  return true;
}

bool get_string(Ctx& c, const json& obj, const char* key, const std::string& where,
                std::string* out, bool required = true) {
  const json* v = find(obj, key);
  if (!v) {
    if (!required) return true;
    return c.fail("%s: missing \"%s\"", where.c_str(), key);
  }
  if (!v->is_string()) return c.fail("%s: \"%s\" must be a string", where.c_str(), key);
  *out = v->s;
  if (out->empty() || out->size() > 256)
    return c.fail("%s: \"%s\" must be 1..256 characters", where.c_str(), key);
  return true;
}

bool parse_tensors(Ctx& c, const json* arr, const std::string& where, int version,
                   std::vector<TensorEntry>* out) {
  if (!arr || !arr->is_array()) return c.fail("%s: must be an array", where.c_str());
  if (arr->items.size() > std::size_t(Limits::kTensors))
    return c.fail("%s: more than %lld tensors", where.c_str(), (long long)(Limits::kTensors));
  std::set<std::string> names;
  for (std::size_t i = 0; i < arr->items.size(); ++i) {
    const json& t = arr->items[i];
    std::string w = strformat("%s[%zu]", where.c_str(), i);
    if (!t.is_object()) return c.fail("%s: must be an object", w.c_str());
    TensorEntry e;
    if (!get_string(c, t, "name", w, &e.name)) return false;
    w = strformat("%s \"%s\"", where.c_str(), e.name.c_str());
    if (!names.insert(e.name).second) return c.fail("%s: duplicate tensor name", w.c_str());
    const json* shape = find(t, "shape");
    if (!shape || !shape->is_array() || shape->items.empty() || shape->items.size() > 4)
      return c.fail("%s: \"shape\" must be an array of 1..4 integers", w.c_str());
    std::int64_t elements = 1;
    for (const json& d : shape->items) {
      if (!d.is_integer() || d.i < 1 || d.i > Limits::kDim)
        return c.fail("%s: shape dimensions must be integers in [1, %lld]", w.c_str(),
                      (long long)(Limits::kDim));
      e.shape.push_back(d.i);
      elements *= e.shape.back();
      if (elements > Limits::kTensorElements)
        return c.fail("%s: more than %lld elements", w.c_str(),
                      (long long)(Limits::kTensorElements));
    }
    std::string dtype;
    if (!get_string(c, t, "dtype", w, &dtype)) return false;
    if (!dtype_from_name(dtype, &e.dtype))
      return c.fail("%s: unknown dtype \"%s\" (f32, f16 or int8)", w.c_str(), dtype.c_str());
    if (kDTypes[int(e.dtype)].min_version > version)
      return c.fail("%s: dtype \"%s\" needs format version %lld", w.c_str(), dtype.c_str(),
                    (long long)(kDTypes[int(e.dtype)].min_version));
    std::int64_t off, len;
    if (!get_int(c, t, "offset", w, 0, std::int64_t(Limits::kBinBytes), &off) ||
        !get_int(c, t, "length", w, 0, std::int64_t(Limits::kBinBytes), &len))
      return false;
    e.offset = std::uint64_t(off);
    e.length = std::uint64_t(len);
    const std::int64_t want = tensor_bytes(e.dtype, elements, e.shape[0]);
    if (len != want)
      return c.fail("%s: length %lld but shape and dtype need %lld bytes", w.c_str(),
                    (long long)(len), (long long)(want));
    out->push_back(std::move(e));
  }
  return true;
}

const TensorEntry* find_tensor(const std::vector<TensorEntry>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}

std::string shape_str(const std::vector<std::int64_t>& s) {
  std::string r = "[";
  for (std::size_t i = 0; i < s.size(); ++i) r += strformat(i ? ",%lld" : "%lld", (long long)s[i]);
  return r + "]";
}

// The tensor named by a layer must exist with exactly the shape its params imply.
bool check_tensor(Ctx& c, const std::vector<TensorEntry>& ts, const std::string& name,
                  const std::vector<std::int64_t>& want, const std::string& where) {
  const TensorEntry* t = find_tensor(ts, name);
  if (!t) return c.fail("%s: tensor \"%s\" is not in \"tensors\"", where.c_str(), name.c_str());
  if (t->shape != want)
    return c.fail("%s: tensor \"%s\" has shape %s but the layer needs %s", where.c_str(),
                  name.c_str(), (shape_str(t->shape)).c_str(), (shape_str(want)).c_str());
  return true;
}

bool parse_layer(Ctx& c, const json& l, const std::string& w, LayerSpec* s) {
  if (!l.is_object()) return c.fail("%s: must be an object", w.c_str());
  std::string type;
  if (!get_string(c, l, "type", w, &type)) return false;
  const LayerInfo* info = find_layer(type);
  if (!info) return c.fail("%s: unknown layer type \"%s\"", w.c_str(), type.c_str());
  s->type = info->type;
  for (int k = 0; k < info->num_params; ++k) {
    const LayerParam& p = info->params[k];
    if (p.int_field) {
      if (!get_int32(c, l, p.name, w, p.lo, p.hi, &(s->*p.int_field))) return false;
    } else if (p.dims_field) {
      const json* sh = find(l, p.name);
      if (!sh || !sh->is_array() || sh->items.size() != 3)
        return c.fail("%s: \"%s\" must be [C,H,W]", w.c_str(), p.name);
      for (std::size_t i = 0; i < 3; ++i) {
        const json& d = sh->items[i];
        if (!d.is_integer() || d.i < p.lo || d.i > p.hi)
          return c.fail("%s: \"%s\" dimensions must be integers in [%lld, %lld]", w.c_str(),
                        p.name, (long long)(p.lo), (long long)(p.hi));
        (s->*p.dims_field)[i] = int(d.i);
      }
    } else if (const json* v = find(l, p.name)) {  // float_field: optional
      if (!as_float(*v, &(s->*p.float_field)))
        return c.fail("%s: \"%s\" must be a finite number", w.c_str(), p.name);
    }
  }
  if (s->type == LayerType::conv2d)
    if (const json* st = find(l, "stride"); st && !(st->is_integer() && st->i == 1))
      return c.fail("%s: only stride 1 is supported", w.c_str());
  if ((!info->weight && find(l, "weight")) || (!info->bias && find(l, "bias")))
    return c.fail("%s: layer type \"%s\" takes no tensors", w.c_str(), type.c_str());
  if (info->weight && !get_string(c, l, "weight", w, &s->weight)) return false;
  if (info->bias && !get_string(c, l, "bias", w, &s->bias, /*required=*/false)) return false;
  return true;
}

// Shapes each layer's tensors must have (PyTorch layout).
bool check_layer_tensors(Ctx& c, const LayerSpec& s, const std::vector<TensorEntry>& ts,
                         const std::string& w) {
  std::vector<std::int64_t> ws, bs;
  if (s.type == LayerType::linear) {
    ws = {s.out, s.in};
    bs = {s.out};
  } else if (s.type == LayerType::conv2d) {
    ws = {s.out_channels, s.in_channels, s.kernel, s.kernel};
    bs = {s.out_channels};
  } else {
    return true;
  }
  if (!s.weight.empty() && !check_tensor(c, ts, s.weight, ws, w)) return false;
  if (!s.bias.empty() && !check_tensor(c, ts, s.bias, bs, w)) return false;
  return true;
}

bool is_hex64(const std::string& s) {
  if (s.size() != 64) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

// A "bin" object: a plain file name next to the manifest, its exact size and SHA-256.
bool parse_bin(Ctx& c, const json* bin, const std::string& where, BinRef* out) {
  if (!bin || !bin->is_object()) return c.fail("%s: must be an object", where.c_str());
  if (!get_string(c, *bin, "file", where, &out->file)) return false;
  if (out->file.find_first_of("/\\") != std::string::npos || out->file == "." ||
      out->file == "..")
    return c.fail("%s: \"file\" must be a plain file name next to the manifest", where.c_str());
  std::int64_t bytes;
  if (!get_int(c, *bin, "bytes", where, 0, std::int64_t(Limits::kBinBytes), &bytes)) {
    if (const json* b = find(*bin, "bytes"); b && b->is_integer() && b->i > 0)
      return c.fail("%s: %lld bytes, over the %lld-byte cap", where.c_str(), (long long)(b->i),
                    (long long)(Limits::kBinBytes));
    return false;
  }
  out->bytes = std::uint64_t(bytes);
  if (!get_string(c, *bin, "sha256", where, &out->sha256)) return false;
  if (!is_hex64(out->sha256))
    return c.fail("%s: \"sha256\" must be 64 lowercase hex digits", where.c_str());
  return true;
}

// Offsets inside their file and no two tensors of one file (the main bin holds the final
// weights and the snapshots without a file of their own) sharing bytes: sorted by (file,
// offset, position in the manifest), neighbours must not overlap.
bool check_ranges(Ctx& c, const Manifest& m) {
  std::vector<std::pair<const TensorEntry*, int>> all;  // int: -1 "tensors", else the snapshot
  for (const auto& t : m.tensors) all.push_back({&t, -1});
  for (std::size_t s = 0; s < m.snapshots.size(); ++s)
    for (const auto& t : m.snapshots[s].tensors) all.push_back({&t, int(s)});
  auto where = [&](std::size_t i) {
    const int s = all[i].second;
    return s < 0 ? std::string("tensors") : strformat("snapshot \"%s\"", m.snapshots[std::size_t(s)].name.c_str());
  };
  std::vector<std::uint64_t> key(all.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    const TensorEntry* t = all[i].first;
    const int s = all[i].second;
    const SnapshotEntry* own = s >= 0 && m.snapshots[std::size_t(s)].own_file() ? &m.snapshots[std::size_t(s)] : nullptr;
    const std::uint64_t file_bytes = own ? own->bin.bytes : m.bin_bytes;
    if (t->offset + t->length > file_bytes)
      return c.fail("%s \"%s\": bytes [%lld, %lld) lie outside %s %lld", where(i).c_str(),
                    t->name.c_str(), (long long)(t->offset), (long long)(t->offset + t->length),
                    own ? "its bin.bytes" : "bin.bytes", (long long)(file_bytes));
    // file: 0 = main bin, else 1 + snapshot (< 2^8); offset <= the 64 MiB bin cap (2^26);
    // at most 256 x 129 tensors (< 2^20)
    const std::uint64_t file = own ? std::uint64_t(s) + 1 : 0;
    key[i] = file << 47 | t->offset << 20 | i;
  }
  std::sort(key.begin(), key.end());
  for (std::size_t k = 1; k < key.size(); ++k) {
    if ((key[k - 1] >> 47) != (key[k] >> 47)) continue;  // different files
    const std::size_t i = std::size_t(key[k - 1] & 0xfffff), j = std::size_t(key[k] & 0xfffff);
    const TensorEntry *p = all[i].first, *q = all[j].first;
    if (p->offset + p->length > q->offset) {
      const std::uint64_t file = key[k] >> 47;
      return c.fail("%s \"%s\" and %s \"%s\" overlap in %s", where(i).c_str(), p->name.c_str(),
                    where(j).c_str(), q->name.c_str(),
                    (file ? m.snapshots[std::size_t(file - 1)].bin.file : m.bin_file).c_str());
    }
  }
  return true;
}

}  // namespace

std::int64_t TensorEntry::elements() const {
  std::int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

bool parse_manifest(std::string_view text, Manifest* out, std::string* error,
                    std::string_view source) {
  Ctx c{std::string(source), error};
  if (text.size() > Limits::kManifestBytes)
    return c.fail("manifest is %lld bytes, over the %lld-byte cap", (long long)(text.size()),
                  (long long)(Limits::kManifestBytes));
  json j;
  std::string why;
  if (!parse_json(text, &j, &why, 32)) return c.fail("not valid JSON: %s", why.c_str());
  if (!j.is_object()) return c.fail("top level must be a JSON object");
  Manifest m;
  std::string format;
  if (!get_string(c, j, "format", "manifest", &format)) return false;
  if (format != kFormatName)
    return c.fail("unknown format \"%s\" (expected \"%s\")", format.c_str(), kFormatName);
  if (!get_int32(c, j, "version", "manifest", 0, 1 << 20, &m.version)) return false;
  if (m.version < kOldestFormatVersion || m.version > kFormatVersion)
    return c.fail("unsupported version %lld (this reader knows %lld to %lld)",
                  (long long)(m.version), (long long)(kOldestFormatVersion),
                  (long long)(kFormatVersion));

  // conditioning
  const json* cond = find(j, "conditioning");
  if (!cond || !cond->is_object()) return c.fail("missing object \"conditioning\"");
  auto& cd = m.conditioning;
  if (!get_int32(c, *cond, "num_classes", "conditioning", 0, Limits::kDim, &cd.num_classes) ||
      !get_int32(c, *cond, "latent_dim", "conditioning", 1, Limits::kDim, &cd.latent_dim))
    return false;
  const json* ar = find(*cond, "alpha_range");
  if (!ar || !ar->is_array() || ar->items.size() != 2 || !as_float(ar->items[0], &cd.alpha_min) ||
      !as_float(ar->items[1], &cd.alpha_max) || cd.alpha_min > cd.alpha_max)
    return c.fail("conditioning: \"alpha_range\" must be [min, max] with min <= max");
  cd.alpha_range_json = std::string(text.substr(ar->begin, ar->end - ar->begin));
  std::string enc;
  if (!get_string(c, *cond, "alpha_encoding", "conditioning", &enc)) return false;
  if (enc != "alpha_minus_one")
    return c.fail("conditioning: unknown alpha_encoding \"%s\" (alpha_minus_one)", enc.c_str());

  // output
  const json* outp = find(j, "output");
  if (!outp || !outp->is_object()) return c.fail("missing object \"output\"");
  const json* os = find(*outp, "shape");
  if (!os || !os->is_array() || os->items.empty() || os->items.size() > 3)
    return c.fail("output: \"shape\" must be an array of 1..3 integers");
  for (const json& d : os->items) {
    if (!d.is_integer() || d.i < 1 || d.i > Limits::kDim)
      return c.fail("output: shape dimensions must be integers in [1, %lld]",
                    (long long)(Limits::kDim));
    m.output_shape.push_back(int(d.i));
  }
  const json* rg = find(*outp, "range");
  if (!rg || !rg->is_array() || rg->items.size() != 2 || !as_float(rg->items[0], &m.output_min) ||
      !as_float(rg->items[1], &m.output_max) || !(m.output_min < m.output_max))
    return c.fail("output: \"range\" must be [min, max] with min < max");
  m.output_range_json = std::string(text.substr(rg->begin, rg->end - rg->begin));

  // tensors, then layers (which reference them)
  if (!parse_tensors(c, find(j, "tensors"), "tensors", m.version, &m.tensors)) return false;
  const json* arch = find(j, "architecture");
  const json* layers = arch ? find(*arch, "layers") : nullptr;
  if (!layers || !layers->is_array() || layers->items.empty())
    return c.fail("\"architecture.layers\" must be a non-empty array");
  if (layers->items.size() > std::size_t(Limits::kLayers))
    return c.fail("more than %lld layers", (long long)(Limits::kLayers));
  for (std::size_t i = 0; i < layers->items.size(); ++i) {
    LayerSpec s;
    std::string w = strformat("layer %zu", i);
    if (!parse_layer(c, layers->items[i], w, &s)) return false;
    w = strformat("layer %zu (%s)", i, layer_type_name(s.type));
    if (!check_layer_tensors(c, s, m.tensors, w)) return false;
    m.layers.push_back(std::move(s));
  }

  // bin
  const json* bin = find(j, "bin");
  if (!bin || !bin->is_object()) return c.fail("missing object \"bin\"");
  BinRef main_bin;
  if (!parse_bin(c, bin, "bin", &main_bin)) return false;
  m.bin_file = main_bin.file;
  m.bin_bytes = main_bin.bytes;
  m.bin_sha256 = main_bin.sha256;

  // training (free-form object, kept for display)
  if (const json* tr = find(j, "training")) {
    if (!tr->is_object()) return c.fail("\"training\" must be an object");
    m.training_json = std::string(text.substr(tr->begin, tr->end - tr->begin));
  }

  // snapshots: same tensor names and shapes as "tensors"; dtype may differ
  if (const json* snaps = find(j, "snapshots")) {
    if (!snaps->is_array()) return c.fail("\"snapshots\" must be an array");
    if (snaps->items.size() > std::size_t(Limits::kSnapshots))
      return c.fail("more than %lld snapshots", (long long)(Limits::kSnapshots));
    std::set<std::string> names{"final", ""}, files{m.bin_file};
    for (std::size_t i = 0; i < snaps->items.size(); ++i) {
      const json& s = snaps->items[i];
      std::string w = strformat("snapshots[%zu]", i);
      SnapshotEntry e;
      if (!s.is_object()) return c.fail("%s: must be an object", w.c_str());
      if (!get_string(c, s, "name", w, &e.name)) return false;
      if (!names.insert(e.name).second)
        return c.fail("%s: duplicate or reserved snapshot name \"%s\"", w.c_str(), e.name.c_str());
      w = strformat("snapshot \"%s\"", e.name.c_str());
      if (!get_int(c, s, "step", w, 0, std::int64_t(1) << 53, &e.step)) return false;
      if (!parse_tensors(c, find(s, "tensors"), w + " tensors", m.version, &e.tensors)) return false;
      if (const json* sb = find(s, "bin")) {
        if (m.version < 2) return c.fail("%s: a snapshot \"bin\" needs format version 2", w.c_str());
        if (!parse_bin(c, sb, w + " bin", &e.bin)) return false;
        if (!files.insert(e.bin.file).second)
          return c.fail("%s: bin file \"%s\" is already used by another weight set", w.c_str(),
                        e.bin.file.c_str());
      }
      if (e.tensors.size() != m.tensors.size())
        return c.fail("%s: has %lld tensors, \"tensors\" has %lld", w.c_str(),
                      (long long)(e.tensors.size()), (long long)(m.tensors.size()));
      for (const auto& t : m.tensors)
        if (!check_tensor(c, e.tensors, t.name, t.shape, w)) return false;
      m.snapshots.push_back(std::move(e));
    }
  }
  if (!check_ranges(c, m)) return false;
  *out = std::move(m);
  return true;
}

}  // namespace drift::core
