// The digit trainer (digit_trainer.h).
#include "drift/core/digit_trainer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "drift/core/energy.h"
#include "drift/core/rng.h"

namespace drift::core {

namespace {
std::runtime_error trainer_error(const std::string& what) { return std::runtime_error("digit trainer: " + what); }

std::vector<int> arch_sizes(const DigitArch& a) {
  std::vector<int> s{a.noise_dim + kDigitClasses + 1};
  for (int l = 0; l < a.depth; ++l) s.push_back(a.hidden);
  s.push_back(kDigitPixels);
  return s;
}

const DigitArch& checked_arch(const DigitTrainerConfig& cfg) {
  const std::string why = DigitTrainer::check_config(cfg);
  if (!why.empty()) throw std::runtime_error(why);
  return *find_digit_arch(cfg.arch);
}

// column i of Z [in, n]: noise (drawn), one-hot(cls), α − 1 = 0
void noise_column(ToyRng& r, int noise_dim, int cls, float* col) {
  for (int k = 0; k < noise_dim; ++k) col[k] = r.normal();
  std::fill(col + noise_dim, col + noise_dim + kDigitClasses + 1, 0.0f);
  col[noise_dim + cls] = 1.0f;
}
}  // namespace

const DigitArch* find_digit_arch(std::string_view name) {
  if (name.empty()) return &kDigitArchs[0];
  for (const DigitArch& a : kDigitArchs)
    if (name == a.name) return &a;
  return nullptr;
}

std::string digit_arch_names() {
  std::string s;
  for (const DigitArch& a : kDigitArchs) s += (s.empty() ? "" : ",") + std::string(a.name);
  return s;
}

DigitTrainer::DigitTrainer(const DigitTrainerConfig& cfg)
    : cfg_(cfg),
      arch_(&checked_arch(cfg)),
      mlp_(arch_sizes(*arch_), true),
      adam_(AdamWConfig{cfg.lr > 0.0f ? cfg.lr : arch_->lr, 0.9, 0.999, 1e-8, 0.0}),
      rng_(cfg.seed + 1) {
  if (cfg_.lr <= 0.0f) cfg_.lr = arch_->lr;
  cfg_.arch = arch_->name;
  reset();
}

std::string DigitTrainer::check_config(const DigitTrainerConfig& cfg) {
  if (!find_digit_arch(cfg.arch)) return "digit trainer: unknown arch '" + cfg.arch + "' (known: " + digit_arch_names() + ")";
  if (cfg.lr != 0.0f && !check_lr(cfg.lr).empty()) return check_lr(cfg.lr) + " (0: the arch's)";
  if (cfg.holdout < kQualityPer * kDigitClasses || cfg.holdout > 100000)
    return "digit trainer: holdout must be in [" + std::to_string(kQualityPer * kDigitClasses) + ", 100000]";
  return "";
}

std::string DigitTrainer::check_lr(float lr) {
  if (lr > 0.0f && lr <= 1.0f) return "";
  return "digit trainer: lr must be in (0, 1]";
}

std::string DigitTrainer::check_data(const DigitSet& d) const {
  if (d.rows * d.cols != kDigitPixels || d.classes != kDigitClasses)
    return "digit trainer: needs 28x28 digits of 10 classes, got " + std::to_string(d.rows) + "x" + std::to_string(d.cols) +
           " of " + std::to_string(d.classes);
  if (d.count < cfg_.holdout + kDigitClasses || std::size_t(d.count) != d.labels.size() ||
      d.pixels.size() != std::size_t(d.count) * kDigitPixels)
    return "digit trainer: needs at least " + std::to_string(cfg_.holdout + kDigitClasses) + " digits (" +
           std::to_string(cfg_.holdout) + " are held out), got " + std::to_string(d.count);
  std::vector<char> seen(kDigitClasses, 0);
  for (int i = 0; i < d.count - cfg_.holdout; ++i)
    if (d.labels[std::size_t(i)] < kDigitClasses) seen[d.labels[std::size_t(i)]] = 1;
    else return "digit trainer: label " + std::to_string(d.labels[std::size_t(i)]) + " is not in [0, 10)";
  for (int c = 0; c < kDigitClasses; ++c)
    if (!seen[std::size_t(c)]) return "digit trainer: no training digit of class " + std::to_string(c);
  return "";
}

bool DigitTrainer::weights_finite() const {
  for (float v : mlp_.params())
    if (!std::isfinite(v)) return false;
  for (float v : ema_)
    if (!std::isfinite(v)) return false;
  return true;
}

void DigitTrainer::set_data(DigitSet d) {
  const std::string why = check_data(d);
  if (!why.empty()) throw std::runtime_error(why);
  const int train = d.count - cfg_.holdout;
  std::vector<std::vector<int>> by(kDigitClasses);
  for (int i = 0; i < train; ++i) by[d.labels[std::size_t(i)]].push_back(i);
  by_class_ = std::move(by);
  pixels_ = std::move(d.pixels);
  train_count_ = train;
  holdout_count_ = cfg_.holdout;
  const int q = kQualityPer * kDigitClasses;
  holdout_f_.resize(std::size_t(q) * kDigitPixels);
  const std::uint8_t* h = pixels_.data() + std::size_t(train) * kDigitPixels;
  for (std::size_t k = 0; k < holdout_f_.size(); ++k) holdout_f_[k] = float(h[k]) * (1.0f / 255.0f);
  reset();
}

void DigitTrainer::reset() {
  ToyRng wr(cfg_.seed);
  mlp_.init(wr);
  adam_.reset(mlp_.params().size());
  if (arch_->ema > 0.0f) ema_ = mlp_.params();
  rng_ = ToyRng(cfg_.seed + 1);
  steps_ = 0;
  last_loss_ = 0.0f;
  stats_ = FieldStats{};
}

void DigitTrainer::set_lr(float lr) {
  if (!check_lr(lr).empty()) throw std::runtime_error(check_lr(lr));
  cfg_.lr = lr;
  adam_.set_lr(lr);
}

void DigitTrainer::draw_batch() {
  const int in = mlp_.in_dim(), G = arch_->gen_per_class, P = arch_->pos_per_class;
  Z_.resize(std::size_t(in) * batch());
  for (int i = 0; i < batch(); ++i) noise_column(rng_, arch_->noise_dim, i / G, Z_.data() + std::size_t(i) * in);
  pos_.resize(std::size_t(kDigitClasses) * P * kDigitPixels);
  float* out = pos_.data();
  for (int c = 0; c < kDigitClasses; ++c) {
    const std::vector<int>& idx = by_class_[std::size_t(c)];
    for (int j = 0; j < P; ++j, out += kDigitPixels) {
      const std::uint8_t* px = pixels_.data() + std::size_t(idx[std::size_t(rng_.below(int(idx.size())))]) * kDigitPixels;
      for (int k = 0; k < kDigitPixels; ++k) out[k] = float(px[k]) * (1.0f / 255.0f);
    }
  }
}

// x = G(Z) [784, batch] (= row-major [batch, 784], class-major groups); V from the batch field
// of the 10 groups; loss = mean((x/s - stopgrad(x/s + V))^2), dL/dx = 2 (x/s - goal) / (s numel).
float DigitTrainer::loss_and_grad(const float* Z, const float* pos, std::vector<float>& grad, std::vector<float>* V,
                                  FieldStats* stats) {
  const int G = arch_->gen_per_class, P = arch_->pos_per_class, B = batch();
  const std::vector<float>& x = mlp_.forward(Z, B);
  V_.resize(x.size());
  FieldGroup groups[kDigitClasses];
  for (int c = 0; c < kDigitClasses; ++c) {
    const std::size_t xo = std::size_t(c) * G * kDigitPixels;
    groups[c] = FieldGroup{x.data() + xo, G, pos + std::size_t(c) * P * kDigitPixels, P, nullptr, 0, 0.0f, V_.data() + xo};
  }
  FieldStats st;
  drift_field_groups(groups, kDigitClasses, kDigitPixels, FieldParams{}, &st);
  const float inv_s = 1.0f / st.s, k2 = 2.0f / (float(x.size()) * st.s);
  dx_.resize(x.size());
  double loss = 0.0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const float xs = x[k] * inv_s, r = xs - (xs + V_[k]);
    loss += double(r) * r;
    dx_[k] = r * k2;
  }
  mlp_.backward(dx_.data(), grad);
  if (V) *V = V_;
  if (stats) *stats = st;
  return float(loss / double(x.size()));
}

