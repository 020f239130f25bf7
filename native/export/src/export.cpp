#include "drift/export/export.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "drift/core/atomic_file.h"
#include "drift/core/model.h"

namespace drift::exporter {
namespace fs = std::filesystem;

WeightSet generator_weights(const drift::models::Generator& g, const std::string& name,
                            std::int64_t step) {
  WeightSet set;
  set.name = name;
  set.step = step;
  torch::NoGradGuard ng;
  for (const auto& kv : g->named_parameters(true)) {
    TensorData t;
    t.name = kv.key();
    auto v = kv.value().detach().to(torch::kCPU, torch::kFloat).contiguous();
    t.shape = v.sizes().vec();
    t.values.assign(v.data_ptr<float>(), v.data_ptr<float>() + v.numel());
    set.tensors.push_back(std::move(t));
  }
  return set;
}

void roundtrip_weights(drift::models::Generator& g, drift::core::DType dtype) {
  const ModelFiles f = encode_model(describe_generator(g, {}), generator_weights(g, "final", 0), {}, dtype);
  drift::core::Manifest m;
  std::string err;
  if (!drift::core::parse_manifest(f.manifest, &m, &err))
    throw std::runtime_error("roundtrip_weights: " + err);
  torch::NoGradGuard ng;
  auto params = g->named_parameters(true);
  for (const auto& t : m.tensors) {
    std::vector<float> v(std::size_t(t.elements()));
    if (!drift::core::decode_tensor(t, reinterpret_cast<const std::uint8_t*>(f.bin.data()), v.data(), &err))
      throw std::runtime_error("roundtrip_weights: " + err);
    torch::Tensor p = params[t.name];
    p.copy_(torch::from_blob(v.data(), p.sizes(), torch::kFloat).to(p.device(), p.scalar_type()));
  }
}

std::vector<std::size_t> pick_snapshots(const std::vector<std::int64_t>& steps, int max) {
  std::vector<std::size_t> keep;
  if (max <= 0 || steps.size() <= std::size_t(max)) {
    for (std::size_t i = 0; i < steps.size(); ++i) keep.push_back(i);
    return keep;
  }
  const double first = double(std::max<std::int64_t>(steps.front(), 1));
  const double last = double(std::max<std::int64_t>(steps.back(), 1));
  std::size_t from = 0;  // each pick comes after the previous one, so picks stay distinct
  for (int j = 0; j < max; ++j) {
    const double want = max == 1 ? last : first * std::pow(last / first, double(j) / (max - 1));
    const std::size_t latest = steps.size() - std::size_t(max - j);  // leave room for the rest
    std::size_t best = from;
    for (std::size_t i = from; i <= latest; ++i)
      if (std::abs(double(steps[i]) - want) < std::abs(double(steps[best]) - want)) best = i;
    keep.push_back(best);
    from = best + 1;
  }
  return keep;
}

ModelDescription describe_generator(const drift::models::Generator& g, const ExportOptions& opt) {
  const auto& cfg = g->config();
  ModelDescription d;
  d.layers = g->specs();
  d.num_classes = cfg.num_classes;
  d.latent_dim = cfg.latent_dim;
  d.alpha_min = opt.alpha_min;
  d.alpha_max = opt.alpha_max;
  d.output_shape = cfg.output_shape;
  // Data units (models/generator.h): images are pixels in [0,1]; 2D toys lie in ~[-3,3].
  const bool image = cfg.output_shape.size() == 3;
  d.output_min = image ? 0.0 : -4.0;
  d.output_max = image ? 1.0 : 4.0;
  d.training = {{"dataset", cfg.dataset}, {"arch", models::arch_name(cfg.arch)}};
  if (opt.seed >= 0) d.training["seed"] = opt.seed;
  if (opt.wall_time_s >= 0) d.training["wall_time_s"] = opt.wall_time_s;
  if (!opt.command.empty()) d.training["command"] = opt.command;
  if (!opt.metrics_json.empty()) {
    auto m = nlohmann::json::parse(drift::core::read_file(opt.metrics_json), nullptr, false);
    if (m.is_discarded() || !m.is_object())
      throw std::runtime_error(opt.metrics_json + ": not a JSON object");
    d.training["metrics"] = m;
  }
  return d;
}

namespace {
// JSON object in path, or null when the file is absent or unreadable (it is optional).
nlohmann::json read_optional_json(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return nullptr;
  auto j = nlohmann::json::parse(drift::core::read_file(path.string()), nullptr, false);
  return j.is_object() ? j : nlohmann::json(nullptr);
}

// An export made by hand from RUN_DIR/<checkpoint> still records how the model was trained:
// the command and seed from RUN_DIR/options.json and the quick eval from RUN_DIR/eval.json.
ExportOptions with_run_facts(const std::string& checkpoint, ExportOptions opt) {
  const fs::path run_dir = fs::path(checkpoint).parent_path();
  const nlohmann::json options = read_optional_json(run_dir / "options.json");
  if (options.is_object()) {
    if (opt.command.empty() && options.value("command", "") != "") opt.command = options["command"];
    if (opt.seed < 0 && options.contains("seed")) opt.seed = options["seed"].get<std::int64_t>();
  }
  if (opt.metrics_json.empty() && fs::is_regular_file(run_dir / "eval.json"))
    opt.metrics_json = (run_dir / "eval.json").string();
  return opt;
}
}  // namespace

ExportResult export_model(const std::string& checkpoint, const std::string& out_dir,
                          const ExportOptions& given) {
  const ExportOptions opt = with_run_facts(checkpoint, given);
  drift::models::LoadedModel lm = drift::models::load_checkpoint(checkpoint);
  const auto& cfg = lm.config;

  ModelDescription d = describe_generator(lm.ema, opt);
  d.training["steps"] = lm.step;
  // A hand export of a training checkpoint still records how long training took.
  if (opt.wall_time_s < 0 && lm.wall_s >= 0) d.training["wall_time_s"] = lm.wall_s;
  d.training["checkpoint"] = fs::path(checkpoint).filename().string();

  std::vector<WeightSet> snaps;
  if (!opt.snapshots_dir.empty()) {
    if (!fs::is_directory(opt.snapshots_dir))
      throw std::runtime_error(opt.snapshots_dir + ": not a folder");
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(opt.snapshots_dir))
      if (e.path().extension() == ".pt") files.push_back(e.path());
    std::sort(files.begin(), files.end());  // step_<8 digits>: name order is step order
    std::vector<std::int64_t> steps;
    std::vector<fs::path> earlier;  // a snapshot at the final step would repeat "final"
    for (const auto& p : files) {
      const std::string stem = p.stem().string();
      const auto digits = stem.find_first_of("0123456789");
      const std::int64_t step = digits == std::string::npos ? 0 : std::stoll(stem.substr(digits, 18));
      if (step >= lm.step) continue;
      steps.push_back(step);
      earlier.push_back(p);
    }
    files = earlier;
    std::vector<fs::path> kept;
    for (std::size_t i : pick_snapshots(steps, opt.max_snapshots)) kept.push_back(files[i]);
    const std::string want = nlohmann::json(cfg).dump();
    for (const auto& p : kept) {
      drift::models::LoadedModel s = drift::models::load_checkpoint(p.string());
      if (nlohmann::json(s.config).dump() != want)
        throw std::runtime_error(p.string() + ": generator config differs from " + checkpoint);
      snaps.push_back(generator_weights(s.ema, p.stem().string(), s.step));
    }
  }

  ModelFiles files = encode_model(d, generator_weights(lm.ema, "final", lm.step), snaps, opt.dtype,
                                  "model.bin", /*snapshot_files=*/true);
  return validate_and_write(files, out_dir, lm.ema->num_parameters());
}

}  // namespace drift::exporter
