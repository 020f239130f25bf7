// The optimizer tail of a training step in one pass: global gradient-norm clipping, AdamW
// (decoupled weight decay, bias correction) and the EMA of the weights.
//
// Same math as torch::nn::utils::clip_grad_norm_ + torch::optim::AdamW + the EMA (decay: core::ema_decay)
// (tests/unit/test_fused_adamw.cpp compares them), but on the CPU one loop reads every
// parameter's gradient, moments, weight and EMA once and writes them once, instead of a dozen
// separate elementwise passes over 5 MB arrays. Other devices (CUDA) and dtypes run the same
// formulas as tensor ops.
#pragma once
#include <torch/torch.h>
#include <cstdint>
#include <vector>

namespace drift::train {

struct AdamWConfig {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.95;
  double eps = 1e-8;
  double weight_decay = 0.0;  // decoupled: p <- p * (1 - lr * weight_decay) before the update
};

class FusedAdamW {
 public:
  FusedAdamW(std::vector<torch::Tensor> params, AdamWConfig cfg);

  void set_lr(double lr) { cfg_.lr = lr; }
  double lr() const { return cfg_.lr; }
  const AdamWConfig& config() const { return cfg_; }
  int64_t steps() const { return step_; }  // completed steps (the bias-correction count)

  // Drops the gradients (set to none), so that backward writes fresh ones instead of adding
  // to zeroed buffers.
  void zero_grad();

  // One step. Clips the global L2 norm of all gradients at max_norm (max_norm <= 0: no
  // clipping; the coefficient is max_norm / (norm + 1e-6) when below 1, as
  // clip_grad_norm_), applies AdamW to every parameter with a gradient, then, when ema is
  // non-empty (one tensor per parameter, same shapes), ema <- decay * ema + (1 - decay) * param.
  // Returns the gradient norm before clipping.
  double step(double max_norm = 0.0, const std::vector<torch::Tensor>& ema = {}, double ema_decay = 0.0);

  // The moments, per parameter (undefined before the first step).
  const std::vector<torch::Tensor>& exp_avg() const { return m_; }
  const std::vector<torch::Tensor>& exp_avg_sq() const { return v_; }

  // Checkpoint state: step count and both moments of every parameter. load() throws
  // std::runtime_error when the stored state does not fit these parameters.
  void save(torch::serialize::OutputArchive& ar) const;
  void load(torch::serialize::InputArchive& ar);

 private:
  void init_state();
  std::vector<torch::Tensor> params_, m_, v_;
  AdamWConfig cfg_;
  int64_t step_ = 0;
};

// The state torch::optim::AdamW keeps for parameter p, or nullptr (its state map is keyed by
// the parameter's TensorImpl: a string in LibTorch 1.x, a pointer in later versions).
torch::optim::AdamWParamState* adamw_state(torch::optim::AdamW& opt, const torch::Tensor& p);

}  // namespace drift::train
