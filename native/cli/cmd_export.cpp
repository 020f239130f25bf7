// drift-train export --model-path CKPT|model.json --out DIR [--dtype f16|f32|int8] [--snapshots DIR]
// A model.json as --model-path converts an exported model (e.g. f16 -> int8) whose checkpoint
// is gone; its snapshots come along.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "drift/export/export.h"
#include "registry.h"
#include "validators.h"

namespace {
// The --dtype choices: the weights format's dtypes (drift/core/manifest.h).
std::vector<std::pair<std::string, drift::core::DType>> dtype_choices() {
  std::vector<std::pair<std::string, drift::core::DType>> v;
  for (const auto& d : drift::core::kDTypes) v.emplace_back(d.name, d.type);
  return v;
}

void add_export(CLI::App& app) {
  struct Args {
    std::string model, out;
    drift::exporter::ExportOptions opt;
  };
  auto a = std::make_shared<Args>();
  auto* cmd =
      app.add_subcommand("export", "Write model.json + model.bin for the web page and drift-infer");
  cmd->add_option("--model-path", a->model,
                  "checkpoint (RUN_DIR/model_final.pt), or an exported model.json to convert")
      ->required();
  cmd->add_option("--out", a->out, "output folder")->required();
  cmd->add_option("--dtype", a->opt.dtype,
                  "weight dtype in model.bin (default f16; int8: per-row scales, biases f16)")
      ->transform(CLI::CheckedTransformer(dtype_choices()));
  cmd->add_option("--snapshots", a->opt.snapshots_dir, "folder of step_*.pt snapshots to include");
  cmd->add_option("--max-snapshots", a->opt.max_snapshots,
                  "keep at most N snapshots, spaced geometrically in step (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--metrics", a->opt.metrics_json, "JSON file stored as training.metrics");
  cmd->add_option("--alpha-max", a->opt.alpha_max, "largest training alpha")->capture_default_str()
      ->check(drift::cli::finite_range(1.0, 100.0));
  cmd->callback([a] {
    const bool json = a->model.size() > 5 && a->model.compare(a->model.size() - 5, 5, ".json") == 0;
    auto r = json ? drift::exporter::convert_model(a->model, a->out, a->opt.dtype)
                  : drift::exporter::export_model(a->model, a->out, a->opt);
    std::printf("wrote %s and %s (%lld bytes, %lld parameters; %lld snapshots in their own files, "
                "%lld bytes)\n",
                r.manifest_path.c_str(), r.bin_path.c_str(), (long long)r.bin_bytes,
                (long long)r.parameters, (long long)r.snapshots, (long long)r.snapshot_bytes);
  });
}
DRIFT_REGISTER_COMMAND(add_export);
}  // namespace
