// drift/field.h: properties of the drift field that follow from its definition.
#include "drift_catch.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "drift/core/field_eigen.h"
#include "drift/core/toy_data.h"

using namespace drift::core;

namespace {
RowMatrixXf randn(int n, int d, uint64_t seed, float scale = 1.0f, float shift = 0.0f) {
  ToyRng r(seed);
  RowMatrixXf m(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) m(i, j) = shift + scale * r.normal();
  return m;
}
}  // namespace

TEST_CASE("field: one generated sample, self masked, gives 3*sqrt(2)*unit(y-u) per the formula") {
  // G=1: column softmax over one row is 1, the self column has exp(-100/τ)=0 affinity, so
  // F_τ = A_u A_y (y-u)/s and after RMS normalisation each τ adds sqrt(D)·unit(y-u).
  RowMatrixXf x(1, 2), y(1, 2), u(1, 2);
  x << 0.3f, -2.0f;
  y << 1.0f, 1.0f;
  u << -1.0f, 0.5f;
  RowMatrixXf V = drift_field(x, y, u, 1.0f);
  Eigen::RowVector2f dir = (y - u).row(0).normalized();
  CHECK(V(0, 0) == Approx(3 * std::sqrt(2.0f) * dir(0)).epsilon(1e-5));
  CHECK(V(0, 1) == Approx(3 * std::sqrt(2.0f) * dir(1)).epsilon(1e-5));
}

TEST_CASE("field: swapping positives and (unconditional) negatives flips the sign") {
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    RowMatrixXf x = randn(1, 3, seed);
    RowMatrixXf a = randn(6, 3, seed + 100, 1.0f, 0.5f);
    RowMatrixXf b = randn(6, 3, seed + 200, 1.0f, -0.5f);
    RowMatrixXf V1 = drift_field(x, a, b, 1.0f);
    RowMatrixXf V2 = drift_field(x, b, a, 1.0f);
    CHECK((V1 + V2).norm() < 1e-4f * V1.norm());
    CHECK(V1.norm() > 0.1f);
  }
}

TEST_CASE("field: a single positive pulls a cluster of generated points toward it") {
  RowMatrixXf x = randn(16, 2, 3, 0.1f);
  RowMatrixXf y(1, 2);
  y << 3.0f, 1.0f;
  RowMatrixXf none(0, 2);
  FieldStats st;
  RowMatrixXf V = drift_field(x, y, none, 0.0f, FieldParams{}, &st);
  for (int i = 0; i < 16; ++i) {
    Eigen::RowVector2f to_y = (y.row(0) - x.row(i)).normalized();
    float cosang = V.row(i).normalized().dot(to_y);
    CHECK(cosang > 0.8f);
  }
  CHECK(st.force_rms.size() == 3);
  CHECK(st.s > 0.0f);
}