void DigitTrainer::step(int k) {
  if (k < 0 || k > 100000) throw trainer_error("step count must be in [0, 100000]");
  if (k > 0 && !has_data()) throw trainer_error("no training data (set_data first)");
  for (int it = 0; it < k; ++it) {
    draw_batch();
    last_loss_ = loss_and_grad(Z_.data(), pos_.data(), grad_, nullptr, &stats_);
    adam_.step(mlp_.params().data(), grad_.data());
    ++steps_;
    if (arch_->ema > 0.0f) {
      const float d = float(ema_decay(arch_->ema, steps_));
      ema_update(mlp_.params().data(), ema_.data(), std::int64_t(ema_.size()), d, 1.0f - d);
    }
  }
}

const std::vector<float>& DigitTrainer::sample(int per_class) {
  if (per_class < 1 || per_class > kMaxSamplePer)
    throw trainer_error("samples per class must be in [1, " + std::to_string(kMaxSamplePer) + "]");
  const int in = mlp_.in_dim(), L = arch_->noise_dim, n = kDigitClasses * per_class;
  std::vector<float> noise(std::size_t(n) * L);
  fill_normal(cfg_.seed, noise.data(), noise.size());  // [n, L]: sample i's noise is row i
  zq_.assign(std::size_t(in) * n, 0.0f);
  for (int i = 0; i < n; ++i) {
    float* col = zq_.data() + std::size_t(i) * in;
    std::copy(noise.begin() + std::ptrdiff_t(i) * L, noise.begin() + std::ptrdiff_t(i + 1) * L, col);
    col[L + i / per_class] = 1.0f;  // one-hot; α − 1 = 0
  }
  // drawn with the weights export_model() writes: the EMA's when the arch keeps one
  if (arch_->ema > 0.0f) mlp_.params().swap(ema_);
  sample_ = mlp_.forward(zq_.data(), n);
  if (arch_->ema > 0.0f) mlp_.params().swap(ema_);
  return sample_;
}

