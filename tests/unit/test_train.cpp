// Training loop: alpha sampling, determinism, exact resume, interrupt, non-finite stop, records.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include <dlfcn.h>

#include "drift/core/npy.h"
#include "drift/logging/tensorboard.h"
#include "drift/export/export.h"
#include "drift/models/generator.h"
#include "drift/train/alpha.h"
#include "drift/train/runtime.h"
#include "drift/train/trainer.h"

namespace fs = std::filesystem;
using namespace drift::train;

namespace {
fs::path fresh_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("drift_test_train_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TrainOptions toy_options(const fs::path& out, int64_t steps) {
  TrainOptions o;
  o.dataset = "moons";
  o.out = out.string();
  o.steps = steps;
  o.batch_size = 64;
  o.warmup = 5;
  o.log_every = 5;
  o.ckpt_every = 1000;
  o.final_eval = false;
  o.seed = 11;
  o.device = Device::cpu;
  return o;
}

bool same_weights(const std::string& a, const std::string& b) {
  auto ma = drift::models::load_checkpoint(a), mb = drift::models::load_checkpoint(b);
  auto pa = ma.ema->parameters(), pb = mb.ema->parameters();
  if (pa.size() != pb.size()) return false;
  for (size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}
}  // namespace

TEST_CASE("alpha: point mass at 1 and a power-law continuous part", "[train]") {
  AlphaOptions opt;
  opt.alpha_max = 4.0;
  opt.k = 3.0;
  opt.frac_one = 0.3;
  auto gen = at::detail::createCPUGenerator(5);
  const int64_t n = 200000;
  auto a = sample_alpha(n, opt, gen).to(torch::kDouble);
  CHECK(a.min().item<double>() >= 1.0);
  CHECK(a.max().item<double>() <= 4.0);
  // P(alpha == 1) = frac_one (the continuous part hits exactly 1 with probability 0).
  const double at_one = (a == 1.0).to(torch::kDouble).mean().item<double>();
  CHECK(at_one == Approx(0.3).margin(0.006));
  // Continuous part: CDF(t) = (1 - t^-2) / (1 - 4^-2) for k = 3.
  auto cont = a.masked_select(a > 1.0);
  for (double t : {1.2, 1.5, 2.0, 3.0}) {
    const double want = (1 - std::pow(t, -2.0)) / (1 - std::pow(4.0, -2.0));
    const double got = (cont <= t).to(torch::kDouble).mean().item<double>();
    INFO("t = " << t);
    CHECK(got == Approx(want).margin(0.006));
  }
  // k = 1: log-uniform, median sqrt(amax).
  opt.k = 1.0;
  opt.frac_one = 0.0;
  auto b = sample_alpha(n, opt, gen);
  CHECK(b.median().item<double>() == Approx(2.0).margin(0.03));
}

TEST_CASE("alpha: unconditional weight (alpha-1)(G-1)/U", "[train]") {
  auto w = uncond_weight(torch::tensor({1.0f, 2.0f, 3.5f}), 33, 16);
  CHECK(w[0].item<float>() == Approx(0.0));
  CHECK(w[1].item<float>() == Approx(2.0));
  CHECK(w[2].item<float>() == Approx(5.0));
  CHECK(uncond_weight(torch::tensor({2.0f}), 33, 0)[0].item<float>() == 0.0f);
}

TEST_CASE("training is deterministic and resume continues exactly", "[train]") {
  auto root = fresh_dir("resume");
  auto full = run_training(toy_options(root / "full", 20));
  auto again = run_training(toy_options(root / "again", 20));
  CHECK(same_weights(full.final_checkpoint, again.final_checkpoint));

  auto half = run_training(toy_options(root / "split", 10));
  CHECK(half.step == 10);
  TrainOptions more;
  more.steps = 20;
  more.final_eval = false;
  more.device = Device::cpu;
  auto resumed = run_training(more, (root / "split").string());
  CHECK(resumed.step == 20);
  CHECK(same_weights(full.final_checkpoint, resumed.final_checkpoint));

  auto other = toy_options(root / "seed", 20);
  other.seed = 12;
  CHECK_FALSE(same_weights(full.final_checkpoint, run_training(other).final_checkpoint));
  fs::remove_all(root);
}

TEST_CASE("a run stopped before its first checkpoint restarts with --resume", "[train]") {
  auto root = fresh_dir("resume_early");
  auto full = run_training(toy_options(root / "full", 12));
  // What a run killed before its first checkpoint leaves: its folder with options.json.
  fs::create_directories(root / "early");
  std::ofstream(root / "early" / "options.json") << nlohmann::json(toy_options(root / "early", 12)).dump(2);
  TrainOptions resume;  // only what --resume passes: no steps, cpu, no eval
  resume.final_eval = false;
  resume.device = Device::cpu;
  auto r = run_training(resume, (root / "early").string());
  CHECK(r.step == 12);
  CHECK(same_weights(full.final_checkpoint, r.final_checkpoint));
  fs::remove_all(root);
}

TEST_CASE("a new run refuses a folder that holds another run", "[train]") {
  auto root = fresh_dir("refuse");
  auto first = run_training(toy_options(root / "a", 4));
  const auto before = fs::last_write_time(first.final_checkpoint);
  // A folder with checkpoints, or with options.json only (stopped before its first checkpoint).
  CHECK_THROWS_WITH(run_training(toy_options(root / "a", 4)),
                    Catch::Contains((root / "a").string() + ": holds another run (checkpoints); continue it with --resume"));
  fs::create_directories(root / "b");
  std::ofstream(root / "b" / "options.json") << nlohmann::json(toy_options(root / "b", 4)).dump(2);
  CHECK_THROWS_WITH(run_training(toy_options(root / "b", 4)), Catch::Contains("holds another run (options.json"));
  CHECK(fs::last_write_time(first.final_checkpoint) == before);
  CHECK_FALSE(fs::exists(root / "b" / "ckpt_4.pt"));
  // An empty folder (or one a run was killed in before it wrote anything) is fine.
  fs::create_directories(root / "c");
  CHECK(run_training(toy_options(root / "c", 2)).step == 2);
  fs::remove_all(root);
}

TEST_CASE("a hand export of a run's checkpoint records the training wall time", "[train]") {
  auto root = fresh_dir("hand_export");
  auto r = run_training(toy_options(root / "run", 8));  // final_eval off: no automatic export
  REQUIRE(r.wall_s > 0);
  drift::exporter::export_model(r.final_checkpoint, (root / "out").string(), {});
  std::ifstream in(root / "out" / "model.json");
  const auto training = nlohmann::json::parse(in).at("training");
  CHECK(training.at("wall_time_s").get<double>() == Approx(r.wall_s).epsilon(0.05));
  CHECK(training.at("steps") == 8);
  fs::remove_all(root);
}

TEST_CASE("an interrupt writes a checkpoint that resumes", "[train]") {
  auto root = fresh_dir("interrupt");
  std::thread t([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    request_interrupt();
  });
  auto r = run_training(toy_options(root, 1000000));
  t.join();
  REQUIRE(r.interrupted);
  CHECK(r.step > 0);
  CHECK(fs::exists(r.final_checkpoint));
  CHECK(drift::models::load_checkpoint(r.final_checkpoint).step == r.step);
  TrainOptions more;
  more.steps = r.step + 3;
  more.final_eval = false;
  auto r2 = run_training(more, root.string());
  CHECK(r2.step == r.step + 3);
  CHECK_FALSE(r2.interrupted);
  fs::remove_all(root);
}

TEST_CASE("a non-finite loss stops with a clear message and keeps a good checkpoint", "[train]") {
  auto root = fresh_dir("nan");
  const auto csv = (root / "huge.csv").string();
  { std::ofstream(csv) << "x,y\n1e30,1e30\n-1e30,2e30\n"; }
  auto o = toy_options(root / "run", 10);
  o.dataset = "csv:" + csv;
  try {
    run_training(o);
    FAIL("expected a non-finite loss error");
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("non-finite loss at step 0"));
    CHECK_THAT(msg, Catch::Contains("Last good checkpoint"));
    const auto ckpt = (root / "run" / "ckpt_0.pt").string();
    CHECK_THAT(msg, Catch::Contains(ckpt));
    REQUIRE(fs::exists(ckpt));
    auto m = drift::models::load_checkpoint(ckpt);
    for (const auto& p : m.ema->parameters()) CHECK(torch::isfinite(p).all().item<bool>());
  }
  fs::remove_all(root);
}

