// drift-digits: the browser digit trainer run natively, through the same C API the wasm module
// exports (drift_api.h "digit trainer"), so its step is the wasm step's sources compiled
// natively. One thread (the core has none).
//   drift-digits bench --pack P [--steps N] [--warmup W] [--arch A]
//       prints one JSON line: {"arch":..,"steps":N,"step_ms":..,"params":..}
//   drift-digits train --pack P --out DIR [--marks 15,30,60,120] [--arch A] [--seed S]
//       trains for the largest mark (seconds of step time: exports and sampling are not
//       counted) and at each mark writes DIR/t<mark>/model.json + model.bin and samples.f32
//       (the sample grid, 2 per class); prints a JSON line per mark:
//       {"seconds":..,"steps":..,"loss":..,"quality":..}
//   drift-digits train ... --step-marks 1128,2255,4540
//       the same at fixed step counts instead (DIR/s<steps>/): deterministic for a seed,
//       whatever the machine's load (the sweep of docs/digit-trainer.md)
// Errors: one line "drift-digits: error: ..." and exit 1.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "drift/api/drift_api.h"
#include "drift/core/atomic_file.h"
#include "drift/core/idx.h"

namespace {
using Clock = std::chrono::steady_clock;

struct Args {
  std::string cmd, pack, out, arch, marks = "15,30,60,120", step_marks;
  int steps = 50, warmup = 5;
  std::uint64_t seed = 0;
};

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check(int rc, const char* what) {
  if (rc < 0) throw std::runtime_error(std::string(what) + ": " + drift_last_error());
}

int make_trainer(const Args& a) {
  const int h = drift_digits_create(a.arch.c_str(), std::uint32_t(a.seed), std::uint32_t(a.seed >> 32), 0.0f);
  if (!h) throw std::runtime_error(drift_last_error());
  std::string bytes = drift::core::read_file(a.pack);
  if (bytes.size() >= 2 && std::uint8_t(bytes[0]) == 0x1f && std::uint8_t(bytes[1]) == 0x8b) {
    const std::vector<std::uint8_t> raw = drift::core::gunzip(bytes, a.pack);
    bytes.assign(raw.begin(), raw.end());
  }
  if (drift_digits_set_data(h, reinterpret_cast<const std::uint8_t*>(bytes.data()), int(bytes.size()),
                            a.pack.c_str()) < 0)
    throw std::runtime_error(drift_last_error());
  return h;
}

void bench(const Args& a) {
  const int h = make_trainer(a);
  check(drift_digits_step(h, a.warmup), "step");
  const auto t0 = Clock::now();
  check(drift_digits_step(h, a.steps), "step");
  const double ms = seconds_since(t0) * 1000.0 / a.steps;
  std::printf("{\"arch\":\"%s\",\"steps\":%d,\"step_ms\":%.3f,\"params\":%d}\n",
              a.arch.empty() ? "default" : a.arch.c_str(), a.steps, ms, drift_digits_param_count(h));
}

void train(const Args& a) {
  if (a.out.empty()) throw std::runtime_error("train: --out DIR is required");
  const bool by_steps = !a.step_marks.empty();
  const std::string& list = by_steps ? a.step_marks : a.marks;
  std::vector<double> marks;
  for (std::size_t i = 0; i < list.size();) {
    std::size_t j = list.find(',', i);
    if (j == std::string::npos) j = list.size();
    marks.push_back(std::atof(list.substr(i, j - i).c_str()));
    if (!(marks.back() > 0) || (by_steps && marks.back() != double(int(marks.back()))))
      throw std::runtime_error(std::string(by_steps ? "--step-marks" : "--marks") + ": '" + list + "' is not a list of " +
                               (by_steps ? "step counts" : "seconds"));
    i = j + 1;
  }
  const int h = make_trainer(a);
  double trained = 0.0;
  for (double mark : marks) {
    while (by_steps ? drift_digits_step_count(h) < int(mark) : trained < mark) {
      const int k = by_steps ? std::min(5, int(mark) - drift_digits_step_count(h)) : 5;
      const auto t0 = Clock::now();
      check(drift_digits_step(h, k), "step");
      trained += seconds_since(t0);
    }
    check(drift_digits_export(h), "export");
    const std::string dir = a.out + (by_steps ? "/s" : "/t") + std::to_string(int(mark));
    std::filesystem::create_directories(dir);
    drift::core::write_file_atomic(dir + "/model.bin",
                                   std::string(reinterpret_cast<const char*>(drift_digits_export_bin(h)),
                                               std::size_t(drift_digits_export_bin_size(h))));
    drift::core::write_file_atomic(dir + "/model.json", drift_digits_export_manifest(h));
    // the sample grid (2 per class, class-major, raw float32): what the export must draw for
    // this seed (tests/unit/digits_infer.sh)
    const float* grid = drift_digits_sample(h, 2);
    drift::core::write_file_atomic(dir + "/samples.f32", std::string(reinterpret_cast<const char*>(grid), 20 * 784 * sizeof(float)));
    std::printf("{\"seconds\":%.1f,\"steps\":%d,\"loss\":%.4f,\"quality\":%.4f,\"model\":\"%s/model.json\"}\n", trained,
                drift_digits_step_count(h), drift_digits_loss(h), drift_digits_quality(h), dir.c_str());
    std::fflush(stdout);
  }
}
}  // namespace

int main(int argc, char** argv) {
  try {
    Args a;
    if (argc < 2) throw std::runtime_error("usage: drift-digits bench|train --pack FILE [options] (see the source's header)");
    a.cmd = argv[1];
    for (int i = 2; i < argc; i += 2) {
      const std::string k = argv[i];
      if (i + 1 >= argc) throw std::runtime_error(k + ": needs a value");
      const std::string v = argv[i + 1];
      if (k == "--pack") a.pack = v;
      else if (k == "--out") a.out = v;
      else if (k == "--arch") a.arch = v;
      else if (k == "--marks") a.marks = v;
      else if (k == "--step-marks") a.step_marks = v;
      else if (k == "--steps") a.steps = std::atoi(v.c_str());
      else if (k == "--warmup") a.warmup = std::atoi(v.c_str());
      else if (k == "--seed") a.seed = std::strtoull(v.c_str(), nullptr, 10);
      else throw std::runtime_error("unknown option " + k);
    }
    if (a.pack.empty()) throw std::runtime_error("--pack FILE is required");
    if (a.steps < 1 || a.warmup < 0) throw std::runtime_error("--steps must be >= 1, --warmup >= 0");
    if (a.cmd == "bench") bench(a);
    else if (a.cmd == "train") train(a);
    else throw std::runtime_error("unknown command '" + a.cmd + "' (bench | train)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "drift-digits: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
