// load_model: manifest -> layer plan (activation shapes chained through the stack) ->
// bin checks (size, SHA-256) -> weights decoded to f32 per weight set, all finite.
#include "drift/core/model.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>

#include "drift/core/gemm.h"
#include "drift/core/manifest_json.h"
#include "drift/core/manifest_sha256.h"
#include "drift/core/model_f16.h"

namespace drift::core {
namespace {

std::string shape_str(const ActShape& s) {
  // messages go through strformat: each inline concatenation costs wasm bytes
  if (s.flat) return strformat("[%lld]", (long long)s.c);
  return strformat("[%lld,%lld,%lld]", (long long)s.c, (long long)s.h, (long long)s.w);
}

// Resolves each layer's input/output shape and the float offsets of its tensors.
bool plan_layers(const Manifest& m, std::vector<LayerPlan>* plans, std::int64_t* max_act,
                 std::int64_t* floats, std::int64_t* params, std::string* why) {
  ActShape cur;
  cur.c = m.conditioning.latent_dim + m.conditioning.num_classes + 1;
  *max_act = cur.size();
  *floats = 0;
  *params = 0;
  for (std::size_t i = 0; i < m.layers.size(); ++i) {
    const LayerSpec& s = m.layers[i];
    std::string w = strformat("layer %zu (%s): ", i, layer_type_name(s.type));
    LayerPlan p;
    p.spec = s;
    p.in = cur;
    ActShape o = cur;
    std::int64_t wsize = 0, bsize = 0;
    switch (s.type) {
      case LayerType::linear:
        if (!cur.flat || cur.c != s.in) {
          *why = strformat("%sinput is %s but in = %lld", w.c_str(), (shape_str(cur)).c_str(),
                           (long long)(s.in));
          return false;
        }
        o.c = s.out;
        wsize = std::int64_t(s.out) * s.in;
        bsize = s.out;
        p.packed = kPackLinearWeights;
        break;
      case LayerType::conv2d: {
        if (cur.flat || cur.c != s.in_channels) {
          *why = strformat("%sinput is %s but in_channels = %lld%s", w.c_str(),
                           (shape_str(cur)).c_str(), (long long)(s.in_channels),
                           cur.flat ? " (reshape first)" : "");
          return false;
        }
        o.c = s.out_channels;
        o.h = cur.h + 2 * s.padding - s.kernel + 1;
        o.w = cur.w + 2 * s.padding - s.kernel + 1;
        if (o.h < 1 || o.w < 1) {
          *why = strformat("%skernel %lld does not fit input %s", w.c_str(), (long long)(s.kernel),
                           (shape_str(cur)).c_str());
          return false;
        }
        if (std::int64_t(cur.h) * cur.w * s.in_channels * s.kernel * s.kernel >
            Limits::kActivation * 16) {
          *why = strformat("%sim2col buffer over the cap", w.c_str());
          return false;
        }
        wsize = std::int64_t(s.out_channels) * s.in_channels * s.kernel * s.kernel;
        bsize = s.out_channels;
        break;
      }
      case LayerType::upsample_nearest:
        if (cur.flat) {
          *why = strformat("%sneeds a [C,H,W] input, got %s", w.c_str(), shape_str(cur).c_str());
          return false;
        }
        o.h = cur.h * s.scale;
        o.w = cur.w * s.scale;
        break;
      case LayerType::reshape:
        if (!cur.flat || cur.size() != std::int64_t(s.shape[0]) * s.shape[1] * s.shape[2]) {
          *why = strformat("%scannot reshape %s to [%lld,%lld,%lld]", w.c_str(),
                           (shape_str(cur)).c_str(), (long long)(s.shape[0]),
                           (long long)(s.shape[1]), (long long)(s.shape[2]));
          return false;
        }
        o.c = s.shape[0];
        o.h = s.shape[1];
        o.w = s.shape[2];
        o.flat = false;
        break;
      case LayerType::flatten:
        o.c = int(cur.size());
        o.h = o.w = 1;
        o.flat = true;
        break;
      default:
        break;
    }
    if (o.size() > Limits::kActivation || o.h > Limits::kDim || o.w > Limits::kDim) {
      *why = strformat("%soutput %s is over the %lld-element activation cap", w.c_str(),
                       (shape_str(o)).c_str(), (long long)(Limits::kActivation));
      return false;
    }
    if (!s.weight.empty()) {
      p.weight = *floats;
      *floats += p.packed ? packed_tn_size(s.out, s.in) : wsize;
      *params += wsize;
    }
    if (!s.bias.empty()) {
      p.bias = *floats;
      *floats += bsize;
      *params += bsize;
    }
    p.out = o;
    cur = o;
    if (o.size() > *max_act) *max_act = o.size();
    plans->push_back(std::move(p));
  }
  std::int64_t want = 1;
  for (int d : m.output_shape) want *= d;
  if (cur.size() != want) {
    *why = strformat("the last layer gives %lld values per sample but output.shape needs %lld",
                     (long long)(cur.size()), (long long)(want));
    return false;
  }
  return true;
}

// Decodes one tensor from the bin into dst (f32), rejecting NaN/inf.
}  // namespace

bool decode_tensor(const TensorEntry& t, const std::uint8_t* bin, float* dst, std::string* why) {
  const std::uint8_t* p = bin + t.offset;
  const std::int64_t n = t.elements();
  if (t.dtype == DType::f32) {
    std::memcpy(dst, p, std::size_t(n) * 4);  // little-endian hosts only (x86, wasm, arm)
  } else if (t.dtype == DType::f16) {
    for (std::int64_t i = 0; i < n; ++i)
      dst[i] = f16_to_f32(std::uint16_t(p[2 * i] | (p[2 * i + 1] << 8)));
  } else {  // int8: rows f32 scales, then the values row by row (value = scale x int8)
    const std::int64_t rows = t.shape[0], per_row = n / rows;
    const std::uint8_t* q = p + 4 * rows;
    for (std::int64_t r = 0; r < rows; ++r) {
      float scale;
      std::memcpy(&scale, p + 4 * r, 4);
      if (!std::isfinite(scale)) {
        *why = strformat("tensor \"%s\" has a non-finite scale at row %lld", t.name.c_str(),
                         (long long)(r));
        return false;
      }
      for (std::int64_t k = 0; k < per_row; ++k)
        dst[r * per_row + k] = scale * float(std::int8_t(q[r * per_row + k]));
    }
  }
  for (std::int64_t i = 0; i < n; ++i)
    if (!std::isfinite(dst[i])) {
      *why = strformat("tensor \"%s\" has a non-finite value at element %lld", t.name.c_str(),
                       (long long)(i));
      return false;
    }
  return true;
}

namespace {
const TensorEntry* find_tensor(const std::vector<TensorEntry>& ts, const std::string& name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace

// Decodes weight set `set` (0 = final) into dst (floats_ values), packing linear weights
// where the plan says so. False with *why if a tensor is missing or has a non-finite value.
bool Model::decode_set(int set, const std::uint8_t* bytes, float* dst, std::string* why) const {
  const auto& ts = set == 0 ? manifest_.tensors : manifest_.snapshots[std::size_t(set) - 1].tensors;
  std::vector<float> packbuf;
  for (const LayerPlan& p : layers_) {
    const std::string* names[2] = {&p.spec.weight, &p.spec.bias};
    const std::int64_t offs[2] = {p.weight, p.bias};
    for (int k = 0; k < 2; ++k) {
      if (offs[k] < 0) continue;
      const TensorEntry* t = find_tensor(ts, *names[k]);  // presence checked by the parser
      if (!t) {
        *why = strformat("missing tensor \"%s\"", names[k]->c_str());
        return false;
      }
      const bool pack = k == 0 && p.packed;
      if (pack) packbuf.resize(std::size_t(t->elements()));
      if (!decode_tensor(*t, bytes, pack ? packbuf.data() : dst + offs[k], why)) return false;
      if (pack) pack_tn(p.spec.out, p.spec.in, packbuf.data(), dst + offs[k]);
    }
  }
  return true;
}

bool Model::weight_set_ready(int index) const {
  if (index == 0) return true;
  return index > 0 && index < weight_set_count() && snap_ready_[std::size_t(index) - 1];
}

const float* Model::weights(int index) const {
  if (index <= 0) return final_.data();
  if (!weight_set_ready(index)) return nullptr;
  if (cached_set_ != index) {
    cached_.resize(std::size_t(floats_));
    std::string why;
    const std::string& src = manifest_.snapshots[std::size_t(index) - 1].own_file()
                                 ? snap_bins_[std::size_t(index) - 1] : bin_;
    decode_set(index, reinterpret_cast<const std::uint8_t*>(src.data()), cached_.data(), &why);
    cached_set_ = index;  // cannot fail: the same bytes decoded when they were taken
  }
  return cached_.data();
}

bool Model::load_snapshot(int index, const void* bin, std::size_t bin_size, std::string* error,
                          std::string_view source) {
  auto fail = [&](const std::string& what) {
    if (error) *error = std::string(source) + ": " + what;
    return false;
  };
  if (index < 1 || index >= weight_set_count())
    return fail(strformat("snapshot %lld does not exist", (long long)(index)));
  const SnapshotEntry& s = manifest_.snapshots[std::size_t(index) - 1];
  if (!s.own_file())
    return fail(strformat("snapshot \"%s\" is in %s, not in a file of its own", s.name.c_str(),
                          manifest_.bin_file.c_str()));
  if (snap_ready_[std::size_t(index) - 1]) return true;
  if (bin_size != s.bin.bytes)
    return fail(strformat("%s is %lld bytes but snapshot \"%s\" bin.bytes says %lld",
                          s.bin.file.c_str(), (long long)(bin_size), s.name.c_str(),
                          (long long)(s.bin.bytes)));
  if (bin_size && !bin) return fail("no bin data");
  const std::string digest = sha256_hex(bin, bin_size);
  if (digest != s.bin.sha256)
    return fail(strformat("%s: sha256 %s does not match snapshot \"%s\" bin.sha256 %s",
                          s.bin.file.c_str(), digest.c_str(), s.name.c_str(), s.bin.sha256.c_str()));
  std::vector<float> w(static_cast<std::size_t>(floats_));
  std::string why;
  if (!decode_set(index, static_cast<const std::uint8_t*>(bin), w.data(), &why))
    return fail(strformat("%s: snapshot \"%s\": %s", s.bin.file.c_str(), s.name.c_str(), why.c_str()));
  const auto* b = static_cast<const char*>(bin);
  snap_bins_[std::size_t(index) - 1].assign(b, b + bin_size);
  snap_ready_[std::size_t(index) - 1] = 1;
  return true;
}

int Model::input_dim() const {
  return manifest_.conditioning.latent_dim + manifest_.conditioning.num_classes + 1;
}

std::int64_t Model::output_size() const {
  std::int64_t n = 1;
  for (int d : manifest_.output_shape) n *= d;
  return n;
}

int Model::find_weight_set(std::string_view name) const {
  if (name.empty() || name == "final") return 0;
  for (std::size_t i = 0; i < manifest_.snapshots.size(); ++i)
    if (manifest_.snapshots[i].name == name) return int(i) + 1;
  return -1;
}

std::string Model::weight_set_name(int index) const {
  if (index <= 0 || index > int(manifest_.snapshots.size())) return "final";
  return manifest_.snapshots[std::size_t(index) - 1].name;
}

std::unique_ptr<Model> load_model(std::string_view manifest_json, const void* bin,
                                  std::size_t bin_size, std::string* error,
                                  std::string_view source) {
  std::string src(source);
  auto fail = [&](const std::string& what) -> std::unique_ptr<Model> {
    if (error) *error = src + ": " + what;  // what: one formatted message
    return nullptr;
  };
  std::unique_ptr<Model> model(new (std::nothrow) Model());
  if (!model) return fail("out of memory");
  if (!parse_manifest(manifest_json, &model->manifest_, error, source)) return nullptr;
  const Manifest& m = model->manifest_;
  std::string why;
  std::int64_t floats = 0;
  if (!plan_layers(m, &model->layers_, &model->max_activation_, &floats, &model->parameters_, &why))
    return fail(why);
  if (bin_size != m.bin_bytes)
    return fail(strformat("%s is %lld bytes but bin.bytes says %lld", m.bin_file.c_str(),
                          (long long)(bin_size), (long long)(m.bin_bytes)));
  if (bin_size && !bin) return fail("no bin data");
  std::string digest = sha256_hex(bin, bin_size);
  if (digest != m.bin_sha256)
    return fail(strformat("%s: sha256 %s does not match bin.sha256 %s", m.bin_file.c_str(),
                          digest.c_str(), m.bin_sha256.c_str()));
  const auto* bytes = static_cast<const std::uint8_t*>(bin);
  model->floats_ = floats;
  // Every weight set is decoded once here, so a bad value fails the load; snapshots are then
  // dropped and re-decoded on selection (Model::weights) from a copy of the bin, which keeps
  // memory at bin + two decoded sets instead of one decoded set per snapshot.
  std::vector<float> w(static_cast<std::size_t>(floats));
  bool in_bin = false;  // some snapshot lives in the main bin: keep a copy of it
  model->snap_bins_.resize(m.snapshots.size());
  model->snap_ready_.assign(m.snapshots.size(), 0);
  for (std::size_t s = 0; s <= m.snapshots.size(); ++s) {
    if (s > 0 && m.snapshots[s - 1].own_file()) continue;  // load_snapshot decodes it
    if (!model->decode_set(int(s), bytes, w.data(), &why))
      return fail(s ? strformat("snapshot \"%s\": %s", m.snapshots[s - 1].name.c_str(), why.c_str()) : why);
    if (s == 0) model->final_ = w;
    else in_bin = model->snap_ready_[s - 1] = 1;
  }
  if (in_bin) model->bin_.assign(bytes, bytes + bin_size);
  return model;
}

std::unique_ptr<Model> load_model_file(const std::string& manifest_path, std::string* error) {
  auto read = [](const std::string& path, std::uint64_t cap, std::string* out) -> int {
    std::ifstream f(path, std::ios::binary);
    if (!f) return 1;
    f.seekg(0, std::ios::end);
    std::streamoff size = f.tellg();
    if (size < 0) return 1;
    if (std::uint64_t(size) > cap) return 2;
    f.seekg(0);
    out->resize(std::size_t(size));
    if (size && !f.read(&(*out)[0], size)) return 1;
    return 0;
  };
  std::string text, bin;
  int rc = read(manifest_path, Limits::kManifestBytes, &text);
  if (rc) {
    if (error)
      *error = manifest_path + (rc == 1 ? ": cannot read file" : ": manifest over the 1 MiB cap");
    return nullptr;
  }
  Manifest m;
  if (!parse_manifest(text, &m, error, manifest_path)) return nullptr;
  std::string dir;
  if (auto slash = manifest_path.find_last_of('/'); slash != std::string::npos)
    dir = manifest_path.substr(0, slash + 1);
  const std::string bin_path = dir + m.bin_file;
  rc = read(bin_path, Limits::kBinBytes, &bin);
  if (rc) {
    if (error) *error = bin_path + (rc == 1 ? ": cannot read file" : ": over the 64 MiB cap");
    return nullptr;
  }
  auto model = load_model(text, bin.data(), bin.size(), error, manifest_path);
  for (std::size_t s = 0; model && s < m.snapshots.size(); ++s) {
    if (!m.snapshots[s].own_file()) continue;
    const std::string path = dir + m.snapshots[s].bin.file;
    rc = read(path, Limits::kBinBytes, &bin);
    if (rc == 1 && !std::ifstream(path)) continue;  // not there: that snapshot stays not ready
    if (rc) {
      if (error) *error = path + (rc == 1 ? ": cannot read file" : ": over the 64 MiB cap");
      return nullptr;
    }
    if (!model->load_snapshot(int(s) + 1, bin.data(), bin.size(), error, manifest_path))
      return nullptr;
  }
  return model;
}

}  // namespace drift::core