TEST_CASE("--record writes EMA snapshots and generated points", "[train]") {
  auto root = fresh_dir("record");
  auto o = toy_options(root, 10);
  o.record = 5;
  run_training(o);
  for (const char* s : {"step_00000005", "step_00000010"}) {
    auto pts = drift::core::read_npy((root / "record" / (std::string(s) + ".npy")).string());
    CHECK(pts.shape == std::vector<int64_t>{2048, 2});
    auto snap = drift::models::load_checkpoint((root / "snapshots" / (std::string(s) + ".pt")).string());
    CHECK(snap.config.arch == drift::models::Arch::toy);
  }
  CHECK(drift::models::load_checkpoint((root / "snapshots" / "step_00000010.pt").string()).step == 10);
  // Training checkpoints also hold the raw (non-EMA) weights; snapshots hold only EMA.
  CHECK_THROWS_WITH(drift::models::load_checkpoint((root / "snapshots" / "step_00000010.pt").string(), "raw"),
                    Catch::Contains("no raw weights"));
  {
    auto ema = drift::models::load_checkpoint((root / "model_final.pt").string());
    auto raw = drift::models::load_checkpoint((root / "model_final.pt").string(), "raw");
    CHECK_FALSE(torch::equal(ema.ema->parameters().back(), raw.ema->parameters().back()));
  }
  CHECK(fs::exists(root / "samples.png"));
  CHECK(fs::exists(root / "metrics.jsonl"));
  // The final sample picture is also an image summary in the TensorBoard event file.
  std::string events;
  for (const auto& e : fs::directory_iterator(root / "tb")) events = e.path().string();
  REQUIRE(!events.empty());
  int sample_images = 0;
  for (const auto& rec : drift::logging::read_records(events))
    if (rec.find("samples") != std::string::npos && rec.find("\x89PNG") != std::string::npos) ++sample_images;
  CHECK(sample_images >= 1);
  fs::remove_all(root);
}

