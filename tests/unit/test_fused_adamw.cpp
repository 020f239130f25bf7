// FusedAdamW (clip + AdamW + EMA in one pass) against torch::nn::utils::clip_grad_norm_ +
// torch::optim::AdamW + the EMA formula, fed the same gradients.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <algorithm>
#include <cmath>
#include <sstream>

#include "drift/core/adamw.h"
#include "drift/train/fused_adamw.h"

using drift::train::AdamWConfig;
using drift::train::FusedAdamW;

namespace {
// Optimizer state through an in-memory archive, as checkpoints store it.
template <class Optimizer>
std::string saved_state(const Optimizer& opt) {
  torch::serialize::OutputArchive ar;
  opt.save(ar);
  std::stringstream buf;
  ar.save_to(buf);
  return buf.str();
}
template <class Optimizer>
void load_state(Optimizer& opt, const std::string& state) {
  std::istringstream buf(state);
  torch::serialize::InputArchive ar;
  ar.load_from(buf);
  opt.load(ar);
}
std::vector<torch::Tensor> make_params(uint64_t seed) {
  torch::manual_seed(seed);
  // Odd sizes: not multiples of the vector width or of the kernel's chunk.
  std::vector<torch::Tensor> ps{torch::randn({517, 43}) * 0.1, torch::randn({517}) * 0.1,
                                torch::randn({37000}) * 0.05, torch::randn({3})};
  for (auto& p : ps) p.set_requires_grad(true);
  return ps;
}

std::vector<torch::Tensor> clones(const std::vector<torch::Tensor>& ps, bool grad) {
  std::vector<torch::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().set_requires_grad(grad));
  return out;
}

// max |a - b| / max |b|, over all tensors.
double rel_err(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    num = std::max(num, (a[i].detach() - b[i].detach()).abs().max().item<double>());
    den = std::max(den, b[i].detach().abs().max().item<double>());
  }
  return num / den;
}

struct Run {
  double max_param = 0, max_m = 0, max_v = 0, max_ema = 0;
};

// Drives both optimizers for `steps` steps with the same random gradients; gradient
// magnitudes vary so that clipping is active in some steps and not in others.
Run compare(const AdamWConfig& cfg, double clip, double ema_decay, int steps) {
  auto ref = make_params(3), fused = clones(ref, true);
  auto ref_ema = clones(ref, false), fused_ema = clones(ref, false);
  torch::optim::AdamW adamw(ref, torch::optim::AdamWOptions(cfg.lr)
                                     .betas({cfg.beta1, cfg.beta2})
                                     .eps(cfg.eps)
                                     .weight_decay(cfg.weight_decay));
  FusedAdamW opt(fused, cfg);
  auto gen = at::detail::createCPUGenerator(42);
  Run r;
  for (int s = 0; s < steps; ++s) {
    const double lr = cfg.lr * std::min(1.0, (s + 1) / 10.0);  // warmup, as the trainer does
    for (auto& g : adamw.param_groups()) static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
    opt.set_lr(lr);
    adamw.zero_grad();
    opt.zero_grad();
    const double scale = (s % 3 == 0) ? 5.0 : 0.01;  // norm well above / below the clip
    for (size_t i = 0; i < ref.size(); ++i) {
      auto g = torch::randn(ref[i].sizes(), gen) * scale;
      ref[i].mutable_grad() = g.clone();
      fused[i].mutable_grad() = g.clone();
    }
    double ref_norm = 0;
    if (clip > 0) ref_norm = torch::nn::utils::clip_grad_norm_(ref, clip);
    adamw.step();
    {
      torch::NoGradGuard ng;
      for (size_t i = 0; i < ref.size(); ++i) ref_ema[i].mul_(ema_decay).add_(ref[i].detach(), 1.0 - ema_decay);
    }
    const double norm = opt.step(clip, fused_ema, ema_decay);
    if (clip > 0) CHECK(std::abs(norm - ref_norm) <= 1e-5 * ref_norm);
  }
  std::vector<torch::Tensor> rm, rv;
  for (const auto& p : ref) {
    auto& st = *drift::train::adamw_state(adamw, p);
    rm.push_back(st.exp_avg());
    rv.push_back(st.exp_avg_sq());
  }
  r.max_param = rel_err(fused, ref);
  r.max_m = rel_err(opt.exp_avg(), rm);
  r.max_v = rel_err(opt.exp_avg_sq(), rv);
  r.max_ema = rel_err(fused_ema, ref_ema);
  CHECK(opt.steps() == steps);
  return r;
}
}  // namespace

