// export_model: a drift-train checkpoint (EMA weights) -> OUT/model.json + OUT/model.bin
// (docs/weights-format.md), optionally with the run's snapshots as named weight sets.
#pragma once
#include <cstdint>
#include <string>

#include "drift/models/generator.h"
#include "drift/export/writer.h"

namespace drift::exporter {

// ExportResult and convert_model are in writer.h (torch-free).

struct ExportOptions {
  drift::core::DType dtype = drift::core::DType::f16;
  std::string snapshots_dir;  // e.g. RUN_DIR/snapshots: step_*.pt files become snapshots
  int max_snapshots = 4;      // keep at most this many, spaced geometrically in step (0 = all);
                              // snapshots at or after the checkpoint's step are left out
  std::string metrics_json;   // a JSON file whose object becomes training.metrics
  std::string command;        // the command line that trained the model
  double alpha_min = 1.0, alpha_max = 4.0;  // training guidance range (conditioning.alpha_range)
  std::int64_t seed = -1;                   // training seed, -1 = unknown
  double wall_time_s = -1.0;                // training wall time, -1 = unknown
};


// Throws std::runtime_error("PATH: problem"). Writes are atomic; the result is re-read
// with the Eigen core's loader before returning, so a file that fails validation is an error.
ExportResult export_model(const std::string& checkpoint, const std::string& out_dir,
                          const ExportOptions& options = {});


// The pieces export_model uses, for callers that hold a generator in memory (the trainer at
// the end of a run, the parity tests): the manifest description of a config, and a
// generator's parameters as a weight set (names = named_parameters() keys).
ModelDescription describe_generator(const drift::models::Generator& g,
                                    const ExportOptions& options);
// Which of the sorted snapshot steps to keep: all when there are at most max (or max is 0),
// otherwise max of them spaced geometrically from the first to the last step, because the
// samples change fastest early in training. Returns indices into steps, ascending.
std::vector<std::size_t> pick_snapshots(const std::vector<std::int64_t>& steps, int max);

WeightSet generator_weights(const drift::models::Generator& g, const std::string& name,
                            std::int64_t step);

// Replaces g's parameters by what a page would compute from them after an export with
// `dtype`: the weights go through the writer (encode_model) and back through the core's reader
// (decode_tensor), so an eval of g measures exactly the exported weights (`drift-train eval
// --dtype int8`). f32 leaves them unchanged.
void roundtrip_weights(drift::models::Generator& g, drift::core::DType dtype);

}  // namespace drift::exporter
