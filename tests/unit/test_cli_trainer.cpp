// drift-train train/sample/field as a user runs them: exit codes and one-line errors.
#include "drift_catch.h"
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <fcntl.h>

#include "drift/core/npy.h"

namespace fs = std::filesystem;

namespace {
struct Run {
  int code;
  std::string err, out;
};

// An NVIDIA device node is what CUDA needs to be available at all.
bool machine_has_gpu() { return fs::exists("/dev/nvidia0") || fs::exists("/dev/nvidiactl"); }

fs::path tmp_dir() {
  auto d = fs::temp_directory_path() / "drift_test_cli_trainer";
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

Run run(const std::string& args) {
  const auto d = tmp_dir();
  const std::string cmd = std::string(DRIFT_TRAIN_BIN) + " " + args + " >" + (d / "out.txt").string() + " 2>" +
                          (d / "err.txt").string();
  const int st = std::system(cmd.c_str());
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, slurp(d / "err.txt"), slurp(d / "out.txt")};
}

int lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

void write_points(const fs::path& p, const std::vector<float>& v, int64_t cols) {
  drift::core::write_npy(p.string(), {int64_t(v.size()) / cols, cols}, v.data());
}
}  // namespace

TEST_CASE("train: bad dataset, data path, device and flags fail with one line", "[cli]") {
  const auto d = tmp_dir();
  auto r = run("train --dataset nosuch --out " + (d / "r1").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("dataset 'nosuch'"));
  CHECK(lines(r.err) == 1);

  r = run("train --dataset idx:" + (d / "missing_dir").string() + " --out " + (d / "r2").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("missing_dir"));
  CHECK(lines(r.err) == 1);

  // No GPU device node: --device cuda must fail, never fall back to the CPU silently. With a
  // GPU, a CPU-only LibTorch must still say so; a CUDA one trains.
  fs::remove_all(d / "r3");  // a CUDA machine (or a broken fallback) may have trained into it before
  r = run("train --dataset moons --steps 2 --device cuda --out " + (d / "r3").string());
  if (!machine_has_gpu()) {
    CHECK(r.code != 0);
    CHECK_THAT(r.err, Catch::Contains("CUDA is not available"));
    CHECK(lines(r.err) == 1);
  } else if (r.code != 0) {
    CHECK_THAT(r.err, Catch::Contains("CUDA is not available"));
  }

  r = run("train --dataset moons --steps many --out " + (d / "r4").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("--steps"));

  r = run("train --dataset moons");
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("--out"));

  r = run("train --resume " + (d / "no_run").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("no_run"));
}

TEST_CASE("train: out-of-range and unknown flag values exit 2 with one line naming the flag", "[cli]") {
  const auto d = tmp_dir();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--batch-size 0", "--batch-size"}, {"--batch-size -5", "--batch-size"}, {"--steps -1", "--steps"},
      {"--lr -1", "--lr"},                {"--lr 0", "--lr"},                  {"--taus 0.05 0", "--taus"},
      {"--taus nan", "--taus"},           {"--ema 1.5", "--ema"},             {"--alpha-one 2", "--alpha-one"},
      {"--log-every 0", "--log-every"},   {"--arch conv", "--arch"},          {"--device tpu", "--device"},
      {"--init sideways", "--init"},      {"--out-act relu", "--out-act"},    {"--positives 0", "--positives"},
      {"--widths 512,0", "--widths"},     {"--widths 512,x", "--widths"},
      {"--class-split 0", "--class-split"}, {"--velocity-clip mean", "--velocity-clip"},
      {"--velocity-clip 0", "--velocity-clip"}, {"--velocity-clip -2", "--velocity-clip"},
      {"--velocity-clip inf", "--velocity-clip"}};
  fs::remove_all(d / "never");
  for (const auto& [flags, name] : bad) {
    auto r = run("train --dataset moons --out " + (d / "never").string() + " " + flags);
    INFO(flags << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(name));
    CHECK(lines(r.err) <= 2);  // CLI11: the message, and "Run with --help for more information."
  }
  CHECK_FALSE(fs::exists(d / "never"));
  // --class-split must divide the classes: known once the dataset is open, still one line.
  auto k = run("train --dataset moons --out " + (d / "never").string() + " --class-split 2");
  INFO(k.err);
  CHECK(k.code != 0);
  CHECK_THAT(k.err, Catch::Contains("--class-split 2: must divide the 1 class groups"));
  CHECK(lines(k.err) == 1);
  // Choices are listed in --help.
  auto h = run("train --help");
  CHECK(h.code == 0);
  CHECK_THAT(h.out, Catch::Contains("mlpconv") && Catch::Contains("cuda") && Catch::Contains("far"));
}

TEST_CASE("other subcommands: out-of-range numbers exit 2 with one line naming the flag", "[cli]") {
  const auto d = tmp_dir();
  const std::string m = " --model-path " + (d / "none.pt").string();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"sample" + m + " --out x.png --batch-size 0", "--batch-size"},
      {"sample" + m + " --out x.png --label -2", "--label"},
      {"sample" + m + " --out x.png --alpha nan", "--alpha"},
      {"sample" + m + " --out x.png --alpha 0.5", "--alpha"},
      {"eval" + m + " --n 0", "--n"},
      {"classifier --epochs 0", "--epochs"},
      {"classifier --batch -1", "--batch"},
      {"classifier --lr -1", "--lr"},
      {"field --x a.npy --pos b.npy --out v.npy --taus 0", "--taus"},
      {"field --x a.npy --pos b.npy --out v.npy --floor nan", "--floor"},
      {"field --x a.npy --pos b.npy --out v.npy --neg-weight -1", "--neg-weight"},
      {"gif " + d.string() + " --fps nan", "--fps"},
      {"gif " + d.string() + " --hold -1", "--hold"},
      {"gif " + d.string() + " --nrow -1", "--nrow"},
      {"gif " + d.string() + " --range 0 inf", "--range"},
      {"export" + m + " --out " + (d / "x").string() + " --alpha-max 0", "--alpha-max"}};
  for (const auto& [args, name] : bad) {
    auto r = run(args);
    INFO(args << " -> " << r.err);
    CHECK(r.code == 2);
    CHECK_THAT(r.err, Catch::Contains(name));
    CHECK(lines(r.err) <= 2);
  }
}

