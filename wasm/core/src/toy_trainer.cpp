// Toy 2D drifting trainer: MLP forward/backward by hand, Adam, drift loss.
#include "drift/toy_trainer.h"

#include <cmath>
#include <stdexcept>

namespace drift::core {

namespace {
using MapM = Eigen::Map<Eigen::MatrixXf>;
using MapV = Eigen::Map<Eigen::VectorXf>;

inline float sigmoid(float h) { return 1.0f / (1.0f + std::exp(-h)); }

// Mean pairwise L2 distance between a [n,2] and b [m,2]; skip_diag for E|X-X'|.
double mean_dist(const std::vector<float>& a, const std::vector<float>& b, bool skip_diag) {
  size_t n = a.size() / 2, m = b.size() / 2;
  double acc = 0.0;
  for (size_t i = 0; i < n; ++i) {
    float ax = a[2 * i], ay = a[2 * i + 1];
    float row = 0.0f;
    for (size_t j = 0; j < m; ++j) {
      float dx = ax - b[2 * j], dy = ay - b[2 * j + 1];
      row += std::sqrt(dx * dx + dy * dy);
    }
    acc += row;
  }
  double pairs = skip_diag ? double(n) * double(n - 1) : double(n) * double(m);
  return pairs > 0 ? acc / pairs : 0.0;
}
}  // namespace

// ---- ToyMLP ----------------------------------------------------------------------------

ToyMLP::ToyMLP(int in, int hidden, int depth, int out) : in_(in), outd_(out) {
  if (in <= 0 || hidden <= 0 || depth < 1 || out <= 0 || in > 4096 || hidden > 4096 || depth > 16)
    throw std::runtime_error("toy trainer: bad MLP size");
  size_t off = 0;
  int prev = in;
  for (int l = 0; l <= depth; ++l) {
    int o = l == depth ? out : hidden;
    layers_.push_back({prev, o, off, off + size_t(prev) * o});
    off += size_t(prev) * o + o;
    prev = o;
  }
  params_.assign(off, 0.0f);
  pre_.resize(layers_.size());
  act_.resize(layers_.size());
}

void ToyMLP::init(ToyRng& rng) {
  for (const Layer& L : layers_) {
    float bound = 1.0f / std::sqrt(float(L.in));
    for (size_t i = L.w; i < L.b + L.out; ++i) params_[i] = bound * (2.0f * rng.uniform() - 1.0f);
  }
}

// Z [in,n] -> out [out,n]
const Eigen::MatrixXf& ToyMLP::forward(const Eigen::MatrixXf& Z) {
  if (Z.rows() != in_) throw std::runtime_error("toy trainer: noise has wrong dimension");
  act_[0] = Z;  // act_[l]: input of layer l
  for (size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    MapM W(params_.data() + L.w, L.out, L.in);
    MapV b(params_.data() + L.b, L.out);
    bool last = l + 1 == layers_.size();
    Eigen::MatrixXf& h = last ? y_ : pre_[l];
    h.noalias() = W * act_[l];
    h.colwise() += b;
    if (!last) act_[l + 1] = h.unaryExpr([](float v) { return v * sigmoid(v); });
  }
  return y_;
}

// dOut [out,n] -> grad
void ToyMLP::backward(const Eigen::MatrixXf& dOut, std::vector<float>& grad) {
  grad.assign(params_.size(), 0.0f);
  Eigen::MatrixXf g = dOut;  // dL/d(pre-activation of layer l)
  for (size_t l = layers_.size(); l-- > 0;) {
    const Layer& L = layers_[l];
    MapM gW(grad.data() + L.w, L.out, L.in);
    MapV gb(grad.data() + L.b, L.out);
    gW.noalias() = g * act_[l].transpose();
    gb = g.rowwise().sum();
    if (l == 0) break;
    MapM W(params_.data() + L.w, L.out, L.in);
    Eigen::MatrixXf ga = W.transpose() * g;  // dL/d act_[l]
    const Eigen::MatrixXf& h = pre_[l - 1];
    // silu'(h) = s(h) (1 + h (1 - s(h)))
    g = ga.binaryExpr(h, [](float d, float v) {
      float s = sigmoid(v);
      return d * s * (1.0f + v * (1.0f - s));
    });
  }
}

void ToyMLP::set_output_affine(float k, float b0, float b1) {
  const Layer& L = layers_.back();
  for (size_t i = L.w; i < L.b; ++i) params_[i] *= k;
  params_[L.b] = b0;
  if (L.out > 1) params_[L.b + 1] = b1;
}

// ---- ToyTrainer -----------------------------------------------------------------------

ToyTrainer::ToyTrainer(const ToyTrainerConfig& cfg)
    : cfg_(cfg), mlp_(cfg.noise_dim, cfg.hidden, cfg.depth, 2), rng_(cfg.seed) {
  if (cfg.n < 2 || cfg.n > 8192) throw std::runtime_error("toy trainer: n must be in [2, 8192]");
  if (cfg.eval_n < 2 || cfg.eval_n > 8192) throw std::runtime_error("toy trainer: eval_n must be in [2, 8192]");
  if (!(cfg.lr > 0.0f) || !std::isfinite(cfg.lr)) throw std::runtime_error("toy trainer: lr must be > 0");
  set_temperatures(cfg.taus);
  toy_init(cfg.init);  // validates the name
  ToyRng er(cfg.seed ^ 0xE7A1u);
  eval_noise_ = noise(cfg.eval_n, er);
  set_target(cfg.target);
  reset(cfg.init);
}

Eigen::MatrixXf ToyTrainer::noise(int n, ToyRng& rng) const {
  Eigen::MatrixXf Z(cfg_.noise_dim, n);
  for (Eigen::Index i = 0; i < Z.size(); ++i) Z.data()[i] = rng.normal();
  return Z;
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
  if (!is_toy_name(name)) sample_toy(name, 0, 0);  // throws the standard message
  cfg_.target = name;
  user_points_.clear();
  eval_targets_ = sample_toy(name, cfg_.eval_n, cfg_.seed ^ 0x7A26u);
}

void ToyTrainer::set_target_points(const std::vector<float>& xy) {
  if (xy.size() < 2 || xy.size() % 2 != 0 || xy.size() > 2 * 65536)
    throw std::runtime_error("toy trainer: target points must be [m,2] with 1 <= m <= 65536");
  for (float v : xy)
    if (!std::isfinite(v) || std::abs(v) > 1e4f) throw std::runtime_error("toy trainer: target points must be finite, |v| <= 1e4");
  user_points_ = xy;
  cfg_.target = "points";
  eval_targets_ = xy;
}

void ToyTrainer::reset(const std::string& init) {
  ToyInit spec = toy_init(init);
  cfg_.init = init;
  ToyRng wr(cfg_.seed);
  mlp_.init(wr);
  // Place the untrained output: centre (cx,cy), per-coordinate spread `spread`.
  const Eigen::MatrixXf& out = mlp_.forward(eval_noise_);
  Eigen::Vector2f mean = out.rowwise().mean();
  float sd = std::sqrt((out.colwise() - mean).squaredNorm() / float(out.size()));
  mlp_.set_output_affine(spec.spread / std::max(sd, 1e-12f), 0.0f, 0.0f);
  const Eigen::MatrixXf& out2 = mlp_.forward(eval_noise_);
  Eigen::Vector2f m2 = out2.rowwise().mean();
  mlp_.set_output_affine(1.0f, spec.cx - m2(0), spec.cy - m2(1));
  m_.assign(mlp_.params().size(), 0.0f);
  v_.assign(mlp_.params().size(), 0.0f);
  rng_ = ToyRng(cfg_.seed + 1);
  steps_ = 0;
  gen_valid_ = false;
}

void ToyTrainer::set_temperatures(const std::vector<float>& taus) {
  if (taus.empty() || taus.size() > 8) throw std::runtime_error("toy trainer: need 1..8 temperatures");
  for (float t : taus)
    if (!(t > 0.0f) || !std::isfinite(t)) throw std::runtime_error("toy trainer: temperatures must be > 0");
  cfg_.taus = taus;
}

void ToyTrainer::set_lr(float lr) {
  if (!(lr > 0.0f) || !std::isfinite(lr)) throw std::runtime_error("toy trainer: lr must be > 0");
  cfg_.lr = lr;
}

// Z [noise_dim,n], goal [n,2] -> mean over samples and coords of (x/s - goal)^2
float ToyTrainer::loss_and_grad(const Eigen::MatrixXf& Z, const RowMatrixXf& goal, float s,
                                std::vector<float>* grad) {
  const Eigen::MatrixXf& X = mlp_.forward(Z);  // [2,n]
  const float inv = 1.0f / float(X.size());
  Eigen::MatrixXf r = X / s - goal.transpose();
  float loss = r.squaredNorm() * inv;
  if (grad) {
    Eigen::MatrixXf dOut = r * (2.0f * inv / s);
    mlp_.backward(dOut, *grad);
  }
  return loss;
}

void ToyTrainer::step(int k) {
  if (k < 0 || k > 100000) throw std::runtime_error("toy trainer: step count must be in [0, 100000]");
  const int n = cfg_.n;
  RowMatrixXf Y(n, 2), none(0, 2);
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
  for (int it = 0; it < k; ++it) {
    Eigen::MatrixXf Z = noise(n, rng_);
    sample_targets(n, rng_, Y.data());
    RowMatrixXf X = mlp_.forward(Z).transpose();
    RowMatrixXf V = drift_field(X, Y, none, 0.0f, field_params(), &stats_);
    RowMatrixXf goal = X / stats_.s + V;
    last_loss_ = loss_and_grad(Z, goal, stats_.s, &grad_);
    ++steps_;
    // Adam with bias correction.
    float c1 = 1.0f - std::pow(b1, float(steps_)), c2 = 1.0f - std::pow(b2, float(steps_));
    float step_size = cfg_.lr * std::sqrt(c2) / c1;
    std::vector<float>& p = mlp_.params();
    for (size_t i = 0; i < p.size(); ++i) {
      m_[i] = b1 * m_[i] + (1.0f - b1) * grad_[i];
      v_[i] = b2 * v_[i] + (1.0f - b2) * grad_[i] * grad_[i];
      p[i] -= step_size * m_[i] / (std::sqrt(v_[i]) + eps * std::sqrt(c2));
    }
  }
  if (k > 0) gen_valid_ = false;
}

const std::vector<float>& ToyTrainer::generated() {
  if (!gen_valid_) {
    const Eigen::MatrixXf& X = mlp_.forward(eval_noise_);
    gen_.assign(X.data(), X.data() + X.size());  // column-major [2,n] == row-major [n,2]
    gen_valid_ = true;
  }
  return gen_;
}

std::vector<float> ToyTrainer::field() {
  const std::vector<float>& g = generated();
  int n = int(g.size() / 2), m = int(eval_targets_.size() / 2);
  RowMatrixXf none(0, 2);
  FieldStats st;
  RowMatrixXf V = drift_field(ConstRowMap(g.data(), n, 2), ConstRowMap(eval_targets_.data(), m, 2),
                              none, 0.0f, field_params(), &st);
  V *= st.s;
  return std::vector<float>(V.data(), V.data() + V.size());
}

float ToyTrainer::distance() {
  const std::vector<float>& g = generated();
  double xy = mean_dist(g, eval_targets_, false);
  double xx = mean_dist(g, g, true);
  double yy = mean_dist(eval_targets_, eval_targets_, true);
  return float(std::max(0.0, 2.0 * xy - xx - yy));
}

}  // namespace drift::core
