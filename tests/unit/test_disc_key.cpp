// The online discriminative key (issue 26, lever 3; features/disc_key.h): PCA start, the
// leave-one-out KDE-ratio classifier by hand, W learning to separate two clusters, and the
// trainer's --disc-key-* flags (one step moves W and the generator, the key's loss is weighted
// as flagged, exact resume, one-line errors).
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "drift/core/atomic_file.h"
#include "drift/features/disc_key.h"
#include "drift/train/trainer.h"
#include "test_util.h"

namespace fs = std::filesystem;
using drift::features::DiscKey;
using drift::features::kde_ratio;
using drift::features::pca_directions;
using namespace drift::train;

namespace {
double softplus(double v) { return std::log1p(std::exp(v)); }

std::string be32(uint32_t v) { return {char(v >> 24), char((v >> 16) & 0xFF), char((v >> 8) & 0xFF), char(v & 0xFF)}; }

// A 28x28 IDX folder (train and t10k), 10 classes of n images: class c a vertical bar at
// columns 2c+4..2c+6, on noise.
std::string bar_digits(const fs::path& dir, int per_class) {
  fs::create_directories(dir);
  auto gen = at::detail::createCPUGenerator(21);
  for (const std::string prefix : {"train", "t10k"}) {
    const uint32_t n = uint32_t(10 * per_class);
    std::string img = std::string("\0\0\x08\x03", 4) + be32(n) + be32(28) + be32(28);
    std::string lab = std::string("\0\0\x08\x01", 4) + be32(n);
    const auto noise = torch::rand({int64_t(n), 784}, gen);
    const auto acc = noise.accessor<float, 2>();
    for (uint32_t i = 0; i < n; ++i) {
      const int c = int(i % 10);
      for (int p = 0; p < 784; ++p) {
        const bool bar = p % 28 >= 2 * c + 4 && p % 28 < 2 * c + 7 && p / 28 > 3 && p / 28 < 25;
        img.push_back(char(uint8_t(bar ? 190 + 60 * acc[i][p] : 50 * acc[i][p])));
      }
      lab.push_back(char(c));
    }
    drift::core::write_file_atomic((dir / (prefix + "-images-idx3-ubyte")).string(), img);
    drift::core::write_file_atomic((dir / (prefix + "-labels-idx1-ubyte")).string(), lab);
  }
  return "idx:" + dir.string();
}

// Short CPU runs with small groups, one process and thread, the key on (dim 8) unless changed.
TrainOptions key_options(const std::string& data, const fs::path& out, int64_t steps) {
  TrainOptions o;
  o.dataset = data;
  o.out = out.string();
  o.steps = steps;
  o.batch_size = 8;
  o.positives = 8;
  o.uncond = 4;
  o.warmup = 2;
  o.log_every = 1;
  o.ckpt_every = 1000;
  o.final_eval = false;
  o.seed = 5;
  o.threads = 1;
  o.device = Device::cpu;
  o.disc_key_dim = 8;
  o.disc_key_weight = 0.3;
  return o;
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& p) {
  std::vector<torch::Tensor> out;
  for (const auto& t : p) out.push_back(t.detach().clone());
  return out;
}
bool same(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!torch::equal(a[i], b[i])) return false;
  return true;
}
torch::Tensor checkpoint_w(const std::string& path) {
  torch::serialize::InputArchive ar, dk;
  ar.load_from(path);
  REQUIRE(ar.try_read("disc_key", dk));
  torch::Tensor w;
  dk.read("w", w);
  return w;
}
}  // namespace

