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

namespace {
void check_group(const FieldGroup& g, int D) {
  if (g.G <= 0 || g.P <= 0) throw std::runtime_error("drift field: need at least one generated and one positive sample");
  if (g.U < 0 || D <= 0) throw std::runtime_error("drift field: bad sizes");
  if (!g.x || !g.pos || !g.out) throw std::runtime_error("drift field: null x, pos or out");
  if (g.U > 0 && !g.uncond) throw std::runtime_error("drift field: uncond is null but U > 0");
  if (!(g.w_u >= 0.0f) || !std::isfinite(g.w_u)) throw std::runtime_error("drift field: uncond weight must be finite and >= 0");
}

// One group's targets T [N,D] = [x | uncond | pos], column weights w [N] and distances
// (then normalised distances) dn [G,N].
struct GroupWork {
  std::vector<float> T, w, dn;
};
}  // namespace

// groups[b]: x [G,D], pos [P,D], uncond [U,D] -> out [G,D]
void drift_field_groups(const FieldGroup* groups, int B, int D, const FieldParams& params, FieldStats* stats) {
  if (B <= 0 || !groups) throw std::runtime_error("drift field: need at least one group");
  if (params.taus.empty()) throw std::runtime_error("drift field: no temperatures");
  for (float tau : params.taus)
    if (!(tau > 0.0f)) throw std::runtime_error("drift field: temperatures must be > 0");
  for (int b = 0; b < B; ++b) check_group(groups[b], D);

  // Pass 1: distances of every group, and d̄ = Σ d_ij w_j / Σ w_j over all groups' pairs.
  std::vector<GroupWork> work(static_cast<size_t>(B));
  double num = 0.0, den = 0.0;
  size_t total_gd = 0, max_gn = 0, max_n = 0, max_g = 0;
  for (int b = 0; b < B; ++b) {
    const FieldGroup& g = groups[b];
    GroupWork& gw = work[size_t(b)];
    const int G = g.G, U = g.U, P = g.P, N = G + U + P, NEG = G + U;
    gw.T.resize(size_t(N) * D);
    std::copy(g.x, g.x + size_t(G) * D, gw.T.begin());
    if (U > 0) std::copy(g.uncond, g.uncond + size_t(U) * D, gw.T.begin() + size_t(G) * D);
    std::copy(g.pos, g.pos + size_t(P) * D, gw.T.begin() + size_t(NEG) * D);
    gw.w.assign(size_t(N), 1.0f);
    std::fill(gw.w.begin() + G, gw.w.begin() + NEG, g.w_u);
    gw.dn.resize(size_t(G) * N);
    pairwise_dist(g.x, G, gw.T.data(), N, D, gw.dn.data());
    double wsum = 0.0;
    for (int j = 0; j < N; ++j) wsum += gw.w[size_t(j)];
    for (int i = 0; i < G; ++i) {
      const float* row = gw.dn.data() + size_t(i) * N;
      double r = 0.0;
      for (int j = 0; j < N; ++j) r += double(row[j]) * gw.w[size_t(j)];
      num += r;
    }
    den += double(G) * wsum;
    total_gd += size_t(G) * D;
    max_gn = std::max(max_gn, size_t(G) * N);
    max_n = std::max(max_n, size_t(N));
    max_g = std::max(max_g, size_t(G));
  }
  float dbar = params.dbar;
  if (!(dbar > 0.0f)) dbar = float(num / den);
  float s = std::max(dbar / std::sqrt(float(D)), 1e-3f);
  float dnorm = std::max(dbar, 1e-3f);
  if (params.raw_coordinates) s = 1.0f, dnorm = 1.0f;
  const float inv_dnorm = 1.0f / dnorm;
  for (int b = 0; b < B; ++b) {
    GroupWork& gw = work[size_t(b)];
    const int G = groups[b].G, N = int(gw.w.size());
    for (float& v : gw.dn) v *= inv_dnorm;
    for (int i = 0; i < G; ++i) gw.dn[size_t(i) * N + i] += 100.0f;  // self mask
  }

  // R: row softmax numerators, A: column softmax numerators then the affinities.
  std::vector<float> R(max_gn), A(max_gn), inv_rs(max_g), inv_cs(max_n), cmin(max_n), csum(max_g);
  std::vector<float> F(total_gd);  // this τ's force of every group, before the batch RMS
  for (int b = 0; b < B; ++b) std::fill(groups[b].out, groups[b].out + size_t(groups[b].G) * D, 0.0f);
  const float floor = std::max(params.affinity_floor, 0.0f);
  if (stats) stats->force_rms.clear();

  // Pass 2, per τ: every group's force, then one RMS over all of them.
  for (float tau : params.taus) {
    const float it = 1.0f / tau;
    double ss = 0.0;
    size_t foff = 0;
    for (int b = 0; b < B; ++b) {
      const FieldGroup& g = groups[b];
      const GroupWork& gw = work[size_t(b)];
      const int G = g.G, N = int(gw.w.size()), NEG = G + g.U;
      const float* dn = gw.dn.data();
      const float* w = gw.w.data();
      // Logits L = -dn/τ. Row softmax over targets j, shifted by the row's max logit.
      for (int i = 0; i < G; ++i) {
        const float* row = dn + size_t(i) * N;
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
        inv_rs[size_t(i)] = 1.0f / sum;  // sum >= 1: the max term is exp(0)
      }
      // Column softmax over generated i, shifted by the column's max logit.
      std::copy(dn, dn + N, cmin.begin());
      for (int i = 1; i < G; ++i) {
        const float* row = dn + size_t(i) * N;
        for (int j = 0; j < N; ++j) cmin[size_t(j)] = std::min(cmin[size_t(j)], row[j]);
      }
      std::fill(inv_cs.begin(), inv_cs.begin() + N, 0.0f);
      for (int i = 0; i < G; ++i) {
        const float* row = dn + size_t(i) * N;
        float* a = A.data() + size_t(i) * N;
        for (int j = 0; j < N; ++j) {
          a[j] = fast_exp((cmin[size_t(j)] - row[j]) * it);
          inv_cs[size_t(j)] += a[j];
        }
      }
      for (int j = 0; j < N; ++j) inv_cs[size_t(j)] = 1.0f / inv_cs[size_t(j)];
      // A = sqrt(max(softmax_row * softmax_col, floor)) * w_j (two exps per entry, not three);
      // then coef: negatives -A·Σpos A, positives +A·Σneg A.
      for (int i = 0; i < G; ++i) {
        const float* r = R.data() + size_t(i) * N;
        float* a = A.data() + size_t(i) * N;
        const float ir = inv_rs[size_t(i)];
        for (int j = 0; j < N; ++j) a[j] = std::sqrt(std::max(r[j] * ir * (a[j] * inv_cs[size_t(j)]), floor)) * w[j];
        float sn = 0.0f, sp = 0.0f;
        for (int j = 0; j < NEG; ++j) sn += a[j];
        for (int j = NEG; j < N; ++j) sp += a[j];
        for (int j = 0; j < NEG; ++j) a[j] *= -sp;
        for (int j = NEG; j < N; ++j) a[j] *= sn;
        float c = 0.0f;  // Σ_j coef_ij: 0 in exact arithmetic, kept for the rounding the reference has
        for (int j = 0; j < N; ++j) c += a[j];
        csum[size_t(i)] = c;
      }
      // F [G,D] = (coef T - rowsum(coef) x) / s; row-major F = col-major [D,G] = T^T coef^T.
      float* Fb = F.data() + foff;
      gemm_nn(D, G, N, gw.T.data(), A.data(), Fb);
      const float inv_s = 1.0f / s;
      for (int i = 0; i < G; ++i)
        for (int k = 0; k < D; ++k) {
          float& f = Fb[size_t(i) * D + k];
          f = (f - csum[size_t(i)] * g.x[size_t(i) * D + k]) * inv_s;
          ss += double(f) * f;
        }
      foff += size_t(G) * D;
    }
    const float rms = std::sqrt(std::max(float(ss / double(total_gd)), 1e-8f));
    if (stats) stats->force_rms.push_back(rms);
    const float scale = params.rms_normalize ? 1.0f / rms : 1.0f;
    foff = 0;
    for (int b = 0; b < B; ++b) {
      float* out = groups[b].out;
      const size_t gd = size_t(groups[b].G) * D;
      for (size_t k = 0; k < gd; ++k) out[k] += F[foff + k] * scale;
      foff += gd;
    }
  }
  if (stats) stats->dbar = dbar, stats->s = s;
}

// x [G,D], pos [P,D], uncond [U,D] -> out [G,D]: the batch of one group.
void drift_field(const float* x, int G, const float* pos, int P, const float* uncond, int U, int D,
                 float w_u, const FieldParams& params, float* out, FieldStats* stats) {
  const FieldGroup g{x, G, pos, P, uncond, U, w_u, out};
  drift_field_groups(&g, 1, D, params, stats);
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
