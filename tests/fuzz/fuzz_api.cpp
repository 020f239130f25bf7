// libFuzzer harness: the C API the page calls with a dropped model (drift/api/drift_api.h):
// drift_model_load, drift_model_info, drift_model_load_snapshot (a snapshot in its own file
// gets the same bin bytes, as fuzz_model does), drift_generate (one sample, seeded noise, the
// first snapshot or the final weights), drift_model_free. Input: manifest, NUL, bin (fuzz_common.h).
// A load fails with drift_last_error() one line "model.json: ...", or its info is valid JSON
// (the page parses it) and generating either works or reports one line; nothing crashes.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "drift/api/drift_api.h"
#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const drift_fuzz::ModelInput in = drift_fuzz::split_model_input(data, size);
  const int h = drift_model_load(in.manifest.data(), int(in.manifest.size()),
                                 reinterpret_cast<const uint8_t*>(in.bin.data()), int(in.bin.size()));
  if (!h) {
    drift_fuzz::check_one_line(drift_last_error(), "model.json: ");
    return 0;
  }
  const char* info = drift_model_info(h);
  if (!info) std::abort();
  const auto j = nlohmann::json::parse(info, nullptr, false);
  if (!j.is_object() || !j["snapshots"].is_array()) {
    std::fprintf(stderr, "drift_model_info is not a JSON object with snapshots: %s\n", info);
    std::abort();
  }
  std::string snapshot;
  if (!j["snapshots"].empty()) snapshot = j["snapshots"][0]["name"].get<std::string>();
  if (!snapshot.empty() && j["snapshots"][0].contains("file") &&
      drift_model_load_snapshot(h, snapshot.c_str(), reinterpret_cast<const uint8_t*>(in.bin.data()),
                                int(in.bin.size())) != 0)
    drift_fuzz::check_one_line(drift_last_error(), "model.json: ");
  const int out_size = drift_model_output_size(h);
  if (out_size <= 0) std::abort();
  std::vector<float> out(static_cast<size_t>(out_size));
  const int32_t label = 0;
  // The page's call: one forward (the costly part), of the first snapshot when there is one
  // (decoded on first use), else of the final weights.
  if (drift_generate(h, 1, &label, 1.0f, 7, 0, nullptr, snapshot.empty() ? nullptr : snapshot.c_str(),
                     out.data()) != 0)
    drift_fuzz::check_one_line(drift_last_error(), "");
  // An unknown snapshot is an error, not a crash.
  if (drift_generate(h, 1, &label, 1.0f, 7, 0, nullptr, "no-such-snapshot", out.data()) == 0) std::abort();
  drift_model_free(h);
  return 0;
}