TEST_CASE("kde_ratio: leave-one-out Laplace densities, by hand on four points", "[disc_key]") {
  // One group, 1-d keys: reals at 0 and 1, generated at 3 and 5. Pairwise distances
  // 1,3,5,2,4,2: mean 17/6, so the kernel of distance d is exp(-d / (17/6 * T)).
  const double T = 0.5, c = 17.0 / 6.0 * T;
  auto k = [c](double d) { return std::exp(-d / c); };
  const auto zr = torch::tensor({0.0, 1.0}, torch::kDouble).view({1, 2, 1});
  const auto zg = torch::tensor({3.0, 5.0}, torch::kDouble).view({1, 2, 1});
  // Each sample leaves itself out of its own set: a real's real density has one term (the
  // other real) over 1, its generated density both generated over 2; and the reverse.
  const double want_r0 = std::log(k(1)) - std::log((k(3) + k(5)) / 2);
  const double want_r1 = std::log(k(1)) - std::log((k(2) + k(4)) / 2);
  const double want_g3 = std::log((k(3) + k(2)) / 2) - std::log(k(2));
  const double want_g5 = std::log((k(5) + k(4)) / 2) - std::log(k(2));
  const double want_loss = 0.5 * ((softplus(-want_r0) + softplus(-want_r1)) / 2 + (softplus(want_g3) + softplus(want_g5)) / 2);
  auto r = kde_ratio(zr, zg, T);
  CHECK(r.logit_real[0][0].item<double>() == Approx(want_r0).epsilon(1e-9));
  CHECK(r.logit_real[0][1].item<double>() == Approx(want_r1).epsilon(1e-9));
  CHECK(r.logit_gen[0][0].item<double>() == Approx(want_g3).epsilon(1e-9));
  CHECK(r.logit_gen[0][1].item<double>() == Approx(want_g5).epsilon(1e-9));
  CHECK(r.loss.item<double>() == Approx(want_loss).epsilon(1e-9));
  // Distances are relative to the group's mean: a shift and a scale of the keys change nothing.
  auto r2 = kde_ratio(zr * 7 + 2, zg * 7 + 2, T);
  CHECK(torch::allclose(r2.logit_real, r.logit_real, 1e-9, 1e-12));
  CHECK(torch::allclose(r2.logit_gen, r.logit_gen, 1e-9, 1e-12));
  // Groups are independent: a second group beside it leaves the first one's logits as they were.
  auto r3 = kde_ratio(torch::cat({zr, zr * 3}), torch::cat({zg, zg - 9}), T);
  CHECK(torch::allclose(r3.logit_real[0], r.logit_real[0], 1e-9, 1e-12));
  CHECK_THROWS_WITH(kde_ratio(zr.narrow(1, 0, 1), zg, T), Catch::Contains("at least 2 real and 2 generated"));
}

TEST_CASE("DiscKey: AdamW steps on fresh draws turn W toward what separates reals from generated", "[disc_key]") {
  // D = 6: reals and generated share unit noise everywhere but differ on axis 3 (+S / -S);
  // W starts as the 2-row key of axes 0 and 1, where the two sets look alike.
  const double S = 2, T = 0.05;  // T: the trainer's default
  auto gen = at::detail::createCPUGenerator(8);
  auto draw = [&](double shift, int64_t n) {
    auto x = torch::randn({2, n, 6}, gen);
    x.select(2, 3).add_(shift);
    return x;
  };
  auto w0 = torch::zeros({2, 6});
  w0[0][0] = 1;
  w0[1][1] = 1;
  DiscKey key(w0, T, 0.05);
  const auto first = key.backward(draw(S, 32), draw(-S, 16), 1.0);
  key.step();
  CHECK_FALSE(torch::equal(key.weight(), w0));
  drift::features::DiscStep last;
  for (int i = 0; i < 200; ++i) {  // fresh draws each step, as in training
    last = key.backward(draw(S, 32), draw(-S, 16), 1.0);
    key.step();
  }
  const auto w = key.weight().detach();
  const double share3 = w.select(1, 3).norm().item<double>() / w.norm().item<double>();
  INFO("loss " << first.loss << " -> " << last.loss << ", accuracy " << first.accuracy << " -> " << last.accuracy << " share3 " << share3);
  CHECK(first.accuracy < 0.75);  // axes 0 and 1 alone: little better than a coin
  CHECK(last.loss < 0.5 * first.loss);
  // Held-out draws: the logit's sign separates them.
  auto r = kde_ratio(torch::matmul(draw(S, 128), w.t()), torch::matmul(draw(-S, 64), w.t()), T);
  CHECK((r.logit_real > 0).to(torch::kDouble).mean().item<double>() > 0.85);
  CHECK((r.logit_gen < 0).to(torch::kDouble).mean().item<double>() > 0.85);
  // W now reads the axis that differs more than any other (it started blind to it).
  CHECK(w.norm(2, {0}).argmax().item<int64_t>() == 3);
}