TEST_CASE("train a toy model, then sample it; sample errors", "[cli]") {
  const auto d = tmp_dir();
  const auto run_dir = d / "toy";
  fs::remove_all(run_dir);
  auto r = run("train --dataset 8gaussians --steps 30 --batch_size 128 --no-eval --seed 3 --out " + run_dir.string());
  REQUIRE(r.code == 0);
  CHECK(fs::exists(run_dir / "model_final.pt"));
  CHECK_THAT(r.out, Catch::Contains("\"step\":30"));

  r = run("sample --model_path " + (run_dir / "model_final.pt").string() + " --batch-size 50 --raw " +
          (d / "pts.npy").string() + " --out " + (d / "pts.png").string());
  REQUIRE(r.code == 0);
  auto pts = drift::core::read_npy((d / "pts.npy").string());
  CHECK(pts.shape == std::vector<int64_t>{50, 2});
  CHECK(fs::file_size(d / "pts.png") > 100);

  // Same noise file twice -> identical samples (one network evaluation, no hidden randomness).
  std::vector<float> z(4 * 31, 0.25f);
  write_points(d / "z.npy", z, 31);
  REQUIRE(run("sample --model-path " + (run_dir / "model_final.pt").string() + " --noise " + (d / "z.npy").string() +
              " --raw " + (d / "a.npy").string()).code == 0);
  auto a = drift::core::read_npy((d / "a.npy").string());
  CHECK(a.shape == std::vector<int64_t>{4, 2});
  CHECK(a.data[0] == a.data[2]);  // equal noise rows, equal outputs

  r = run("sample --model-path " + (d / "nope.pt").string() + " --out " + (d / "x.png").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("nope.pt: no such file"));
  CHECK(lines(r.err) == 1);

  write_points(d / "zbad.npy", std::vector<float>(8, 0.f), 4);
  r = run("sample --model-path " + (run_dir / "model_final.pt").string() + " --noise " + (d / "zbad.npy").string() +
          " --raw " + (d / "b.npy").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("zbad.npy: noise must be [N, 31]"));
}

TEST_CASE("field: writes V, prints s, rejects mismatched files", "[cli]") {
  const auto d = tmp_dir();
  write_points(d / "x.npy", {0.f, 0.f, 0.1f, 0.f, 0.f, 0.1f}, 2);
  write_points(d / "p.npy", {2.f, 0.f, 2.1f, 0.1f}, 2);
  write_points(d / "n.npy", {-2.f, 0.f}, 2);
  auto r = run("field --x " + (d / "x.npy").string() + " --pos " + (d / "p.npy").string() + " --neg " +
               (d / "n.npy").string() + " --neg-weight 2 --out " + (d / "v.npy").string());
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::Contains("s = "));
  auto v = drift::core::read_npy((d / "v.npy").string());
  REQUIRE(v.shape == std::vector<int64_t>{3, 2});
  // Positives at +x, the extra negative at -x: every sample is pushed toward +x.
  for (int i = 0; i < 3; ++i) CHECK(v.data[i * 2] > 0);

  write_points(d / "p3.npy", {1.f, 2.f, 3.f}, 3);
  r = run("field --x " + (d / "x.npy").string() + " --pos " + (d / "p3.npy").string() + " --out " +
          (d / "v2.npy").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("p3.npy: has 3 columns"));

  { std::ofstream(d / "bad.npy") << "not numpy"; }
  r = run("field --x " + (d / "bad.npy").string() + " --pos " + (d / "p.npy").string() + " --out " +
          (d / "v3.npy").string());
  CHECK(r.code != 0);
  CHECK_THAT(r.err, Catch::Contains("bad.npy"));
  CHECK(lines(r.err) == 1);
}

TEST_CASE("SIGINT during training writes a checkpoint and exits", "[cli]") {
  const auto d = tmp_dir() / "sigint";
  fs::remove_all(d);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const std::string out = d.string();
    int devnull = open("/dev/null", 1);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(DRIFT_TRAIN_BIN, DRIFT_TRAIN_BIN, "train", "--dataset", "moons", "--steps", "1000000", "--batch-size", "64",
          "--no-eval", "--out", out.c_str(), (char*)nullptr);
    _exit(99);
  }
  // Wait for the run to start stepping (options.json is written right before the loop).
  for (int i = 0; i < 200 && !fs::exists(d / "options.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGINT);
  int st = 0;
  waitpid(pid, &st, 0);
  REQUIRE(WIFEXITED(st));
  CHECK(WEXITSTATUS(st) == 130);
  bool found = false;
  for (const auto& e : fs::directory_iterator(d)) found |= e.path().filename().string().rfind("ckpt_", 0) == 0;
  CHECK(found);
}
