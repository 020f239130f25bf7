// A tiny in-browser drifting trainer on 2D toys: MLP generator with hand-written backprop,
// Adam, the drift loss of drift/field.h. Same code natively (tests) and in wasm (the page).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "drift/core/field_eigen.h"
#include "drift/core/toy_data.h"

namespace drift::core {

// in -> hidden (x depth, SiLU) -> out. Activations are [n, features] row-major (one sample
// per row). Parameters live in one flat vector, per layer W [out,in] row-major (PyTorch's
// layout) then b [out], so Adam and the tests see one array.
class ToyMLP {
 public:
  ToyMLP(int in, int hidden, int depth, int out);
  void init(ToyRng& rng);  // W, b ~ U(-1/sqrt(in), 1/sqrt(in)) like torch.nn.Linear
  int in_dim() const { return in_; }
  int out_dim() const { return outd_; }
  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }
  // Z [n,in] -> [n,out]; keeps the activations for backward().
  const std::vector<float>& forward(const float* Z, int n);
  // dOut [n,out] = dL/d(output of the last forward) -> grad (params' layout, overwritten).
  void backward(const float* dOut, std::vector<float>& grad);
  // Last layer: scale W by k and set b (used by the inits); its current bias b[o].
  void set_output_affine(float k, float b0, float b1);
  float output_bias(int o) const { return params_[layers_.back().b + size_t(o)]; }

 private:
  struct Layer { int in, out; size_t w, b; };
  std::vector<Layer> layers_;
  std::vector<float> params_;
  std::vector<std::vector<float>> pre_, act_;  // per layer: pre-activation, input activation
  std::vector<float> y_, g_, ga_, gt_;         // output; backward scratch
  int in_, outd_, n_ = 0;
};

struct ToyTrainerConfig {
  std::string target = "checkerboard";   // a toy_data name (or set_target_points later)
  std::string init = "middle";           // middle | far | collapsed
  int n = 512;                           // generated = targets per step
  int noise_dim = 32, hidden = 128, depth = 3;
  float lr = 1e-3f;
  std::vector<float> taus{0.05f};
  bool raw_coordinates = false;          // true: official notebook (s=1, no d̄ scaling)
  uint64_t seed = 0;
  int eval_n = 1024;                     // points for generated()/field()/distance()
};

class ToyTrainer {
 public:
  explicit ToyTrainer(const ToyTrainerConfig& cfg);  // throws runtime_error on bad config

  void step(int k = 1);
  int step_count() const { return steps_; }
  float last_loss() const { return last_loss_; }
  const FieldStats& last_stats() const { return stats_; }

  // Generated points on fixed evaluation noise, [eval_n,2] row-major (moves smoothly).
  const std::vector<float>& generated();
  // The fixed evaluation target sample [eval_n,2] (user points: all of them, at most 2048).
  const std::vector<float>& targets() const { return eval_targets_; }
  // s*V at generated(): the displacement the field asks for, data units, [eval_n,2].
  std::vector<float> field();
  // Unbiased energy distance (drift/core/energy.h) between generated() and the target:
  // 2E|X-Y| - E|X-X'| - E|Y-Y'|, about 0 (and possibly slightly negative) when generated()
  // follows the target.
  float distance();

  void set_target(const std::string& name);
  void set_target_points(const std::vector<float>& xy);  // [m,2], 1 <= m <= 65536, finite
  void reset(const std::string& init);  // new weights (same seed), Adam state, step 0
  void set_temperatures(const std::vector<float>& taus);
  void set_lr(float lr);
  const ToyTrainerConfig& config() const { return cfg_; }
  ToyMLP& mlp() { return mlp_; }

  // The drift loss mean((x/s - goal)^2) on noise Z [n,noise_dim] against a frozen goal
  // (x/s + V) [n,2]; fills grad if given. Exposed for the finite-difference test.
  float loss_and_grad(const float* Z, int n, const float* goal, float s, std::vector<float>* grad);

 private:
  void sample_targets(int n, ToyRng& rng, float* out) const;
  FieldParams field_params() const;

  ToyTrainerConfig cfg_;
  ToyMLP mlp_;
  ToyRng rng_;
  std::vector<float> user_points_;  // empty: cfg_.target is a toy name
  std::vector<float> m_, v_, grad_;
  std::vector<float> eval_noise_, eval_targets_, gen_;
  std::vector<float> Z_, Y_, X_, V_, goal_, dout_;  // step scratch
  bool gen_valid_ = false;
  double targets_within_ = -1.0;  // E|Y-Y'| of the target, cached (< 0: not yet computed)
  int steps_ = 0;
  float last_loss_ = 0.0f;
  FieldStats stats_;
};

}  // namespace drift::core
