// The digit trainer's pieces in the core: the digit pack reader (docs/digit-pack.md), the batch
// field of several groups, the trainer (training lowers the energy distance to held-out
// digits; its export loads through the model loader and draws what it samples), AdamW.
#include "drift_catch.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "drift/core/adamw.h"
#include "drift/core/digit_pack.h"
#include "drift/core/digit_trainer.h"
#include "drift/core/field_eigen.h"
#include "drift/core/generator.h"
#include "drift/core/idx.h"
#include "drift/core/mlp.h"
#include "drift/core/model.h"

using namespace drift::core;
namespace fs = std::filesystem;

namespace {
// A pack written from the spec's byte table (not by code under test).
std::vector<std::uint8_t> make_pack(int count, int rows, int cols, int classes, std::uint64_t seed) {
  std::vector<std::uint8_t> b = {'D', 'R', 'D', 'I', 'G', 'I', 'T', 'S'};
  auto u32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(std::uint8_t(v >> (8 * i)));
  };
  auto u16 = [&](std::uint32_t v) {
    b.push_back(std::uint8_t(v));
    b.push_back(std::uint8_t(v >> 8));
  };
  u32(1);
  u32(std::uint32_t(count));
  u16(std::uint32_t(rows));
  u16(std::uint32_t(cols));
  u16(std::uint32_t(classes));
  u16(0);
  u32(0);  // checksum, filled below
  ToyRng r(seed);
  for (int i = 0; i < count; ++i) b.push_back(std::uint8_t(i % classes));
  for (int i = 0; i < count * rows * cols; ++i) b.push_back(std::uint8_t(r.below(256)));
  std::uint32_t h = 0x811C9DC5u;  // FNV-1a 32 by its published constants
  for (std::size_t i = 28; i < b.size(); ++i) h = (h ^ b[i]) * 0x01000193u;
  for (int i = 0; i < 4; ++i) b[std::size_t(24 + i)] = std::uint8_t(h >> (8 * i));
  return b;
}