namespace {
// Steps 1-8 of docs/drift-field.md for one group in double precision, written from the spec
// with plain loops, for a given d̄ (floor 0).
RowMatrixXf spec_field(const RowMatrixXf& x, const RowMatrixXf& y, const RowMatrixXf& u, double w_u,
                       double dbar, const std::vector<float>& taus) {
  const int G = int(x.rows()), U = int(u.rows()), P = int(y.rows()), D = int(x.cols()), N = G + U + P;
  auto target = [&](int j) -> Eigen::RowVectorXd {
    if (j < G) return x.row(j).cast<double>();
    if (j < G + U) return u.row(j - G).cast<double>();
    return y.row(j - G - U).cast<double>();
  };
  auto weight = [&](int j) { return j >= G && j < G + U ? w_u : 1.0; };
  const double s = std::max(dbar / std::sqrt(double(D)), 1e-3);
  Eigen::MatrixXd V = Eigen::MatrixXd::Zero(G, D);
  for (float tau : taus) {
    Eigen::MatrixXd L(G, N), A(G, N), F = Eigen::MatrixXd::Zero(G, D);
    for (int i = 0; i < G; ++i)
      for (int j = 0; j < N; ++j)
        L(i, j) = -((x.row(i).cast<double>() - target(j)).norm() / dbar + (i == j ? 100.0 : 0.0)) / tau;
    for (int i = 0; i < G; ++i)
      for (int j = 0; j < N; ++j) {
        double row = 0, col = 0;
        for (int k = 0; k < N; ++k) row += std::exp(L(i, k) - L(i, j));
        for (int k = 0; k < G; ++k) col += std::exp(L(k, j) - L(i, j));
        A(i, j) = std::sqrt(1.0 / row * (1.0 / col)) * weight(j);
      }
    for (int i = 0; i < G; ++i) {
      double pos = 0, neg = 0;
      for (int j = 0; j < N; ++j) (j < G + U ? neg : pos) += A(i, j);
      for (int j = 0; j < N; ++j) {
        const double c = j < G + U ? -A(i, j) * pos : A(i, j) * neg;
        F.row(i) += c * (target(j) - x.row(i).cast<double>()) / s;
      }
    }
    V += F / std::sqrt(std::max(F.array().square().mean(), 1e-8));
  }
  return V.cast<float>();
}
}  // namespace

TEST_CASE("field: zero weight on unconditional negatives removes their push") {
  RowMatrixXf x = randn(8, 4, 11);
  RowMatrixXf y = randn(8, 4, 12, 1.0f, 1.0f);
  RowMatrixXf u = randn(5, 4, 13, 0.3f, 2.0f);
  FieldParams p;
  p.dbar = 2.5f;  // fixed scale so every call shares it
  // With w_u = 0 the u columns still enter the softmax normalisers but get zero affinity: the
  // spec's loops at w_u = 0 say what V must be, and it differs from both a weighted u and no u.
  RowMatrixXf Vu = drift_field(x, y, u, 0.0f, p);
  RowMatrixXf ref = spec_field(x, y, u, 0.0, 2.5, p.taus);
  CHECK((Vu - ref).cwiseAbs().maxCoeff() <= 1e-4f * ref.cwiseAbs().maxCoeff());
  RowMatrixXf Vu2 = drift_field(x, y, u, 2.0f, p);
  RowMatrixXf ref2 = spec_field(x, y, u, 2.0, 2.5, p.taus);
  CHECK((Vu2 - ref2).cwiseAbs().maxCoeff() <= 1e-4f * ref2.cwiseAbs().maxCoeff());
  CHECK((Vu - Vu2).norm() > 1e-3f);
  RowMatrixXf none(0, 4);
  CHECK((Vu - drift_field(x, y, none, 0.0f, p)).norm() > 1e-3f);  // u still normalises the row softmax
}

TEST_CASE("field: drifts vanish as generated matches data (same distribution, larger batch)") {
  // Mean |V| relative to the case where generated is shifted away.
  RowMatrixXf data = randn(512, 2, 21);
  RowMatrixXf same = randn(512, 2, 22);
  RowMatrixXf off = randn(512, 2, 23, 1.0f, 2.0f);
  RowMatrixXf none(0, 2);
  FieldParams p;
  p.rms_normalize = false;
  RowMatrixXf Vs = drift_field(same, data, none, 0.0f, p);
  RowMatrixXf Vo = drift_field(off, data, none, 0.0f, p);
  CHECK(Vs.colwise().mean().norm() < 0.1f * Vo.colwise().mean().norm());
}

TEST_CASE("field: bad shapes give one clear error") {
  RowMatrixXf x = randn(4, 3, 1), y = randn(4, 2, 2), none(0, 3);
  CHECK_THROWS_WITH(drift_field(x, y, none, 0.0f), Catch::Contains("feature dims differ"));
  RowMatrixXf empty(0, 3);
  CHECK_THROWS_WITH(drift_field(x, empty, none, 0.0f), Catch::Contains("at least one"));
}
