#include "drift/eval/frechet.h"

#include <stdexcept>
#include <string>

namespace drift::eval {

GaussianStats gaussian_stats(const torch::Tensor& feats) {
  // feats [N,D] -> mean [D], cov [D,D] (divides by N-1)
  if (feats.dim() != 2 || feats.size(0) < 2)
    throw std::runtime_error("frechet: features must be [N,D] with N >= 2, got " +
                             std::to_string(feats.dim()) + "-d");
  torch::NoGradGuard no_grad;
  auto x = feats.to(torch::kCPU, torch::kFloat64);
  GaussianStats s;
  s.n = x.size(0);
  s.mean = x.mean(0);
  auto c = x - s.mean;
  s.cov = torch::mm(c.t(), c) / static_cast<double>(s.n - 1);
  return s;
}

// Symmetric PSD square root via eigendecomposition; eigenvalues below 0 (round-off) -> 0.
static torch::Tensor psd_sqrt(const torch::Tensor& m) {
  // m [D,D] symmetric -> [D,D]
  auto sym = 0.5 * (m + m.t());
  auto eig = torch::linalg_eigh(sym, "L");
  auto vals = std::get<0>(eig).clamp_min(0.0).sqrt();
  auto vecs = std::get<1>(eig);
  return torch::mm(vecs * vals.unsqueeze(0), vecs.t());
}

double frechet_distance(const GaussianStats& a, const GaussianStats& b) {
  if (a.mean.numel() != b.mean.numel())
    throw std::runtime_error("frechet: feature dimensions differ (" +
                             std::to_string(a.mean.numel()) + " vs " +
                             std::to_string(b.mean.numel()) + ")");
  torch::NoGradGuard no_grad;
  double mean_term = (a.mean - b.mean).pow(2).sum().item<double>();
  // tr sqrt(C1 C2) = tr sqrt(S C2 S) with S = sqrt(C1); S C2 S is symmetric PSD, so its
  // eigenvalues are real and >= 0 up to round-off (works when C1 or C2 is singular).
  auto s1 = psd_sqrt(a.cov);
  auto m = torch::mm(torch::mm(s1, b.cov), s1);
  m = 0.5 * (m + m.t());
  double tr_sqrt = torch::linalg_eigvalsh(m, "L").clamp_min(0.0).sqrt().sum().item<double>();
  double fd = mean_term + a.cov.trace().item<double>() + b.cov.trace().item<double>() - 2.0 * tr_sqrt;
  return fd < 0.0 ? 0.0 : fd;
}

double frechet_distance(const torch::Tensor& feats_a, const torch::Tensor& feats_b) {
  return frechet_distance(gaussian_stats(feats_a), gaussian_stats(feats_b));
}

}  // namespace drift::eval
