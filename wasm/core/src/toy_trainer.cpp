// Toy 2D drifting trainer: the core's MLP and AdamW, the drift loss.
#include "drift/core/toy_trainer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "drift/core/energy.h"

namespace drift::core {

namespace {
constexpr size_t kMaxEvalTargets = 2048;

void check_positive(float v, const char* what) {
  if (!(v > 0.0f) || !std::isfinite(v)) throw std::runtime_error(std::string("toy trainer: ") + what + " must be > 0");
}
}  // namespace

// ---- ToyTrainer -----------------------------------------------------------------------

ToyTrainer::ToyTrainer(const ToyTrainerConfig& cfg)
    : cfg_(cfg), mlp_(cfg.noise_dim, cfg.hidden, cfg.depth, 2), rng_(cfg.seed),
      adam_(AdamWConfig{cfg.lr, 0.9, 0.999, 1e-8, 0.0}) {
  if (cfg.n < 2 || cfg.n > 8192) throw std::runtime_error("toy trainer: n must be in [2, 8192]");
  if (cfg.eval_n < 2 || cfg.eval_n > 8192) throw std::runtime_error("toy trainer: eval_n must be in [2, 8192]");
  check_positive(cfg.lr, "lr");
  set_temperatures(cfg.taus);
  toy_init(cfg.init);  // validates the name
  ToyRng er(cfg.seed ^ 0xE7A1u);
  eval_noise_.resize(size_t(cfg.eval_n) * cfg.noise_dim);
  for (float& z : eval_noise_) z = er.normal();
  set_target(cfg.target);
  reset(cfg.init);
}

FieldParams ToyTrainer::field_params() const {
  FieldParams p;
  p.taus = cfg_.taus;
  p.raw_coordinates = cfg_.raw_coordinates;
  return p;
}

void ToyTrainer::sample_targets(int n, ToyRng& rng, float* out) const {
  if (user_points_.empty()) {
    sample_toy(cfg_.target, n, rng, out);
    return;
  }
  int m = int(user_points_.size() / 2);
  for (int i = 0; i < n; ++i) {
    int k = rng.below(m);
    out[2 * i] = user_points_[2 * k];
    out[2 * i + 1] = user_points_[2 * k + 1];
  }
}

void ToyTrainer::set_target(const std::string& name) {
  eval_targets_ = sample_toy(name, cfg_.eval_n, cfg_.seed ^ 0x7A26u);  // throws on unknown names
  cfg_.target = name;
  user_points_.clear();
  targets_within_ = -1.0;
}

void ToyTrainer::set_target_points(const std::vector<float>& xy) {
  if (xy.size() < 2 || xy.size() % 2 != 0 || xy.size() > 2 * 65536)
    throw std::runtime_error("toy trainer: target points must be [m,2] with 1 <= m <= 65536");
  for (float v : xy)
    if (!std::isfinite(v) || std::abs(v) > 1e4f) throw std::runtime_error("toy trainer: target points must be finite, |v| <= 1e4");
  user_points_ = xy;
  cfg_.target = "points";
  targets_within_ = -1.0;
  // Shown/evaluated targets: all points, or a fixed subset of kMaxEvalTargets, so field()
  // and distance() stay O(eval_n * 2048) however many points the user gives.
  const size_t m = xy.size() / 2;
  if (m <= kMaxEvalTargets) {
    eval_targets_ = xy;
  } else {
    ToyRng r(cfg_.seed ^ 0x5E1Eu);
    eval_targets_.resize(2 * kMaxEvalTargets);
    for (size_t i = 0; i < kMaxEvalTargets; ++i) {
      const size_t k = size_t(r.next_u64() % m);
      eval_targets_[2 * i] = xy[2 * k];
      eval_targets_[2 * i + 1] = xy[2 * k + 1];
    }
  }
}

void ToyTrainer::reset(const std::string& init) {
  toy_init(init);  // validates the name before anything changes
  cfg_.init = init;
  ToyRng wr(cfg_.seed);
  mlp_.init(wr);
  // Probe the untrained output on the evaluation noise: its spread (per coordinate, about
  // the mean) and the mean of its W h part; toy_init_affine turns them into the last layer's
  // scale and bias.
  const int n = cfg_.eval_n;
  const std::vector<float>& y = mlp_.forward(eval_noise_.data(), n);
  double mx = 0, my = 0, ss = 0;
  for (int i = 0; i < n; ++i) mx += y[2 * i], my += y[2 * i + 1];
  mx /= n, my /= n;
  for (int i = 0; i < n; ++i) ss += (y[2 * i] - mx) * (y[2 * i] - mx) + (y[2 * i + 1] - my) * (y[2 * i + 1] - my);
  const ToyInitAffine a = toy_init_affine(init, std::sqrt(ss / (2.0 * n)), float(mx - mlp_.output_bias(0)),
                                          float(my - mlp_.output_bias(1)));
  mlp_.set_output_affine(float(a.scale), a.bias[0], a.bias[1]);
  adam_.reset(mlp_.params().size());
  rng_ = ToyRng(cfg_.seed + 1);
  steps_ = 0;
  gen_valid_ = false;
}

void ToyTrainer::set_temperatures(const std::vector<float>& taus) {
  if (taus.empty() || taus.size() > 8) throw std::runtime_error("toy trainer: need 1..8 temperatures");
  for (float t : taus) check_positive(t, "temperatures");
  cfg_.taus = taus;
}

void ToyTrainer::set_lr(float lr) {
  check_positive(lr, "lr");
  cfg_.lr = lr;
  adam_.set_lr(lr);
}

namespace {
// X [n*2] the generator's output, goal [n*2] (x/s + V, frozen) -> mean((x/s - goal)^2), and
// its gradient dX (if given).
float drift_loss(const std::vector<float>& X, const float* goal, float s, std::vector<float>* dX) {
  const float inv = 1.0f / float(X.size()), inv_s = 1.0f / s;
  double loss = 0.0;
  if (dX) dX->resize(X.size());
  for (size_t k = 0; k < X.size(); ++k) {
    const float r = X[k] * inv_s - goal[k];
    loss += double(r) * r;
    if (dX) (*dX)[k] = r * (2.0f * inv * inv_s);
  }
  return float(loss * inv);
}
}  // namespace

// Z [n,noise_dim], goal [n,2] -> mean over samples and coords of (x/s - goal)^2
float ToyTrainer::loss_and_grad(const float* Z, int n, const float* goal, float s,
                                std::vector<float>* grad) {
  const std::vector<float>& X = mlp_.forward(Z, n);  // [n,2]
  const float loss = drift_loss(X, goal, s, grad ? &dout_ : nullptr);
  if (grad) mlp_.backward(dout_.data(), *grad);
  return loss;
}

void ToyTrainer::step(int k) {
  if (k < 0 || k > 100000) throw std::runtime_error("toy trainer: step count must be in [0, 100000]");
  const int n = cfg_.n, nd = cfg_.noise_dim;
  const FieldParams fp = field_params();
  Z_.resize(size_t(n) * nd);
  Y_.resize(size_t(n) * 2);
  V_.resize(size_t(n) * 2);
  goal_.resize(size_t(n) * 2);
  for (int it = 0; it < k; ++it) {
    for (float& z : Z_) z = rng_.normal();
    sample_targets(n, rng_, Y_.data());
    // one forward: the field reads its output, the backward its kept activations
    const std::vector<float>& X = mlp_.forward(Z_.data(), n);
    drift_field(X.data(), n, Y_.data(), n, nullptr, 0, 2, 0.0f, fp, V_.data(), &stats_);
    for (size_t j = 0; j < goal_.size(); ++j) goal_[j] = X[j] / stats_.s + V_[j];
    last_loss_ = drift_loss(X, goal_.data(), stats_.s, &dout_);
    mlp_.backward(dout_.data(), grad_);
    adam_.step(mlp_.params().data(), grad_.data());
    ++steps_;
  }
  if (k > 0) gen_valid_ = false;
}

const std::vector<float>& ToyTrainer::generated() {
  if (!gen_valid_) {
    gen_ = mlp_.forward(eval_noise_.data(), cfg_.eval_n);
    gen_valid_ = true;
  }
  return gen_;
}

std::vector<float> ToyTrainer::field() {
  const std::vector<float>& g = generated();
  const int n = int(g.size() / 2), m = int(eval_targets_.size() / 2);
  std::vector<float> V(g.size());
  FieldStats st;
  drift_field(g.data(), n, eval_targets_.data(), m, nullptr, 0, 2, 0.0f, field_params(), V.data(), &st);
  for (float& v : V) v *= st.s;
  return V;
}

// Unbiased energy distance (drift/core/energy.h). A drawn target (a toy set, or a subset of
// many user points) is a sample: E|Y-Y'| over its m(m-1) pairs. All of the user's points are
// the target distribution itself, so E|Y-Y'| over all m^2 pairs is exact there.
float ToyTrainer::distance() {
  const std::vector<float>& g = generated();
  const size_t n = g.size() / 2, m = eval_targets_.size() / 2;
  if (targets_within_ < 0.0) {
    const bool exact = !user_points_.empty() && eval_targets_.size() == user_points_.size();
    targets_within_ = m < 2 ? 0.0 : mean_within_distance(eval_targets_.data(), m, 2);
    if (exact) targets_within_ *= double(m - 1) / double(m);
  }
  const double xy = mean_cross_distance(g.data(), n, eval_targets_.data(), m, 2);
  return float(2.0 * xy - mean_within_distance(g.data(), n, 2) - targets_within_);
}

}  // namespace drift::core
