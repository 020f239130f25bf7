// Fused clip + AdamW + EMA (see fused_adamw.h): chunking, threads and tensor state here; the
// per-element kernels are the core's (drift/core/adamw.h), shared with the browser trainers.
#include "drift/train/fused_adamw.h"

#include "drift/core/adamw.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace drift::train {

namespace {
// Work is cut into fixed chunks of this many elements: the partial sums of the gradient
// norm are per chunk and summed in chunk order, so the norm does not depend on the number
// of threads.
constexpr int64_t kChunk = 1 << 14;

struct Chunk {
  size_t param;
  int64_t begin, end;
};

template <class Map>
auto find_state(Map& m, const torch::Tensor& p) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream key;  // what c10::guts::to_string(impl) writes
    key << p.unsafeGetTensorImpl();
    return m.find(key.str());
  } else {
    return m.find(p.unsafeGetTensorImpl());
  }
}

bool fusable(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous() &&
         !t.is_sparse();
}
}  // namespace

FusedAdamW::FusedAdamW(std::vector<torch::Tensor> params, AdamWConfig cfg)
    : params_(std::move(params)), cfg_(cfg) {
  if (cfg_.beta1 < 0 || cfg_.beta1 >= 1 || cfg_.beta2 < 0 || cfg_.beta2 >= 1)
    throw std::runtime_error("AdamW: betas must be in [0, 1)");
  if (cfg_.eps < 0 || cfg_.lr < 0 || cfg_.weight_decay < 0)
    throw std::runtime_error("AdamW: lr, eps and weight decay must be >= 0");
}

void FusedAdamW::init_state() {
  if (!m_.empty()) return;
  torch::NoGradGuard ng;
  for (const auto& p : params_) {
    m_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
    v_.push_back(torch::zeros_like(p, torch::MemoryFormat::Contiguous));
  }
}

void FusedAdamW::zero_grad() {
  for (auto& p : params_)
    if (p.grad().defined()) p.mutable_grad() = torch::Tensor();
}

double FusedAdamW::step(double max_norm, const std::vector<torch::Tensor>& ema, double ema_decay) {
  torch::NoGradGuard ng;
  if (!ema.empty() && ema.size() != params_.size())
    throw std::runtime_error("AdamW: need one EMA tensor per parameter");
  init_state();
  const size_t n = params_.size();
  std::vector<torch::Tensor> grads(n);
  bool all_fused = true;
  for (size_t i = 0; i < n; ++i) {
    const auto& g = params_[i].grad();
    if (!g.defined()) continue;
    grads[i] = g.is_contiguous() ? g : g.contiguous();
    all_fused = all_fused && fusable(params_[i]) && fusable(grads[i]) && fusable(m_[i]) && fusable(v_[i]) &&
                (ema.empty() || fusable(ema[i]));
  }

  // ---- global gradient norm ----
  std::vector<Chunk> chunks;
  double total = 0.0;
  if (all_fused) {
    for (size_t i = 0; i < n; ++i) {
      if (!grads[i].defined()) continue;
      const int64_t numel = grads[i].numel();
      for (int64_t b = 0; b < numel; b += kChunk) chunks.push_back({i, b, std::min(numel, b + kChunk)});
    }
    std::vector<double> partial(chunks.size(), 0.0);
    at::parallel_for(0, int64_t(chunks.size()), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t c = lo; c < hi; ++c) {
        const Chunk& ch = chunks[c];
        partial[c] = core::sum_squares(grads[ch.param].data_ptr<float>() + ch.begin, ch.end - ch.begin);
      }
    });
    for (double s : partial) total += s;
    total = std::sqrt(total);
  } else {
    std::vector<torch::Tensor> norms;
    for (const auto& g : grads)
      if (g.defined()) norms.push_back(g.norm(2).to(torch::kDouble).cpu());
    if (!norms.empty()) total = torch::stack(norms).norm(2).item<double>();
  }
  // The clip coefficient in float arithmetic, as clip_grad_norm_ computes it on float tensors.
  const double clip = core::clip_scale(total, max_norm);

  // ---- AdamW + EMA ----
  ++step_;
  const double bc1 = 1.0 - std::pow(cfg_.beta1, double(step_));
  const double bc2 = 1.0 - std::pow(cfg_.beta2, double(step_));
  const bool has_ema = !ema.empty();
  if (all_fused) {
    const core::AdamWConfig acfg{cfg_.lr, cfg_.beta1, cfg_.beta2, cfg_.eps, cfg_.weight_decay};
    const core::AdamWCoeffs c = core::adamw_coeffs(acfg, step_, clip, ema_decay);
    // Parameters without a gradient still get their EMA update (as the plain EMA formula does).
    std::vector<Chunk> all;
    for (size_t i = 0; i < n; ++i) {
      const int64_t numel = params_[i].numel();
      for (int64_t b = 0; b < numel; b += kChunk) all.push_back({i, b, std::min(numel, b + kChunk)});
    }
    at::parallel_for(0, int64_t(all.size()), 1, [&](int64_t lo, int64_t hi) {
      for (int64_t k = lo; k < hi; ++k) {
        const Chunk& ch = all[k];
        const size_t i = ch.param;
        const int64_t len = ch.end - ch.begin;
        float* p = params_[i].data_ptr<float>() + ch.begin;
        float* e = has_ema ? ema[i].data_ptr<float>() + ch.begin : nullptr;
        if (!grads[i].defined()) {
          if (has_ema) core::ema_update(p, e, len, c.ema, c.one_minus_ema);
          continue;
        }
        float* m = m_[i].data_ptr<float>() + ch.begin;
        float* v = v_[i].data_ptr<float>() + ch.begin;
        const float* g = grads[i].data_ptr<float>() + ch.begin;
        core::adamw_update(p, g, m, v, has_ema ? e : nullptr, len, c);
      }
    });
  } else {
    // Any device or dtype: the same formulas as tensor ops.
    for (size_t i = 0; i < n; ++i) {
      auto& p = params_[i];
      if (grads[i].defined()) {
        auto g = clip < 1.0 ? grads[i] * clip : grads[i];
        if (cfg_.weight_decay != 0) p.mul_(1.0 - cfg_.lr * cfg_.weight_decay);
        m_[i].mul_(cfg_.beta1).add_(g, 1.0 - cfg_.beta1);
        v_[i].mul_(cfg_.beta2).addcmul_(g, g, 1.0 - cfg_.beta2);
        auto denom = (v_[i].sqrt() / std::sqrt(bc2)).add_(cfg_.eps);
        p.addcdiv_(m_[i], denom, -cfg_.lr / bc1);
      }
      if (has_ema) ema[i].mul_(ema_decay).add_(p.detach(), 1.0 - ema_decay);
    }
  }
  return total;
}