std::string pack_error(const std::vector<std::uint8_t>& b) {
  try {
    parse_digit_pack(b.data(), b.size(), "models/mnist/digits.pack");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

DigitSet mnist_digits(int count) {
  const fs::path dir = fs::path(DRIFT_SOURCE_DIR) / "data" / "mnist";
  const LabelledImages all = load_idx_split(dir.string(), "train");
  DigitSet d;
  d.count = count, d.rows = 28, d.cols = 28, d.classes = 10;
  d.labels.assign(all.labels.begin(), all.labels.begin() + count);
  d.pixels.assign(all.pixels.begin(), all.pixels.begin() + std::ptrdiff_t(count) * 784);
  return d;
}
// s = the trainer's sample(2) (classes 0..9, 2 each): what the export draws for the seed
void check_sample_is_export(const std::vector<float>& s, Generator& gen, std::uint64_t seed) {
  REQUIRE(s.size() == 20 * 784);
  std::vector<std::int32_t> lab;
  for (int i = 0; i < 20; ++i) lab.push_back(i / 2);
  std::vector<float> g(20 * 784);
  GenerateRequest req;
  req.n = 20;
  req.labels = lab.data();
  req.seed = seed;
  std::string err;
  REQUIRE(gen.generate(req, g.data(), &err));
  for (std::size_t k = 0; k < g.size(); ++k) CHECK(s[k] == Approx(g[k]).margin(1e-5));
}
}  // namespace

TEST_CASE("digit pack: a pack written from the spec reads back") {
  const auto b = make_pack(30, 28, 28, 10, 1);
  const DigitSet d = parse_digit_pack(b.data(), b.size(), "p");
  CHECK(d.count == 30);
  CHECK(d.rows == 28);
  CHECK(d.cols == 28);
  CHECK(d.classes == 10);
  REQUIRE(d.labels.size() == 30);
  CHECK(d.labels[13] == 3);
  REQUIRE(d.pixels.size() == 30 * 784);
  CHECK(std::memcmp(d.pixels.data(), b.data() + 28 + 30, d.pixels.size()) == 0);
}

TEST_CASE("digit pack: corrupt and truncated files give one line naming the file and the problem") {
  const auto good = make_pack(20, 28, 28, 10, 2);
  const std::string file = "models/mnist/digits.pack: ";
  auto bad = good;
  bad.resize(bad.size() - 100);
  CHECK(pack_error(bad) == file + "truncated digit pack: " + std::to_string(good.size() - 100) +
                               " bytes, the header says " + std::to_string(good.size()));
  bad = good;
  bad.resize(10);
  CHECK(pack_error(bad) == file + "truncated digit pack: 10 bytes, the header alone is 28");
  bad = good;
  bad[500] ^= 0x10;  // one pixel bit
  CHECK(pack_error(bad) == file + "corrupt digit pack: checksum mismatch");
  bad = good;
  bad[0] = 'X';
  CHECK(pack_error(bad) == file + "not a digit pack (the file does not start with DRDIGITS)");
  bad = good;
  bad.push_back(0);
  CHECK(pack_error(bad) == file + "digit pack has 1 bytes after its last image");
  bad = make_pack(20, 28, 28, 10, 2);
  bad[8] = 2;
  CHECK(pack_error(bad) == file + "digit pack version 2 is not supported (this reader reads 1)");
  // a label out of range with a valid checksum: rewrite label 5 and fix the sum
  bad = good;
  bad[28 + 5] = 12;
  std::uint32_t h = 0x811C9DC5u;
  for (std::size_t i = 28; i < bad.size(); ++i) h = (h ^ bad[i]) * 0x01000193u;
  for (int i = 0; i < 4; ++i) bad[std::size_t(24 + i)] = std::uint8_t(h >> (8 * i));
  CHECK(pack_error(bad) == file + "label 12 of digit 5 is not in [0, 10)");
}

TEST_CASE("batch field: one group equals drift_field; groups share d̄ and each τ's RMS") {
  ToyRng r(5);
  const int D = 50, G = 6, P = 9;
  std::vector<float> x(3 * G * D), pos(3 * P * D), V(3 * G * D), V1(G * D);
  for (float& v : x) v = r.normal();
  for (float& v : pos) v = 0.5f + r.normal();
  std::vector<FieldGroup> g;
  for (int b = 0; b < 3; ++b)
    g.push_back({x.data() + b * G * D, G, pos.data() + b * P * D, P, nullptr, 0, 0.0f, V.data() + b * G * D});
  FieldStats all, one;
  drift_field_groups(g.data(), 3, D, FieldParams{}, &all);
  drift_field(x.data(), G, pos.data(), P, nullptr, 0, D, 0.0f, FieldParams{}, V1.data(), &one);
  // With the batch's d̄ given and one τ without RMS normalisation, group 0 alone gives the
  // same forces (the kernels do not mix groups).
  FieldParams p;
  p.dbar = all.dbar;
  p.taus = {0.05f};
  p.rms_normalize = false;
  drift_field_groups(g.data(), 3, D, p, nullptr);
  drift_field(x.data(), G, pos.data(), P, nullptr, 0, D, 0.0f, p, V1.data(), nullptr);
  for (int k = 0; k < G * D; ++k) CHECK(V[std::size_t(k)] == Approx(V1[std::size_t(k)]).margin(1e-6));
  // d̄ of the batch is the mean of the groups' (equal weights and sizes)
  double mean = 0;
  for (int b = 0; b < 3; ++b) {
    FieldStats s;
    drift_field(x.data() + b * G * D, G, pos.data() + b * P * D, P, nullptr, 0, D, 0.0f, FieldParams{}, V1.data(), &s);
    mean += s.dbar / 3.0;
  }
  CHECK(all.dbar == Approx(mean).epsilon(1e-5));
  CHECK(one.dbar != Approx(all.dbar).epsilon(1e-4));
}

TEST_CASE("AdamW: one step against the textbook update in double") {
  std::vector<float> p = {0.5f, -1.0f, 2.0f}, g = {0.1f, -0.2f, 3.0f};
  AdamW a(AdamWConfig{0.01, 0.9, 0.999, 1e-8, 0.1});
  a.reset(3);
  std::vector<double> m(3, 0), v(3, 0), q(p.begin(), p.end());
  for (int t = 1; t <= 3; ++t) {
    a.step(p.data(), g.data());
    for (int i = 0; i < 3; ++i) {
      q[i] *= 1 - 0.01 * 0.1;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * double(g[i]) * g[i];
      const double mh = m[i] / (1 - std::pow(0.9, t)), vh = v[i] / (1 - std::pow(0.999, t));
      q[i] -= 0.01 * mh / (std::sqrt(vh) + 1e-8);
    }
  }
  for (int i = 0; i < 3; ++i) CHECK(p[i] == Approx(q[i]).epsilon(1e-6));
  // clipping scales the gradient to max_norm: the first step's moments see g * c
  std::vector<float> p2 = {0.0f, 0.0f}, g2 = {3.0f, 4.0f};
  AdamW c(AdamWConfig{0.1, 0.0, 0.0, 0.0, 0.0});  // beta 0: p -= lr * g'/|g'| elementwise
  c.reset(2);
  CHECK(c.step(p2.data(), g2.data(), 1.0) == Approx(5.0));
  CHECK(p2[0] == Approx(-0.1f));
}

TEST_CASE("digit trainer: 300 steps lower the energy distance to held-out digits; export loads") {
  const fs::path dir = fs::path(DRIFT_SOURCE_DIR) / "data" / "mnist";
  INFO("data/mnist comes from scripts/fetch-data.sh (run by scripts/test.sh)");
  REQUIRE(fs::exists(dir));
  DigitTrainerConfig cfg;
  cfg.seed = 3;
  cfg.arch = "mlp256";  // no EMA: the export is the MLP's own weights (the EMA case is below)
  DigitTrainer t(cfg);
  t.set_data(mnist_digits(3000));
  const float e0 = t.quality();
  t.step(300);
  const float e1 = t.quality();
  INFO("energy distance to held-out digits: " << e0 << " at step 0, " << e1 << " at step 300");
  CHECK(t.step_count() == 300);
  CHECK(std::isfinite(t.last_loss()));
  CHECK(e1 < 0.5f * e0);

  // The export loads through the model loader and draws the same digits from the same input.
  const ModelFiles f = t.export_model();
  std::string err;
  auto model = load_model(f.manifest, f.bin.data(), f.bin.size(), &err);
  REQUIRE(model);
  CHECK(model->num_classes() == 10);
  CHECK(model->latent_dim() == 32);
  // sample() is what the export draws for the trainer's seed (the spec's noise stream).
  const std::vector<float> s = t.sample(2);  // classes 0..9, 2 each
  REQUIRE(s.size() == 20 * 784);
  Generator gen(*model);
  check_sample_is_export(s, gen, cfg.seed);
  // The loader's generator and the trainer's MLP on the same fresh noise and labels.
  std::vector<float> noise, out(20 * 784);
  std::vector<std::int32_t> labels;
  ToyRng r(9);
  noise.resize(20 * 32);
  for (float& z : noise) z = r.normal();
  for (int i = 0; i < 20; ++i) labels.push_back(i % 10);
  GenerateRequest req;
  req.n = 20;
  req.noise = noise.data();
  req.labels = labels.data();
  REQUIRE(gen.generate(req, out.data(), &err));
  // the trainer's MLP on the same columns
  std::vector<float> Z(20 * 43, 0.0f);
  for (int i = 0; i < 20; ++i) {
    std::memcpy(&Z[std::size_t(i) * 43], &noise[std::size_t(i) * 32], 32 * sizeof(float));
    Z[std::size_t(i) * 43 + 32 + std::size_t(labels[std::size_t(i)])] = 1.0f;
  }
  const std::vector<float>& y = t.mlp().forward(Z.data(), 20);
  for (std::size_t k = 0; k < out.size(); ++k) CHECK(out[k] == Approx(y[k]).margin(1e-5));
}

TEST_CASE("digit trainer: an EMA arch samples and exports the EMA of its weights (drift-train's warm-up)") {
  const DigitArch* arch = nullptr;
  for (const DigitArch& a : kDigitArchs)
    if (a.ema > 0.0f && !arch) arch = &a;
  REQUIRE(arch);
  DigitTrainerConfig cfg;
  cfg.arch = arch->name;
  cfg.seed = 5;
  DigitTrainer t(cfg);
  t.set_data(mnist_digits(1500));
  // the recurrence in double, from the raw weights after each step
  std::vector<double> e(t.mlp().params().begin(), t.mlp().params().end());
  for (int k = 1; k <= 3; ++k) {
    t.step(1);
    const double d = std::min(double(arch->ema), (1.0 + k) / (10.0 + k));
    const std::vector<float>& p = t.mlp().params();
    for (std::size_t i = 0; i < e.size(); ++i) e[i] = d * e[i] + (1.0 - d) * p[i];
  }
  Mlp ref(t.mlp().sizes(), true);
  ref.params().assign(e.begin(), e.end());

  const ModelFiles f = t.export_model();
  std::string err;
  auto model = load_model(f.manifest, f.bin.data(), f.bin.size(), &err);
  REQUIRE(model);
  Generator gen(*model);
  const int n = 20, in = t.input_dim(), L = arch->noise_dim;
  std::vector<float> noise(std::size_t(n) * L), out(std::size_t(n) * 784), Z(std::size_t(n) * in, 0.0f);
  std::vector<std::int32_t> labels;
  ToyRng r(4);
  for (float& z : noise) z = r.normal();
  for (int i = 0; i < n; ++i) {
    labels.push_back(i % 10);
    std::memcpy(&Z[std::size_t(i) * in], &noise[std::size_t(i) * L], std::size_t(L) * sizeof(float));
    Z[std::size_t(i) * in + L + std::size_t(i % 10)] = 1.0f;
  }
  GenerateRequest req;
  req.n = n;
  req.noise = noise.data();
  req.labels = labels.data();
  REQUIRE(gen.generate(req, out.data(), &err));
  const std::vector<float> y_ema = ref.forward(Z.data(), n);
  const std::vector<float> y_raw = t.mlp().forward(Z.data(), n);
  double raw_gap = 0.0;
  for (std::size_t k = 0; k < out.size(); ++k) {
    CHECK(out[k] == Approx(y_ema[k]).margin(1e-5));
    raw_gap = std::max(raw_gap, double(std::fabs(out[k] - y_raw[k])));
  }
  INFO("largest difference between the export and the raw weights' output: " << raw_gap);
  CHECK(raw_gap > 1e-3);  // the export is not the raw weights
  // the sample grid is the export's too
  check_sample_is_export(t.sample(2), gen, cfg.seed);
}
