// drift-infer bench --model model.json [--batch 1,16,256] [--seconds 1]: samples per second
// of the Eigen forward per batch size, single thread, as one JSON line per batch. Timed by
// the process's CPU clock, which a loaded shared machine disturbs far less than wall time.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "drift/core/generator.h"
#include "infer.h"

namespace {
struct Args {
  std::string model, batches = "1,16,256";
  double seconds = 1.0;
};

void run(const Args& a) {
  using namespace drift;
  const auto cpu_s = [] { return double(std::clock()) / CLOCKS_PER_SEC; };
  auto model = infer::load_or_throw(a.model);
  core::Generator g(*model);
  for (int b : infer::parse_int_list(a.batches, "--batch")) {
    if (b < 1 || b > 65536) throw std::runtime_error("--batch: sizes must be in [1, 65536]");
    std::vector<std::int32_t> labels(static_cast<std::size_t>(b));
    for (int i = 0; i < b; ++i)
      labels[std::size_t(i)] = model->num_classes() ? i % model->num_classes() : 0;
    std::vector<float> out(std::size_t(b) * std::size_t(model->output_size()));
    core::GenerateRequest r;
    r.n = b;
    r.labels = labels.data();
    r.alpha = 2.0f;
    std::string err;
    if (!g.generate(r, out.data(), &err)) throw std::runtime_error(err);  // warm-up
    long samples = 0;
    int calls = 0;
    const double t0 = cpu_s();
    double el = 0;
    do {
      r.seed = std::uint64_t(calls++);
      g.generate(r, out.data(), &err);
      samples += b;
      el = cpu_s() - t0;
    } while (el < a.seconds || calls < 3);
    std::printf(
        "{\"engine\":\"native-eigen\",\"batch\":%d,\"samples_per_s\":%.1f,\"calls\":%d,"
        "\"clock\":\"cpu\"}\n",
        b, double(samples) / el, calls);
  }
}

void add(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* c = app.add_subcommand("bench", "Samples per second of the forward at several batch sizes");
  c->add_option("--model", a->model, "model.json")->required();
  c->add_option("--batch", a->batches, "comma-separated batch sizes")->capture_default_str();
  c->add_option("--seconds", a->seconds, "time per batch size")->capture_default_str();
  c->callback([a] { run(*a); });
}
DRIFT_INFER_COMMAND(add);
}  // namespace
