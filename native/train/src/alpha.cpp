#include "drift/train/alpha.h"

#include <cmath>
#include <stdexcept>

namespace drift::train {

torch::Tensor sample_alpha(int64_t n, const AlphaOptions& opt, at::Generator& gen) {
  // [n]: inverse-CDF sampling of p(a) ~ a^-k on [1, amax], mixed with a point mass at 1.
  if (opt.alpha_max < 1.0) throw std::runtime_error("alpha: alpha_max must be >= 1");
  if (opt.frac_one < 0 || opt.frac_one > 1) throw std::runtime_error("alpha: frac_one must be in [0,1]");
  auto u = torch::rand({n}, gen, torch::dtype(torch::kDouble));
  auto pick_one = torch::rand({n}, gen, torch::dtype(torch::kDouble)) < opt.frac_one;
  torch::Tensor a;
  const double amax = opt.alpha_max;
  if (std::abs(opt.k - 1.0) < 1e-9) {
    a = torch::pow(amax, u);  // CDF log(a)/log(amax)
  } else {
    const double e = 1.0 - opt.k;  // CDF (a^e - 1)/(amax^e - 1)
    a = torch::pow(1.0 + u * (std::pow(amax, e) - 1.0), 1.0 / e);
  }
  a = torch::where(pick_one, torch::ones_like(a), a);
  return a.clamp(1.0, amax).to(torch::kFloat);
}

torch::Tensor uncond_weight(const torch::Tensor& alpha, int64_t G, int64_t U) {
  if (U <= 0) return torch::zeros_like(alpha);
  return (alpha - 1.0) * double(G - 1) / double(U);
}

}  // namespace drift::train
