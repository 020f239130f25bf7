// A tiny in-browser drifting trainer on 2D toys: the core's MLP (mlp.h: the layers' backward),
// its AdamW (adamw.h), the drift loss of field_eigen.h. Same code natively (tests) and in wasm
// (the page).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "drift/core/adamw.h"
#include "drift/core/field_eigen.h"
#include "drift/core/mlp.h"
#include "drift/core/toy_data.h"

namespace drift::core {

// The toy generator: in -> hidden (x depth, SiLU) -> out, the core's trainable MLP.
using ToyMLP = Mlp;

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
  AdamW adam_;
  std::vector<float> grad_;
  std::vector<float> eval_noise_, eval_targets_, gen_;
  std::vector<float> Z_, Y_, X_, V_, goal_, dout_;  // step scratch
  bool gen_valid_ = false;
  double targets_within_ = -1.0;  // E|Y-Y'| of the target, cached (< 0: not yet computed)
  int steps_ = 0;
  float last_loss_ = 0.0f;
  FieldStats stats_;
};

}  // namespace drift::core
