// The optimizer arithmetic of every trainer in the tree: global gradient-norm clipping, AdamW
// (decoupled weight decay, bias correction) and the EMA of the weights, on flat float arrays.
// drift-train's FusedAdamW (native/train) runs these kernels over its tensors' memory; the
// digit and toy trainers of this core run them through AdamW below. One copy, so the browser
// trainer and drift-train update weights with the same float operations.
#pragma once
#include <cstdint>
#include <vector>

namespace drift::core {

struct AdamWConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.0;  // decoupled: p <- p * (1 - lr * weight_decay) before the update
};

// Per-step constants of the update, in float as the kernel uses them.
struct AdamWCoeffs {
  float clip;          // gradient scale (1 when not clipped)
  float decay;         // 1 - lr * weight_decay
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float inv_sqrt_bc2;  // 1 / sqrt(1 - beta2^t)
  float eps;
  float neg_step;      // -lr / (1 - beta1^t)
  float ema, one_minus_ema;
};

// Constants of step t (1-based) from the config (computed in double, then rounded), the clip
// scale and the EMA decay.
AdamWCoeffs adamw_coeffs(const AdamWConfig& cfg, std::int64_t t, double clip, double ema_decay);

// The clip scale of clip_grad_norm_ on float tensors: max_norm / (norm + 1e-6) in float,
// 1 when that is >= 1 or max_norm <= 0.
double clip_scale(double total_norm, double max_norm);

// Σ g² in double with 8 independent accumulators (summed in a fixed order: the result does
// not depend on vector width). g [n].
double sum_squares(const float* g, std::int64_t n);

// p, g, m, v [n] (e [n] or null: no EMA): one pass, each array read and written once.
//   g' = g clip; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'²;
//   p = p decay - step m / (sqrt(v)/sqrt(bc2) + eps); e = ema e + (1-ema) p
void adamw_update(float* p, const float* g, float* m, float* v, float* e, std::int64_t n,
                  const AdamWCoeffs& c);
// e [n] <- ema e + (1-ema) p, for parameters without a gradient this step.
void ema_update(const float* p, float* e, std::int64_t n, float ema, float one_minus_ema);

// The EMA decay after `step` optimiser steps: min(max_decay, (1 + step) / (10 + step)), in
// drift-train and the browser's digit trainer alike. A fixed 0.999 keeps 37% of the random
// initial weights after 1000 steps and made every early snapshot and short run look far worse
// than the weights being trained (docs/training.md, "EMA warm-up"); the warm-up lets the
// average follow early training.
double ema_decay(double max_decay, std::int64_t step);

// AdamW over one flat parameter vector (the core's trainers keep all weights in one array).
class AdamW {
 public:
  explicit AdamW(AdamWConfig cfg = {}) : cfg_(cfg) {}
  void reset(std::size_t n);  // zero moments of n parameters, step 0
  // One step on p [n] with gradient g [n]; clips the global norm at max_norm (<= 0: off).
  // Returns the gradient norm before clipping.
  double step(float* p, const float* g, double max_norm = 0.0);
  void set_lr(double lr) { cfg_.lr = lr; }
  const AdamWConfig& config() const { return cfg_; }
  std::int64_t steps() const { return t_; }

 private:
  AdamWConfig cfg_;
  std::vector<float> m_, v_;
  std::int64_t t_ = 0;
};

}  // namespace drift::core