TEST_CASE("fused AdamW + clip + EMA matches torch::optim::AdamW, clip_grad_norm_ and the EMA", "[train][adamw]") {
  AdamWConfig cfg;  // the trainer's: lr 1e-3, betas 0.9/0.95, eps 1e-8
  SECTION("no weight decay, clip 2, EMA 0.999") {
    const Run r = compare(cfg, 2.0, 0.999, 200);
    INFO("param " << r.max_param << " m " << r.max_m << " v " << r.max_v << " ema " << r.max_ema);
    CHECK(r.max_param < 1e-6);
    CHECK(r.max_m < 1e-6);
    CHECK(r.max_v < 1e-6);
    CHECK(r.max_ema < 1e-6);
  }
  SECTION("weight decay 0.1, no clipping, EMA 0.99") {
    cfg.weight_decay = 0.1;
    cfg.lr = 3e-3;
    const Run r = compare(cfg, 0.0, 0.99, 200);
    INFO("param " << r.max_param << " m " << r.max_m << " v " << r.max_v << " ema " << r.max_ema);
    CHECK(r.max_param < 1e-6);
    CHECK(r.max_m < 1e-6);
    CHECK(r.max_v < 1e-6);
    CHECK(r.max_ema < 1e-6);
  }
}

TEST_CASE("fused AdamW: the result does not depend on the thread count", "[train][adamw]") {
  auto run = [](int threads) {
    const int before = torch::get_num_threads();
    torch::set_num_threads(threads);
    auto ps = make_params(5);
    auto ema = clones(ps, false);
    FusedAdamW opt(ps, AdamWConfig{});
    auto gen = at::detail::createCPUGenerator(1);
    for (int s = 0; s < 20; ++s) {
      opt.zero_grad();
      for (auto& p : ps) p.mutable_grad() = torch::randn(p.sizes(), gen);
      opt.step(1.0, ema, 0.9);
    }
    torch::set_num_threads(before);
    return ps;
  };
  auto a = run(1), b = run(2);
  for (size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i], b[i]));
}

TEST_CASE("fused AdamW: save/load continues exactly; foreign archives and misfits are rejected", "[train][adamw]") {
  auto step_n = [](FusedAdamW& opt, std::vector<torch::Tensor>& ps, at::Generator& gen, int n) {
    for (int s = 0; s < n; ++s) {
      opt.zero_grad();
      for (auto& p : ps) p.mutable_grad() = torch::randn(p.sizes(), gen);
      opt.step(2.0);
    }
  };
  auto a = make_params(7);
  FusedAdamW opt_a(a, AdamWConfig{});
  auto gen = at::detail::createCPUGenerator(3);
  step_n(opt_a, a, gen, 5);
  const std::string buf = saved_state(opt_a);
  auto b = clones(a, true);
  FusedAdamW opt_b(b, AdamWConfig{});
  load_state(opt_b, buf);
  CHECK(opt_b.steps() == 5);
  auto gen_a = at::detail::createCPUGenerator(9), gen_b = at::detail::createCPUGenerator(9);
  step_n(opt_a, a, gen_a, 5);
  step_n(opt_b, b, gen_b, 5);
  for (size_t i = 0; i < a.size(); ++i) CHECK(torch::equal(a[i], b[i]));

  SECTION("an archive of another optimizer is rejected with a clear error") {
    auto r = make_params(7);
    torch::optim::AdamW adamw(r, torch::optim::AdamWOptions(1e-3));
    FusedAdamW opt(clones(r, true), AdamWConfig{});
    CHECK_THROWS_WITH(load_state(opt, saved_state(adamw)), Catch::Contains("not written by this trainer's optimizer"));
  }
  SECTION("state of another model is rejected with a clear error") {
    std::vector<torch::Tensor> other{torch::zeros({4, 4}, torch::requires_grad())};
    FusedAdamW opt(other, AdamWConfig{});
    CHECK_THROWS_WITH(load_state(opt, buf), Catch::Contains("does not fit this model"));
    std::vector<torch::Tensor> reshaped;
    for (const auto& p : a) reshaped.push_back(torch::zeros({p.numel() + 1}, torch::requires_grad()));
    FusedAdamW opt2(reshaped, AdamWConfig{});
    CHECK_THROWS_WITH(load_state(opt2, buf), Catch::Contains("does not fit this model"));
  }
}

TEST_CASE("EMA warm-up decay: (1 + step) / (10 + step), capped at the configured decay", "[train][adamw]") {
  // by hand: step 0 -> 1/10; step 90 -> 91/100; step 10000 -> 10001/10010 = 0.99910 > 0.999
  CHECK(drift::core::ema_decay(0.999, 0) == Approx(0.1).epsilon(1e-15));
  CHECK(drift::core::ema_decay(0.999, 90) == Approx(0.91).epsilon(1e-15));
  CHECK(drift::core::ema_decay(0.999, 10000) == 0.999);
  CHECK(drift::core::ema_decay(0.5, 5) == Approx(0.4).epsilon(1e-15));   // 6/15 < 0.5: not capped
  CHECK(drift::core::ema_decay(0.5, 20) == 0.5);   // 21/30 = 0.7: capped
}
