// quick_eval: the evaluation run at the end of every `drift-train train` and by
// `drift-train eval`. Image models: FD/floor, accuracy, precision/recall, diversity,
// memorisation per α (needs DATA_DIR/<dataset>/classifier.pt); 2D toy models: energy
// distance to fresh target samples vs the target-vs-target floor.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "drift/models/generator.h"

namespace drift::eval {

struct QuickEvalOptions {
  int64_t n = 2000;                           // samples per α
  std::vector<double> alphas{1.0, 1.25, 1.5, 2.0};
  std::string data_dir = "data";
  std::string classifier_path;                // default: <dataset dir>/classifier.pt
  uint64_t seed = 1234;                       // noise for the generated samples
};

// dataset: mnist | fashion-mnist | idx:DIR | a name of drift::core::toy_names().
// Never trains anything. If the classifier file is missing, image results carry
// {"error": "PATH: no classifier here; ..."} instead of metrics, so training never fails
// because of its evaluation. Errors in the data or the generator still throw.
nlohmann::json quick_eval(drift::models::Generator& generator, const std::string& dataset,
                          const QuickEvalOptions& opt);

// The table `drift-train eval` prints (one row per α, the floor alongside).
std::string format_eval_table(const nlohmann::json& result);

}  // namespace drift::eval