TEST_CASE("MNIST steps run and record a digit grid", "[train]") {
  const fs::path data = fs::path(DRIFT_SOURCE_DIR) / "data";
  INFO("data/mnist comes from scripts/fetch-data.sh (run by scripts/test.sh)");
  REQUIRE(fs::exists(data / "mnist"));
  auto root = fresh_dir("mnist");
  TrainOptions o;
  o.dataset = "mnist";
  o.data_dir = data.string();
  o.out = root.string();
  o.steps = 3;
  o.batch_size = 8;
  o.record = 3;
  o.final_eval = false;
  auto r = run_training(o);
  CHECK(r.step == 3);
  auto grid = drift::core::read_npy((root / "record" / "step_00000003.npy").string());
  CHECK(grid.shape == std::vector<int64_t>{100, 28, 28});
  CHECK(std::isfinite(r.last["loss"].get<double>()));
  fs::remove_all(root);
}

TEST_CASE("bad options give clear errors", "[train]") {
  auto root = fresh_dir("bad");
  auto o = toy_options(root, 5);
  o.dataset = "nosuchset";
  CHECK_THROWS_WITH(run_training(o), Catch::Contains("dataset 'nosuchset'"));
  o = toy_options(root, 5);
  o.init = "sideways";
  CHECK_THROWS_WITH(run_training(o), Catch::Contains("sideways"));
  CHECK_THROWS_WITH(run_training(TrainOptions{}, (root / "none").string()), Catch::Contains("not a run directory"));
  if (!torch::cuda::is_available()) CHECK_THROWS_WITH(pick_device(Device::cuda), Catch::Contains("CUDA is not available"));
  fs::remove_all(root);
}

TEST_CASE("learning rate: linear warmup, then constant", "[train]") {
  TrainOptions o;
  o.lr = 1e-3;
  o.warmup = 100;
  o.steps = 1100;
  CHECK(learning_rate(o, 0) == Approx(1e-5));
  CHECK(learning_rate(o, 49) == Approx(5e-4));
  CHECK(learning_rate(o, 99) == Approx(1e-3));
  CHECK(learning_rate(o, 1099) == Approx(1e-3));
}

TEST_CASE("--threads also limits OpenBLAS's GEMM threads", "[train]") {
  using GetThreads = int (*)();
  auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  REQUIRE(get != nullptr);  // the trainer links OpenBLAS (ctest trainer_uses_openblas)
  auto root = fresh_dir("threads");
  auto o = toy_options(root, 2);
  o.threads = 1;
  run_training(o);
  CHECK(get() == 1);
  fs::remove_all(root);
}
