#include "drift/data/toy_dataset.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <vector>

#include "drift/core/toy_data.h"

namespace drift::data {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// Parses a whole field as a finite float; false if anything else is there.
bool parse_float(const std::string& field, float& out) {
  const std::string t = trim(field);
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v)) return false;
  out = float(v);
  return std::isfinite(out);
}

}  // namespace

bool is_toy_dataset(const std::string& spec) {
  return drift::core::is_toy_name(spec) || (spec.rfind("csv:", 0) == 0 && spec.size() > 4);
}

torch::Tensor read_points_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<float> xy;
  std::string line;
  int64_t lineno = 0;
  bool seen_content = false;
  while (std::getline(in, line)) {
    ++lineno;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto comma = t.find(',');
    const std::string where = path + ":" + std::to_string(lineno) + ": ";
    if (comma == std::string::npos || t.find(',', comma + 1) != std::string::npos) {
      throw std::runtime_error(where + "expected two comma-separated values x,y, got '" + t + "'");
    }
    float x, y;
    const bool ok = parse_float(t.substr(0, comma), x) && parse_float(t.substr(comma + 1), y);
    if (!ok) {
      if (!seen_content) { seen_content = true; continue; }  // header line such as "x,y"
      throw std::runtime_error(where + "not two finite numbers: '" + t + "'");
    }
    seen_content = true;
    xy.push_back(x);
    xy.push_back(y);
  }
  if (in.bad()) throw std::runtime_error(path + ": read error");
  if (xy.empty()) throw std::runtime_error(path + ": no points");
  return torch::from_blob(xy.data(), {int64_t(xy.size() / 2), 2}, torch::kFloat32).clone();
}

ToyDataset make_toy(const std::string& spec) {
  ToyDataset ds;
  ds.name = spec;
  if (spec.rfind("csv:", 0) == 0 && spec.size() > 4) {
    ds.points = read_points_csv(spec.substr(4));
  } else if (!drift::core::is_toy_name(spec)) {
    drift::core::sample_toy(spec, 0, 0);  // throws the core's message listing the known sets
    throw std::runtime_error("toy data: unknown set '" + spec + "'");
  }
  return ds;
}

torch::Tensor ToyDataset::sample(int64_t n, at::Generator& gen) const {
  // -> [n, 2]
  if (n < 0) throw std::runtime_error("toy data '" + name + "': negative sample count");
  if (!is_sampler()) {
    const auto idx = torch::randint(points.size(0), {n}, gen, torch::TensorOptions().dtype(torch::kInt64));
    return points.index_select(0, idx);
  }
  if (n > int64_t(INT32_MAX / 2)) throw std::runtime_error("toy data '" + name + "': too many samples");
  // One 62-bit seed from the torch generator drives the core's SplitMix64 stream.
  const int64_t seed = torch::randint(int64_t(1) << 62, {1}, gen, torch::TensorOptions().dtype(torch::kInt64)).item<int64_t>();
  auto out = torch::empty({n, 2}, torch::kFloat32);
  drift::core::ToyRng rng{static_cast<uint64_t>(seed)};
  drift::core::sample_toy(name, int(n), rng, out.data_ptr<float>());
  return out;
}

}  // namespace drift::data
