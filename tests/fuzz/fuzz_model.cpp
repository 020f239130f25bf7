// libFuzzer harness: the core's manifest + bin loader (drift/core/model.h, load_model), what
// drift-infer and (through the C API) the page use. Input: manifest, NUL, bin (fuzz_common.h).
// A load either succeeds, with every weight set readable and finite, or fails with one line
// "model.json: problem"; it never throws and never crashes. Snapshots in files of their own
// (format version 2) are each offered the same bin bytes (the seeds give them the main bin's
// content, so "@SHA@" matches), which must load or fail the same way.
#include <cmath>

#include "drift/core/model.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const drift_fuzz::ModelInput in = drift_fuzz::split_model_input(data, size);
  std::string err;
  auto m = drift::core::load_model(in.manifest, in.bin.data(), in.bin.size(), &err, "model.json");
  if (!m) {
    drift_fuzz::check_one_line(err, "model.json: ");
    return 0;
  }
  // Every weight set (final and each snapshot) decodes to finite floats.
  for (int s = 0; s < m->weight_set_count(); ++s) {
    if (m->find_weight_set(m->weight_set_name(s)) != s) std::abort();
    if (!m->weight_set_ready(s)) {
      if (!m->load_snapshot(s, in.bin.data(), in.bin.size(), &err, "model.json")) {
        drift_fuzz::check_one_line(err, "model.json: ");
        if (m->weight_set_ready(s) || m->weights(s)) std::abort();
        continue;
      }
      if (!m->weight_set_ready(s)) std::abort();
    }
    const float* w = m->weights(s);
    for (int64_t i = 0; i < m->parameter_count(); ++i)
      if (!std::isfinite(w[i])) std::abort();
  }
  return 0;
}