float DigitTrainer::quality() {
  if (!has_data()) throw trainer_error("no held-out data (set_data first)");
  const std::vector<float>& g = sample(kQualityPer);
  const std::size_t n = std::size_t(kQualityPer) * kDigitClasses;
  return float(energy_distance(g.data(), n, holdout_f_.data(), n, kDigitPixels));
}

ModelFiles DigitTrainer::export_model() const {
  if (!weights_finite()) throw trainer_error("the weights are not finite (training diverged); reset");
  ModelDescription d;
  WeightSet w;
  const int L = mlp_.num_layers();
  for (int l = 0; l < L; ++l) {
    const int in = mlp_.sizes()[std::size_t(l)], out = mlp_.sizes()[std::size_t(l) + 1];
    LayerSpec s;
    s.type = LayerType::linear;
    s.in = in, s.out = out;
    s.weight = "layer" + std::to_string(2 * l) + ".weight";
    s.bias = "layer" + std::to_string(2 * l) + ".bias";
    d.layers.push_back(s);
    LayerSpec act;
    act.type = l + 1 < L ? LayerType::silu : LayerType::sigmoid;
    d.layers.push_back(act);
    const float* p = arch_->ema > 0.0f ? ema_.data() : mlp_.params().data();
    w.tensors.push_back({s.weight, {out, in}, std::vector<float>(p + mlp_.weight_offset(l), p + mlp_.bias_offset(l))});
    w.tensors.push_back({s.bias, {out}, std::vector<float>(p + mlp_.bias_offset(l), p + mlp_.bias_offset(l) + out)});
  }
  d.num_classes = kDigitClasses;
  d.latent_dim = arch_->noise_dim;
  d.alpha_min = d.alpha_max = 1.0;
  d.output_shape = {1, 28, 28};
  d.output_min = 0.0, d.output_max = 1.0;
  d.training = {{"trainer", "digit trainer (wasm/core digit_trainer.h)"},
                {"arch", arch_->name},
                {"steps", steps_},
                {"lr", cfg_.lr},
                {"seed", cfg_.seed},
                {"gen_per_class", arch_->gen_per_class},
                {"pos_per_class", arch_->pos_per_class},
                {"ema", arch_->ema},
                {"train_digits", train_count_}};
  return encode_model(d, w, {}, DType::f32);
}

}  // namespace drift::core
