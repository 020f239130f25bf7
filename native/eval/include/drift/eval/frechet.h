// Fréchet distance between Gaussians fitted to two feature sets (the FID formula, on
// whatever features the caller supplies: classifier penultimate layer for images).
#pragma once
#include <torch/torch.h>

namespace drift::eval {

// Mean and (unbiased) covariance of a feature set, in float64.
struct GaussianStats {
  torch::Tensor mean;  // [D]
  torch::Tensor cov;   // [D,D]
  int64_t n = 0;
};

// feats [N,D] (N >= 2) -> stats in float64.
GaussianStats gaussian_stats(const torch::Tensor& feats);

// ||mu1-mu2||^2 + tr(C1) + tr(C2) - 2 tr sqrt(sqrt(C1) C2 sqrt(C1)).
// Rank-deficient covariances are fine: negative eigenvalues from round-off are clamped.
double frechet_distance(const GaussianStats& a, const GaussianStats& b);
double frechet_distance(const torch::Tensor& feats_a, const torch::Tensor& feats_b);

}  // namespace drift::eval
