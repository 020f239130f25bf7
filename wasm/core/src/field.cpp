// Drift field for one group. Column order of the joint target matrix is [self | uncond | pos],
// as in the authors' code, so the self mask is the leading G x G diagonal.
#include "drift/field.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace drift::core {

namespace {

// x [G,D], t [N,D] -> d [G,N]: L2 distance with the squared distance clamped at 1e-8.
// Low D (the 2D toys) uses exact differences; high D uses the GEMM expansion.
void pairwise_dist(const RowMatrixXf& x, const RowMatrixXf& t, RowMatrixXf& d) {
  const Eigen::Index G = x.rows(), N = t.rows(), D = x.cols();
  d.resize(G, N);
  if (D <= 16) {
    for (Eigen::Index i = 0; i < G; ++i)
      for (Eigen::Index j = 0; j < N; ++j) {
        float acc = 0.0f;
        for (Eigen::Index k = 0; k < D; ++k) {
          float diff = x(i, k) - t(j, k);
          acc += diff * diff;
        }
        d(i, j) = std::sqrt(std::max(acc, 1e-8f));
      }
    return;
  }
  Eigen::VectorXf xn = x.rowwise().squaredNorm();
  Eigen::VectorXf tn = t.rowwise().squaredNorm();
  d.noalias() = -2.0f * x * t.transpose();
  for (Eigen::Index i = 0; i < G; ++i)
    for (Eigen::Index j = 0; j < N; ++j)
      d(i, j) = std::sqrt(std::max(d(i, j) + xn(i) + tn(j), 1e-8f));
}

}  // namespace

RowMatrixXf drift_field(const Eigen::Ref<const RowMatrixXf>& x,
                        const Eigen::Ref<const RowMatrixXf>& pos,
                        const Eigen::Ref<const RowMatrixXf>& uncond, float w_u,
                        const FieldParams& params, FieldStats* stats) {
  const Eigen::Index G = x.rows(), P = pos.rows(), U = uncond.rows(), D = x.cols();
  if (G == 0 || P == 0) throw std::runtime_error("drift field: need at least one generated and one positive sample");
  if (pos.cols() != D || (U > 0 && uncond.cols() != D))
    throw std::runtime_error("drift field: feature dims differ (x " + std::to_string(D) + ", pos " +
                             std::to_string(pos.cols()) + ", uncond " + std::to_string(uncond.cols()) + ")");
  if (params.taus.empty()) throw std::runtime_error("drift field: no temperatures");
  if (!(w_u >= 0.0f) || !std::isfinite(w_u)) throw std::runtime_error("drift field: uncond weight must be finite and >= 0");
  const Eigen::Index N = G + U + P, NEG = G + U;

  // Targets T [N,D] = [x | uncond | pos], column weights w [N].
  RowMatrixXf T(N, D);
  T.topRows(G) = x;
  if (U > 0) T.middleRows(G, U) = uncond;
  T.bottomRows(P) = pos;
  Eigen::VectorXf w = Eigen::VectorXf::Ones(N);
  w.segment(G, U).setConstant(w_u);

  RowMatrixXf xs = x;  // contiguous copy (x may be a strided Ref)
  RowMatrixXf dist;
  pairwise_dist(xs, T, dist);  // [G,N]

  // d̄ = Σ_ij d_ij w_j / Σ_ij w_j, s = max(d̄/√D, 1e-3).
  float dbar = params.dbar;
  if (!(dbar > 0.0f)) {
    Eigen::VectorXf colsum = dist.colwise().sum().transpose();
    dbar = static_cast<float>(colsum.cast<double>().dot(w.cast<double>()) / (double(G) * w.cast<double>().sum()));
  }
  float s = std::max(dbar / std::sqrt(static_cast<float>(D)), 1e-3f);
  float dnorm = std::max(dbar, 1e-3f);
  if (params.raw_coordinates) s = 1.0f, dnorm = 1.0f;

  // Normalised distance with the self mask (+100 on the leading diagonal).
  RowMatrixXf dn = dist / dnorm;
  for (Eigen::Index i = 0; i < G; ++i) dn(i, i) += 100.0f;

  RowMatrixXf V = RowMatrixXf::Zero(G, D);
  RowMatrixXf L(G, N), A(G, N), F(G, D);
  Eigen::VectorXf lse_r(G), lse_c(N);
  const float log_floor = params.affinity_floor > 0.0f ? 0.5f * std::log(params.affinity_floor) : -INFINITY;
  if (stats) stats->force_rms.clear();

  for (float tau : params.taus) {
    if (!(tau > 0.0f)) throw std::runtime_error("drift field: temperatures must be > 0");
    L = dn * (-1.0f / tau);
    // log-sum-exp over rows (j) and over columns (i).
    Eigen::VectorXf rmax = L.rowwise().maxCoeff();
    for (Eigen::Index i = 0; i < G; ++i) {
      float acc = 0.0f;
      for (Eigen::Index j = 0; j < N; ++j) acc += std::exp(L(i, j) - rmax(i));
      lse_r(i) = rmax(i) + std::log(acc);
    }
    Eigen::RowVectorXf cmax = L.colwise().maxCoeff();
    Eigen::RowVectorXf cacc = Eigen::RowVectorXf::Zero(N);
    for (Eigen::Index i = 0; i < G; ++i)
      for (Eigen::Index j = 0; j < N; ++j) cacc(j) += std::exp(L(i, j) - cmax(j));
    for (Eigen::Index j = 0; j < N; ++j) lse_c(j) = cmax(j) + std::log(cacc(j));
    // A = sqrt(softmax_row * softmax_col) = exp(L - (lse_r + lse_c)/2), floored, times w_j.
    for (Eigen::Index i = 0; i < G; ++i)
      for (Eigen::Index j = 0; j < N; ++j)
        A(i, j) = std::exp(std::max(L(i, j) - 0.5f * (lse_r(i) + lse_c(j)), log_floor)) * w(j);
    // coef: negatives -A·Σpos A, positives +A·Σneg A.
    Eigen::VectorXf sum_neg = A.leftCols(NEG).rowwise().sum();
    Eigen::VectorXf sum_pos = A.rightCols(P).rowwise().sum();
    A.leftCols(NEG).array().colwise() *= -sum_pos.array();
    A.rightCols(P).array().colwise() *= sum_neg.array();
    // F = (coef T - rowsum(coef) x) / s
    Eigen::VectorXf csum = A.rowwise().sum();
    F.noalias() = A * T;
    F -= (csum.asDiagonal() * xs);
    F /= s;
    float rms = std::sqrt(std::max(F.squaredNorm() / static_cast<float>(G * D), 1e-8f));
    if (stats) stats->force_rms.push_back(rms);
    if (params.rms_normalize)
      V += F / rms;
    else
      V += F;
  }
  if (stats) stats->dbar = dbar, stats->s = s;
  return V;
}

void drift_field(const float* x, int G, const float* pos, int P, const float* uncond, int U, int D,
                 float w_u, const FieldParams& params, float* out, FieldStats* stats) {
  if (G < 0 || P < 0 || U < 0 || D <= 0) throw std::runtime_error("drift field: bad sizes");
  if (U > 0 && !uncond) throw std::runtime_error("drift field: uncond is null but U > 0");
  ConstRowMap xm(x, G, D), pm(pos, P, D);
  RowMatrixXf um(U, D);
  if (U > 0) um = ConstRowMap(uncond, U, D);
  RowMatrixXf V = drift_field(xm, pm, um, w_u, params, stats);
  Eigen::Map<RowMatrixXf>(out, G, D) = V;
}

}  // namespace drift::core
