// The weights-format writer (model_writer.h): manifest JSON and bin layout in memory.
#include "drift/core/model_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "drift/core/manifest_sha256.h"
#include "drift/core/model_f16.h"
#include "drift/core/version.h"

namespace drift::core {
namespace {
using json = nlohmann::json;

// The shortest decimal that reads back as f (0.2f is written 0.2, not 0.20000000298).
double shortest(float f) {
  char buf[32];
  for (int digits = 6; digits < 9; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, double(f));
    if (std::strtof(buf, nullptr) == f) break;
  }
  return std::strtod(buf, nullptr);
}

// int8 with one scale per output row (shape[0]): scale = max|row| / 127, q = round(v / scale).
// Per row rather than per tensor because rows of one layer differ in magnitude by 10x and
// more, and one outlier row would otherwise flatten every other row to a few levels.
void put_int8(const TensorData& t, std::int64_t rows, char* out) {
  const std::int64_t n = std::int64_t(t.values.size()), per_row = n / rows;
  char* q = out + 4 * rows;
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* v = t.values.data() + r * per_row;
    float m = 0.0f;
    for (std::int64_t k = 0; k < per_row; ++k) m = std::max(m, std::fabs(v[k]));
    const float scale = m / 127.0f;  // 0 for an all-zero row: every q is 0 then
    std::memcpy(out + 4 * r, &scale, 4);
    for (std::int64_t k = 0; k < per_row; ++k) {
      const float x = scale > 0.0f ? std::nearbyint(v[k] / scale) : 0.0f;
      q[r * per_row + k] = char(std::int8_t(std::clamp(x, -127.0f, 127.0f)));
    }
  }
}

// Appends one weight set to bin and returns its "tensors" array. With int8 only weights
// (rank >= 2) are quantised; biases (rank 1) go as f16, since a scale per single value would
// take more bytes than the f16 itself.
json append_set(const WeightSet& set, DType want, std::string* bin) {
  json arr = json::array();
  for (const TensorData& t : set.tensors) {
    std::int64_t n = 1;
    for (auto d : t.shape) n *= d;
    if (n != std::int64_t(t.values.size()))
      throw std::runtime_error("export: tensor " + t.name + " has " +
                               std::to_string(t.values.size()) + " values for its shape");
    for (float v : t.values)
      if (!std::isfinite(v))
        throw std::runtime_error("export: tensor " + t.name + " has a non-finite value");
    const DType dtype = want == DType::int8 && t.shape.size() < 2 ? DType::f16 : want;
    bin->resize((bin->size() + 3) / 4 * 4, '\0');
    const std::size_t off = bin->size();
    const std::size_t len =
        std::size_t(tensor_bytes(dtype, n, t.shape.empty() ? 1 : t.shape[0]));
    bin->resize(off + len);
    if (dtype == DType::f32) {
      std::memcpy(&(*bin)[off], t.values.data(), len);  // little-endian host
    } else if (dtype == DType::int8) {
      put_int8(t, t.shape[0], &(*bin)[off]);
    } else {
      for (std::int64_t i = 0; i < n; ++i) {
        const std::uint16_t h = f32_to_f16(t.values[std::size_t(i)]);
        if ((h & 0x7c00u) == 0x7c00u)
          throw std::runtime_error("export: tensor " + t.name + " overflows f16 (use --dtype f32)");
        (*bin)[off + 2 * std::size_t(i)] = char(h & 0xff);
        (*bin)[off + 2 * std::size_t(i) + 1] = char(h >> 8);
      }
    }
    arr.push_back({{"name", t.name},
                   {"shape", t.shape},
                   {"dtype", dtype_name(dtype)},
                   {"offset", off},
                   {"length", len}});
  }
  return arr;
}
}  // namespace

json layers_json(const std::vector<LayerSpec>& layers) {
  json arr = json::array();
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerSpec& s = layers[i];
    const LayerInfo& info = layer_info(s.type);
    const std::string where = "export: layer " + std::to_string(i) + " (" + info.name + "): ";
    const auto check = [&](const char* name, int v, int lo, int hi) {
      if (v < lo || v > hi)
        throw std::runtime_error(where + "\"" + name + "\" is " + std::to_string(v) + ", not in [" +
                                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
    };
    json l = {{"type", info.name}};
    for (int k = 0; k < info.num_params; ++k) {
      const LayerParam& p = info.params[k];
      if (p.int_field) {
        check(p.name, s.*p.int_field, p.lo, p.hi);
        l[p.name] = s.*p.int_field;
      } else if (p.dims_field) {
        for (int d : s.*p.dims_field) check(p.name, d, p.lo, p.hi);
        l[p.name] = s.*p.dims_field;
      } else {
        if (!std::isfinite(s.*p.float_field))
          throw std::runtime_error(where + "\"" + p.name + "\" is not finite");
        l[p.name] = shortest(s.*p.float_field);
      }
    }
    if (info.weight) {
      if (s.weight.empty()) throw std::runtime_error(where + "no weight tensor name");
      l["weight"] = s.weight;
    }
    if (info.bias && !s.bias.empty()) l["bias"] = s.bias;
    if ((!info.weight && !s.weight.empty()) || (!info.bias && !s.bias.empty()))
      throw std::runtime_error(where + "this layer type takes no tensors");
    arr.push_back(std::move(l));
  }
  return arr;
}

static std::string snapshot_bin_name(const std::string& bin_name, std::size_t i) {
  const auto dot = bin_name.rfind('.');
  const std::string stem = dot == std::string::npos || dot == 0 ? bin_name : bin_name.substr(0, dot);
  return stem + ".snapshot-" + std::to_string(i + 1) + ".bin";
}

ModelFiles encode_model(const ModelDescription& d, const WeightSet& final_weights,
                        const std::vector<WeightSet>& snapshots, DType dtype,
                        const std::string& bin_name, bool snapshot_files) {
  ModelFiles f;
  json m;
  m["format"] = kFormatName;
  m["version"] = kFormatVersion;
  m["architecture"] = {{"layers", layers_json(d.layers)}};
  m["conditioning"] = {{"num_classes", d.num_classes},
                       {"latent_dim", d.latent_dim},
                       {"alpha_range", {d.alpha_min, d.alpha_max}},
                       {"alpha_encoding", "alpha_minus_one"}};
  m["output"] = {{"shape", d.output_shape}, {"range", {d.output_min, d.output_max}}};
  m["tensors"] = append_set(final_weights, dtype, &f.bin);
  if (!snapshots.empty()) {
    json snaps = json::array();
    for (const WeightSet& s : snapshots) {
      if (!snapshot_files) {
        snaps.push_back(
            {{"name", s.name}, {"step", s.step}, {"tensors", append_set(s, dtype, &f.bin)}});
        continue;
      }
      SnapshotFile sf{snapshot_bin_name(bin_name, f.snapshot_bins.size()), {}};
      json tensors = append_set(s, dtype, &sf.bin);
      snaps.push_back({{"name", s.name}, {"step", s.step}, {"tensors", tensors},
                       {"bin", {{"file", sf.file},
                                {"bytes", sf.bin.size()},
                                {"sha256", sha256_hex(sf.bin.data(), sf.bin.size())}}}});
      f.snapshot_bins.push_back(std::move(sf));
    }
    m["snapshots"] = snaps;
  }
  m["bin"] = {{"file", bin_name},
              {"bytes", f.bin.size()},
              {"sha256", sha256_hex(f.bin.data(), f.bin.size())}};
  m["training"] = d.training;
  f.manifest = m.dump(1) + "\n";
  return f;
}

}  // namespace drift::core