TEST_CASE("pca_directions: the top principal axes, orthonormal, sign-fixed", "[disc_key]") {
  auto gen = at::detail::createCPUGenerator(4);
  const auto q = std::get<0>(torch::linalg_qr(torch::randn({5, 5}, gen).to(torch::kDouble)));  // columns: axes
  const auto sd = torch::tensor({5.0, 4.0, 3.0, 2.0, 1.0}, torch::kDouble);
  const auto x = (torch::randn({4000, 5}, gen).to(torch::kDouble) * sd).mm(q.t()) + 3;
  const auto w = pca_directions(x, 2).to(torch::kDouble);  // [2,5]
  REQUIRE(w.sizes() == torch::IntArrayRef({2, 5}));
  CHECK(torch::allclose(w.mm(w.t()), torch::eye(2, torch::kDouble), 0, 1e-5));
  CHECK(std::abs(w[0].dot(q.select(1, 0)).item<double>()) > 0.99);
  CHECK(std::abs(w[1].dot(q.select(1, 1)).item<double>()) > 0.99);
  for (int64_t i = 0; i < 2; ++i) CHECK(w[i][w[i].abs().argmax().item<int64_t>()].item<double>() > 0);
  CHECK_THROWS(pca_directions(x, 6));
}

TEST_CASE("--disc-key-dim: one step moves W and the generator; the key's loss is finite and weighted as flagged", "[disc_key][train]") {
  const auto root = fresh_dir("disc_key_step");
  const std::string data = bar_digits(root / "digits", 4);
  Trainer t(key_options(data, root / "key", 3), "");
  REQUIRE(t.disc_key() != nullptr);
  const auto w0 = t.disc_key()->weight().detach().clone();
  CHECK(w0.sizes() == torch::IntArrayRef({8, 784}));
  CHECK(torch::allclose(w0.mm(w0.t()), torch::eye(8), 0, 1e-4));  // PCA directions
  const auto gen0 = copies(t.model()->parameters());
  const auto s = t.step();
  CHECK_FALSE(torch::equal(t.disc_key()->weight(), w0));
  CHECK_FALSE(same(gen0, t.model()->parameters()));
  CHECK(std::isfinite(s.disc_key_loss));
  CHECK(s.disc_key_loss > 0);
  CHECK(std::isfinite(s.disc_loss));
  CHECK(s.disc_accuracy >= 0);
  CHECK(s.disc_accuracy <= 1);
  CHECK(s.loss == Approx(s.pixel_loss + 0.3 * s.disc_key_loss).epsilon(1e-5));
  // The same first step at weight 0.1: the same samples, pixel term and key term; the loss adds
  // a third as much of the key.
  auto o = key_options(data, root / "light", 3);
  o.disc_key_weight = 0.1;
  Trainer tl(o, "");
  const auto sl = tl.step();
  CHECK(torch::equal(sl.x, s.x));
  CHECK(sl.pixel_loss == s.pixel_loss);
  CHECK(sl.disc_key_loss == s.disc_key_loss);
  CHECK(sl.loss == Approx(sl.pixel_loss + 0.1 * sl.disc_key_loss).epsilon(1e-5));
  // Without the key: the same samples (the PCA draw has its own stream) and the same pixel
  // loss, but the generator ends the step elsewhere: the key's gradient reaches it.
  o = key_options(data, root / "off", 3);
  o.disc_key_dim = 0;
  Trainer tn(o, "");
  CHECK(tn.disc_key() == nullptr);
  const auto sn = tn.step();
  CHECK(torch::equal(sn.x, s.x));
  CHECK(sn.loss == s.pixel_loss);
  CHECK_FALSE(same(copies(tn.model()->parameters()), copies(t.model()->parameters())));
  // Stored only when set.
  std::ifstream fk(root / "key" / "options.json"), fn(root / "off" / "options.json");
  const auto jk = nlohmann::json::parse(fk), jn = nlohmann::json::parse(fn);
  CHECK(jk.at("disc_key_dim") == 8);
  CHECK(jk.at("disc_key_weight") == 0.3);
  CHECK(jk.at("disc_key_temp") == 0.05);
  for (const char* f : {"disc_key_dim", "disc_key_weight", "disc_key_temp", "disc_key_lr"}) CHECK_FALSE(jn.contains(f));
  fs::remove_all(root);
}

