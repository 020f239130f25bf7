// Kernels of adamw.h. drift-train's optimizer runs them, so their float operations are part of
// its numerics: natively this file is compiled as native/train's fused_adamw.cpp was
// (-fno-math-errno, GCC clones for AVX2+FMA and baseline x86-64; wasm/core/CMakeLists.txt).
#include "drift/core/adamw.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace drift::core {

// The loader picks the AVX2+FMA or the baseline clone (GCC function multi-versioning).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define DRIFT_MULTIVERSION __attribute__((target_clones("arch=haswell", "default")))
#else
#define DRIFT_MULTIVERSION
#endif

namespace {
template <bool kEma>
DRIFT_MULTIVERSION void update(float* __restrict p, const float* __restrict g, float* __restrict m,
                               float* __restrict v, float* __restrict e, std::int64_t n, const AdamWCoeffs c) {
  for (std::int64_t i = 0; i < n; ++i) {
    const float gi = g[i] * c.clip;
    const float mi = m[i] * c.beta1 + c.one_minus_beta1 * gi;
    const float vi = v[i] * c.beta2 + c.one_minus_beta2 * gi * gi;
    const float denom = std::sqrt(vi) * c.inv_sqrt_bc2 + c.eps;
    const float pi = p[i] * c.decay + c.neg_step * (mi / denom);
    m[i] = mi;
    v[i] = vi;
    p[i] = pi;
    if (kEma) e[i] = e[i] * c.ema + c.one_minus_ema * pi;
  }
}
}  // namespace

DRIFT_MULTIVERSION
double sum_squares(const float* g, std::int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};  // independent accumulators: no serial dependency
  std::int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) acc[k] += double(g[i + k]) * double(g[i + k]);
  for (; i < n; ++i) acc[0] += double(g[i]) * double(g[i]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

void adamw_update(float* p, const float* g, float* m, float* v, float* e, std::int64_t n,
                  const AdamWCoeffs& c) {
  if (e) update<true>(p, g, m, v, e, n, c);
  else update<false>(p, g, m, v, nullptr, n, c);
}

DRIFT_MULTIVERSION void ema_update(const float* __restrict p, float* __restrict e, std::int64_t n, float ema,
                                   float one_minus_ema) {
  for (std::int64_t i = 0; i < n; ++i) e[i] = e[i] * ema + one_minus_ema * p[i];
}

double ema_decay(double max_decay, std::int64_t step) {
  return std::min(max_decay, double(1 + step) / double(10 + step));
}

AdamWCoeffs adamw_coeffs(const AdamWConfig& cfg, std::int64_t t, double clip, double ema_decay) {
  const double bc1 = 1.0 - std::pow(cfg.beta1, double(t));
  const double bc2 = 1.0 - std::pow(cfg.beta2, double(t));
  return AdamWCoeffs{float(clip),
                     float(1.0 - cfg.lr * cfg.weight_decay),
                     float(cfg.beta1),
                     float(1.0 - cfg.beta1),
                     float(cfg.beta2),
                     float(1.0 - cfg.beta2),
                     float(1.0 / std::sqrt(bc2)),
                     float(cfg.eps),
                     float(-cfg.lr / bc1),
                     float(ema_decay),
                     float(1.0 - ema_decay)};
}

double clip_scale(double total_norm, double max_norm) {
  if (max_norm <= 0) return 1.0;
  const float coef = (1.0f / (float(total_norm) + 1e-6f)) * float(max_norm);
  return coef < 1.0f ? double(coef) : 1.0;
}

void AdamW::reset(std::size_t n) {
  if (cfg_.beta1 < 0 || cfg_.beta1 >= 1 || cfg_.beta2 < 0 || cfg_.beta2 >= 1)
    throw std::runtime_error("AdamW: betas must be in [0, 1)");
  if (cfg_.eps < 0 || cfg_.lr < 0 || cfg_.weight_decay < 0)
    throw std::runtime_error("AdamW: lr, eps and weight decay must be >= 0");
  m_.assign(n, 0.0f);
  v_.assign(n, 0.0f);
  t_ = 0;
}

double AdamW::step(float* p, const float* g, double max_norm) {
  const std::int64_t n = std::int64_t(m_.size());
  const double norm = std::sqrt(sum_squares(g, n));
  ++t_;
  adamw_update(p, g, m_.data(), v_.data(), nullptr, n, adamw_coeffs(cfg_, t_, clip_scale(norm, max_norm), 0.0));
  return norm;
}

}  // namespace drift::core
