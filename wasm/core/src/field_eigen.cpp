// Drift field for one group. Column order of the joint target matrix is [self | uncond | pos],
// as in the authors' code, so the self mask is the leading G x G diagonal.
#include "drift/core/field_eigen.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "drift/core/gemm.h"

namespace drift::core {

namespace {

// x [G,D], T [N,D] -> d [G,N]: L2 distance, squared distance clamped at 1e-8.
// Low D (the 2D toys) uses exact differences; high D the GEMM expansion.
void pairwise_dist(const float* x, int G, const float* T, int N, int D, float* d) {
  if (D <= 16) {
    std::vector<float> Tt(size_t(D) * N);  // [D,N]: contiguous per coordinate
    for (int j = 0; j < N; ++j)
      for (int k = 0; k < D; ++k) Tt[size_t(k) * N + j] = T[size_t(j) * D + k];
    for (int i = 0; i < G; ++i) {
      float* row = d + size_t(i) * N;
      std::fill(row, row + N, 0.0f);
      for (int k = 0; k < D; ++k) {
        const float xi = x[size_t(i) * D + k];
        const float* t = Tt.data() + size_t(k) * N;
        for (int j = 0; j < N; ++j) {
          const float diff = xi - t[j];
          row[j] += diff * diff;
        }
      }
      for (int j = 0; j < N; ++j) row[j] = std::sqrt(std::max(row[j], 1e-8f));
    }
    return;
  }
  // |x|^2 + |t|^2 - 2 x.t after subtracting the targets' mean (distances are translation
  // invariant; centring shrinks the norms and so the cancellation error).
  std::vector<double> mu(D, 0.0);
  for (int j = 0; j < N; ++j)
    for (int k = 0; k < D; ++k) mu[k] += T[size_t(j) * D + k];
  std::vector<float> Tc(size_t(N) * D), xc(size_t(G) * D);
  for (int k = 0; k < D; ++k) mu[k] /= N;
  for (int j = 0; j < N; ++j)
    for (int k = 0; k < D; ++k) Tc[size_t(j) * D + k] = float(T[size_t(j) * D + k] - mu[k]);
  for (int i = 0; i < G; ++i)
    for (int k = 0; k < D; ++k) xc[size_t(i) * D + k] = float(x[size_t(i) * D + k] - mu[k]);
  // d row-major [G,N] is column-major [N,G] = T x^T: gemm_tn with T, x as col-major [D,*].
  gemm_tn(N, G, D, Tc.data(), xc.data(), d);
  std::vector<float> tn(N);
  for (int j = 0; j < N; ++j) {
    double a = 0.0;
    for (int k = 0; k < D; ++k) a += double(Tc[size_t(j) * D + k]) * Tc[size_t(j) * D + k];
    tn[j] = float(a);
  }
  for (int i = 0; i < G; ++i) {
    double xd = 0.0;
    for (int k = 0; k < D; ++k) xd += double(xc[size_t(i) * D + k]) * xc[size_t(i) * D + k];
    const float xn = float(xd);
    float* row = d + size_t(i) * N;
    for (int j = 0; j < N; ++j) row[j] = std::sqrt(std::max(xn + tn[j] - 2.0f * row[j], 1e-8f));
  }
}

}  // namespace

// x [G,D], pos [P,D], uncond [U,D] -> out [G,D]
void drift_field(const float* x, int G, const float* pos, int P, const float* uncond, int U, int D,
                 float w_u, const FieldParams& params, float* out, FieldStats* stats) {
  if (G <= 0 || P <= 0) throw std::runtime_error("drift field: need at least one generated and one positive sample");
  if (U < 0 || D <= 0) throw std::runtime_error("drift field: bad sizes");
  if (U > 0 && !uncond) throw std::runtime_error("drift field: uncond is null but U > 0");
  if (params.taus.empty()) throw std::runtime_error("drift field: no temperatures");
  for (float tau : params.taus)
    if (!(tau > 0.0f)) throw std::runtime_error("drift field: temperatures must be > 0");
  if (!(w_u >= 0.0f) || !std::isfinite(w_u)) throw std::runtime_error("drift field: uncond weight must be finite and >= 0");
  const int N = G + U + P, NEG = G + U;
  const size_t GN = size_t(G) * N;

  // Targets T [N,D] = [x | uncond | pos], column weights w [N].
  std::vector<float> T(size_t(N) * D);
  std::copy(x, x + size_t(G) * D, T.begin());
  if (U > 0) std::copy(uncond, uncond + size_t(U) * D, T.begin() + size_t(G) * D);
  std::copy(pos, pos + size_t(P) * D, T.begin() + size_t(NEG) * D);
  std::vector<float> w(N, 1.0f);
  std::fill(w.begin() + G, w.begin() + NEG, w_u);

  std::vector<float> dn(GN);  // distances, then normalised distances
  pairwise_dist(x, G, T.data(), N, D, dn.data());

  // d̄ = Σ_ij d_ij w_j / Σ_ij w_j, s = max(d̄/√D, 1e-3).
  float dbar = params.dbar;
  if (!(dbar > 0.0f)) {
    double num = 0.0, wsum = 0.0;
    for (int j = 0; j < N; ++j) wsum += w[j];
    for (int i = 0; i < G; ++i) {
      const float* row = dn.data() + size_t(i) * N;
      double r = 0.0;
      for (int j = 0; j < N; ++j) r += double(row[j]) * w[j];
      num += r;
    }
    dbar = float(num / (double(G) * wsum));
  }
  float s = std::max(dbar / std::sqrt(float(D)), 1e-3f);
  float dnorm = std::max(dbar, 1e-3f);
  if (params.raw_coordinates) s = 1.0f, dnorm = 1.0f;
  const float inv_dnorm = 1.0f / dnorm;
  for (size_t k = 0; k < GN; ++k) dn[k] *= inv_dnorm;
  for (int i = 0; i < G; ++i) dn[size_t(i) * N + i] += 100.0f;  // self mask

  // R: row softmax numerators, A: column softmax numerators then the affinities.
  std::vector<float> R(GN), A(GN), inv_rs(G), inv_cs(N), cmin(N), F(size_t(G) * D), csum(G);
  std::fill(out, out + size_t(G) * D, 0.0f);
  const float floor = std::max(params.affinity_floor, 0.0f);
  if (stats) stats->force_rms.clear();

  for (float tau : params.taus) {
    const float it = 1.0f / tau;
    // Logits L = -dn/τ. Row softmax over targets j, shifted by the row's max logit.
    for (int i = 0; i < G; ++i) {
      const float* row = dn.data() + size_t(i) * N;
      float* r = R.data() + size_t(i) * N;
      float mn = row[0];
      for (int j = 1; j < N; ++j) mn = std::min(mn, row[j]);
      for (int j = 0; j < N; ++j) r[j] = fast_exp((mn - row[j]) * it);
      float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int j = 0;
      for (; j + 8 <= N; j += 8)
        for (int l = 0; l < 8; ++l) acc[l] += r[j + l];
      float sum = 0.0f;
      for (; j < N; ++j) sum += r[j];
      for (int l = 0; l < 8; ++l) sum += acc[l];
      inv_rs[i] = 1.0f / sum;  // sum >= 1: the max term is exp(0)
    }
    // Column softmax over generated i, shifted by the column's max logit.
    std::copy(dn.begin(), dn.begin() + N, cmin.begin());
    for (int i = 1; i < G; ++i) {
      const float* row = dn.data() + size_t(i) * N;
      for (int j = 0; j < N; ++j) cmin[j] = std::min(cmin[j], row[j]);
    }
    std::fill(inv_cs.begin(), inv_cs.end(), 0.0f);
    for (int i = 0; i < G; ++i) {
      const float* row = dn.data() + size_t(i) * N;
      float* a = A.data() + size_t(i) * N;
      for (int j = 0; j < N; ++j) {
        a[j] = fast_exp((cmin[j] - row[j]) * it);
        inv_cs[j] += a[j];
      }
    }
    for (int j = 0; j < N; ++j) inv_cs[j] = 1.0f / inv_cs[j];
    // A = sqrt(max(softmax_row * softmax_col, floor)) * w_j (two exps per entry, not three);
    // then coef: negatives -A·Σpos A, positives +A·Σneg A.
    for (int i = 0; i < G; ++i) {
      const float* r = R.data() + size_t(i) * N;
      float* a = A.data() + size_t(i) * N;
      const float ir = inv_rs[i];
      for (int j = 0; j < N; ++j) a[j] = std::sqrt(std::max(r[j] * ir * (a[j] * inv_cs[j]), floor)) * w[j];
      float sn = 0.0f, sp = 0.0f;
      for (int j = 0; j < NEG; ++j) sn += a[j];
      for (int j = NEG; j < N; ++j) sp += a[j];
      for (int j = 0; j < NEG; ++j) a[j] *= -sp;
      for (int j = NEG; j < N; ++j) a[j] *= sn;
      float c = 0.0f;  // Σ_j coef_ij: 0 in exact arithmetic, kept for the rounding the reference has
      for (int j = 0; j < N; ++j) c += a[j];
      csum[i] = c;
    }
    // F [G,D] = (coef T - rowsum(coef) x) / s; row-major F = col-major [D,G] = T^T coef^T.
    gemm_nn(D, G, N, T.data(), A.data(), F.data());
    const float inv_s = 1.0f / s;
    double ss = 0.0;
    for (int i = 0; i < G; ++i)
      for (int k = 0; k < D; ++k) {
        float& f = F[size_t(i) * D + k];
        f = (f - csum[i] * x[size_t(i) * D + k]) * inv_s;
        ss += double(f) * f;
      }
    float rms = std::sqrt(std::max(float(ss / (double(G) * D)), 1e-8f));
    if (stats) stats->force_rms.push_back(rms);
    const float scale = params.rms_normalize ? 1.0f / rms : 1.0f;
    for (size_t k = 0; k < F.size(); ++k) out[k] += F[k] * scale;
  }
  if (stats) stats->dbar = dbar, stats->s = s;
}

RowMatrixXf drift_field(const Eigen::Ref<const RowMatrixXf>& x,
                        const Eigen::Ref<const RowMatrixXf>& pos,
                        const Eigen::Ref<const RowMatrixXf>& uncond, float w_u,
                        const FieldParams& params, FieldStats* stats) {
  const Eigen::Index D = x.cols();
  if (pos.cols() != D || (uncond.rows() > 0 && uncond.cols() != D))
    throw std::runtime_error("drift field: feature dims differ (x " + std::to_string(D) + ", pos " +
                             std::to_string(pos.cols()) + ", uncond " + std::to_string(uncond.cols()) + ")");
  RowMatrixXf xc = x, pc = pos, uc = uncond;  // contiguous copies
  RowMatrixXf V(x.rows(), D);
  drift_field(xc.data(), int(xc.rows()), pc.data(), int(pc.rows()), uc.data(), int(uc.rows()), int(D),
              w_u, params, V.data(), stats);
  return V;
}

}  // namespace drift::core