TEST_CASE("the key is the images' default: 64 rows at weight 0.3; off for toy sets, small groups and older runs", "[disc_key][train]") {
  const auto root = fresh_dir("disc_key_default");
  const std::string data = bar_digits(root / "digits", 4);
  TrainOptions defaults;
  CHECK(defaults.disc_key_weight == 0.3);
  auto o = key_options(data, root / "images", 2);
  o.disc_key_dim = defaults.disc_key_dim;  // not set: the default decides
  o.disc_key_weight = defaults.disc_key_weight;
  {
    Trainer t(o, "");
    REQUIRE(t.disc_key() != nullptr);
    CHECK(t.disc_key()->weight().sizes() == torch::IntArrayRef({64, 784}));
    const auto s = t.step();
    CHECK(s.loss == Approx(s.pixel_loss + 0.3 * s.disc_key_loss).epsilon(1e-5));
  }
  std::ifstream fi(root / "images" / "options.json");
  const auto ji = nlohmann::json::parse(fi);
  CHECK(ji.at("disc_key_dim") == 64);
  CHECK(ji.at("disc_key_weight") == 0.3);
  // One generated sample per group: no leave-one-out density, so the default leaves the key out
  // (an explicit --disc-key-dim is an error there, above).
  auto small = o;
  small.out = (root / "small").string();
  small.batch_size = 1;
  CHECK(Trainer(small, "").disc_key() == nullptr);
  // A toy set: no key by default, and none stored.
  auto toy = o;
  toy.dataset = "moons";
  toy.out = (root / "toy").string();
  CHECK(Trainer(toy, "").disc_key() == nullptr);
  std::ifstream ft(root / "toy" / "options.json");
  CHECK_FALSE(nlohmann::json::parse(ft).contains("disc_key_dim"));
  // A run stored without the entry (trained off, as every run before the default changed)
  // resumes off, not with a key it has no state for.
  auto off = o;
  off.out = (root / "off").string();
  off.disc_key_dim = 0;
  REQUIRE(run_training(off).step == 2);
  TrainOptions more;  // what --resume passes
  more.steps = 3;
  more.final_eval = false;
  more.device = Device::cpu;
  more.threads = 1;
  CHECK(Trainer(more, (root / "off").string()).disc_key() == nullptr);
  CHECK(run_training(more, (root / "off").string()).step == 3);
  fs::remove_all(root);
}

TEST_CASE("--disc-key-dim: a run resumes exactly, W and its moments included", "[disc_key][train]") {
  const auto root = fresh_dir("disc_key_resume");
  const std::string data = bar_digits(root / "digits", 4);
  const auto full = run_training(key_options(data, root / "full", 6));
  const auto half = run_training(key_options(data, root / "split", 3));
  REQUIRE(half.step == 3);
  CHECK_FALSE(torch::equal(checkpoint_w(half.final_checkpoint), checkpoint_w(full.final_checkpoint)));
  TrainOptions more;  // what --resume passes
  more.steps = 6;
  more.final_eval = false;
  more.device = Device::cpu;
  more.threads = 1;
  const auto resumed = run_training(more, (root / "split").string());
  REQUIRE(resumed.step == 6);
  CHECK(torch::equal(checkpoint_w(resumed.final_checkpoint), checkpoint_w(full.final_checkpoint)));
  CHECK(same(drift::models::load_checkpoint(resumed.final_checkpoint).ema->parameters(),
             drift::models::load_checkpoint(full.final_checkpoint).ema->parameters()));
  fs::remove_all(root);
}

TEST_CASE("--disc-key-*: bad values give one clear error", "[disc_key][cli]") {
  const auto root = fresh_dir("disc_key_bad");
  const std::string data = bar_digits(root / "digits", 2);
  auto o = key_options(data, root / "big", 3);
  o.disc_key_dim = 785;
  CHECK(error_of([&] { Trainer t(o, ""); }) == "--disc-key-dim 785: more than the 784 values of a " + data + " sample");
  o = key_options(data, root / "tiny", 3);
  o.positives = 1;
  CHECK_THAT(error_of([&] { Trainer t(o, ""); }), Catch::Contains("--disc-key-dim: its leave-one-out densities need at least 2"));
  // The CLI checks each flag's range before any work: exit 2 and a line naming the flag.
  for (const std::string flags : {"--disc-key-dim -1", "--disc-key-dim 5000", "--disc-key-weight 0", "--disc-key-weight nan",
                                  "--disc-key-temp 0", "--disc-key-temp -1", "--disc-key-lr 0", "--disc-key-lr inf"}) {
    const std::string cmd = std::string(DRIFT_TRAIN_BIN) + " train --dataset moons --out " + (root / "never").string() +
                            " " + flags + " 2>&1 >/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    std::string err;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) err += buf;
    const int status = ::pclose(p);
    INFO(flags << " -> " << err);
    CHECK(WEXITSTATUS(status) == 2);
    CHECK_THAT(err, Catch::Contains(flags.substr(0, flags.find(' '))));
  }
  CHECK_FALSE(fs::exists(root / "never"));
  fs::remove_all(root);
}
