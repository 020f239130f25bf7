// `drift-train eval`: loads a checkpoint's EMA generator, evaluates it per α against held-out
// data (images: classifier FD vs the real floor, accuracy, precision/recall, diversity,
// memorisation; 2D: energy distance vs the target floor), prints a table and writes
// metrics.json atomically.
#include <filesystem>
#include <iostream>
#include <sstream>

#include "drift/core/atomic_file.h"
#include "drift/eval/quick_eval.h"
#include "drift/export/export.h"
#include "drift/models/generator.h"
#include "registry.h"

namespace {

struct EvalArgs {
  std::string model_path;
  std::string dataset;  // default: the checkpoint config's dataset
  std::string alphas = "1,1.25,1.5,2";
  std::string out;      // default: <model dir>/metrics.json
  std::string weights = "ema";  // ema | raw
  drift::core::DType dtype = drift::core::DType::f32;  // as exported with this dtype
  drift::eval::QuickEvalOptions opt;
};

std::vector<double> parse_alphas(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      double a = std::stod(item, &used);
      if (used != item.size() || a < 1.0) throw std::invalid_argument(item);
      out.push_back(a);
    } catch (const std::exception&) {
      throw std::runtime_error("--alpha: '" + item + "' is not a number >= 1");
    }
  }
  if (out.empty()) throw std::runtime_error("--alpha: give at least one value, e.g. 1,1.5,2");
  return out;
}

void run_eval(EvalArgs a) {
  auto model = drift::models::load_checkpoint(a.model_path, a.weights);
  const std::string dataset = a.dataset.empty() ? model.config.dataset : a.dataset;
  if (dataset.empty())
    throw std::runtime_error(a.model_path + ": checkpoint names no dataset; pass --dataset");
  a.opt.alphas = parse_alphas(a.alphas);
  if (a.dtype != drift::core::DType::f32) drift::exporter::roundtrip_weights(model.ema, a.dtype);
  std::cout << "eval " << a.model_path << " (step " << model.step << ", " << drift::models::arch_name(model.config.arch)
            << ", dataset " << dataset << ")" << std::endl;
  auto result = drift::eval::quick_eval(model.ema, dataset, a.opt);
  if (result.contains("error")) throw std::runtime_error(result["error"].get<std::string>());
  result["model_path"] = a.model_path;
  result["step"] = model.step;
  result["weights"] = a.weights;
  result["dtype"] = drift::core::dtype_name(a.dtype);
  std::cout << drift::eval::format_eval_table(result);
  std::string out = a.out;
  if (out.empty()) {
    auto dir = std::filesystem::path(a.model_path).parent_path();
    out = (dir.empty() ? std::filesystem::path("metrics.json") : dir / "metrics.json").string();
  }
  drift::core::write_file_atomic(out, result.dump(2) + "\n");
  std::cout << "wrote " << out << std::endl;
}

void add_eval(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  auto* cmd = app.add_subcommand("eval", "Measure a trained model against held-out data");
  cmd->add_option("--model-path", args->model_path, "Checkpoint (RUN_DIR/model_final.pt, ckpt_*.pt, snapshot)")
      ->required();
  cmd->add_option("--alpha", args->alphas, "Guidance scales, comma separated")->capture_default_str();
  // 10,000 per alpha: the size of the MNIST / Fashion-MNIST test sets, so the generated set, the
  // real floor (10,000 train digits) and the test set all have the same n (FD is biased at small n).
  args->opt.n = 10000;
  cmd->add_option("--n", args->opt.n, "Samples per alpha (and real train samples for the floor)")
      ->capture_default_str()->check(CLI::Range(int64_t(20), int64_t(1000000)));
  cmd->add_option("--data-dir", args->opt.data_dir, "Folder holding the datasets")->capture_default_str();
  cmd->add_option("--dataset", args->dataset, "Override the checkpoint's dataset");
  cmd->add_option("--classifier", args->opt.classifier_path,
                  "Classifier file (default: <dataset dir>/classifier.pt)");
  cmd->add_option("--seed", args->opt.seed, "Noise seed")->capture_default_str();
  cmd->add_option("--weights", args->weights, "ema | raw (the optimised weights, without EMA)")->capture_default_str();
  cmd->add_option("--out", args->out, "metrics.json path (default: next to the model)");
  std::vector<std::pair<std::string, drift::core::DType>> dtypes;
  for (const auto& d : drift::core::kDTypes) dtypes.emplace_back(d.name, d.type);
  cmd->add_option("--dtype", args->dtype,
                  "evaluate the weights as `export --dtype` writes them (f32 = as trained)")
      ->transform(CLI::CheckedTransformer(dtypes))->capture_default_str();
  cmd->callback([args] { run_eval(*args); });
}

}  // namespace

DRIFT_REGISTER_COMMAND(add_eval);