torch::optim::AdamWParamState* adamw_state(torch::optim::AdamW& opt, const torch::Tensor& p) {
  auto it = find_state(opt.state(), p);
  if (it == opt.state().end()) return nullptr;
  return static_cast<torch::optim::AdamWParamState*>(it->second.get());
}

void FusedAdamW::save(torch::serialize::OutputArchive& ar) const {
  ar.write("fused_adamw", torch::tensor(int64_t(1)));  // format marker/version
  ar.write("step", torch::tensor(step_));
  ar.write("count", torch::tensor(int64_t(params_.size())));
  for (size_t i = 0; i < m_.size(); ++i) {
    ar.write("exp_avg_" + std::to_string(i), m_[i]);
    ar.write("exp_avg_sq_" + std::to_string(i), v_[i]);
  }
}

void FusedAdamW::load(torch::serialize::InputArchive& ar) {
  torch::NoGradGuard ng;
  torch::Tensor marker;
  if (!ar.try_read("fused_adamw", marker))
    throw std::runtime_error("optimizer state: not written by this trainer's optimizer");
  if (marker.item<int64_t>() != 1) throw std::runtime_error("optimizer state: unknown format version");
  torch::Tensor step, count;
  if (!ar.try_read("step", step) || !ar.try_read("count", count))
    throw std::runtime_error("optimizer state: incomplete");
  if (count.item<int64_t>() != int64_t(params_.size()))
    throw std::runtime_error("optimizer state does not fit this model: " + std::to_string(count.item<int64_t>()) +
                             " parameter tensors stored, " + std::to_string(params_.size()) + " in the model");
  std::vector<torch::Tensor> m, v;
  for (size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor a, b;
    if (!ar.try_read("exp_avg_" + std::to_string(i), a) || !ar.try_read("exp_avg_sq_" + std::to_string(i), b)) {
      if (i == 0) break;  // saved before the first step: no moments yet
      throw std::runtime_error("optimizer state: incomplete moments");
    }
    if (!a.sizes().equals(params_[i].sizes()) || !b.sizes().equals(params_[i].sizes()))
      throw std::runtime_error("optimizer state does not fit this model: parameter " + std::to_string(i) +
                               " has shape " + c10::str(params_[i].sizes()) + ", stored moments " + c10::str(a.sizes()));
    m.push_back(a.to(params_[i].device(), params_[i].scalar_type()).contiguous());
    v.push_back(b.to(params_[i].device(), params_[i].scalar_type()).contiguous());
  }
  m_ = std::move(m);
  v_ = std::move(v);
  step_ = step.item<int64_t>();
}

}  // namespace drift::train
