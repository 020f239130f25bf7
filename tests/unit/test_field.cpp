// Drift field: formula against a loop reference, and the properties docs/drift-field.md claims.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "drift/field/field_torch.h"

using drift::field::compute_field;
using drift::field::FieldInput;
using drift::field::FieldOptions;

namespace {
torch::Tensor randn3(int64_t b, int64_t n, int64_t d, double shift = 0.0) {
  return torch::randn({b, n, d}) + shift;
}

// Plain-loop field for one group (B=1), written independently of field.cpp.
std::vector<double> loop_field(const std::vector<std::vector<double>>& x,
                               const std::vector<std::vector<double>>& u, double wu,
                               const std::vector<std::vector<double>>& p,
                               const std::vector<double>& taus, double floor) {
  const size_t G = x.size(), D = x[0].size();
  std::vector<std::vector<double>> T;
  std::vector<double> w;
  for (auto& v : x) T.push_back(v), w.push_back(1);
  for (auto& v : u) T.push_back(v), w.push_back(wu);
  for (auto& v : p) T.push_back(v), w.push_back(1);
  const size_t N = T.size(), split = G + u.size();
  std::vector<double> dist(G * N);
  double num = 0, den = 0;
  for (size_t i = 0; i < G; ++i)
    for (size_t j = 0; j < N; ++j) {
      double sq = 0;
      for (size_t k = 0; k < D; ++k) sq += (x[i][k] - T[j][k]) * (x[i][k] - T[j][k]);
      dist[i * N + j] = std::sqrt(std::max(sq, 1e-8));
      num += dist[i * N + j] * w[j];
      den += w[j];
    }
  const double dbar = num / den, s = std::max(dbar / std::sqrt(double(D)), 1e-3);
  std::vector<double> V(G * D, 0.0);
  for (double tau : taus) {
    std::vector<double> L(G * N), row(G * N), col(G * N), F(G * D, 0.0);
    for (size_t i = 0; i < G; ++i)
      for (size_t j = 0; j < N; ++j)
        L[i * N + j] = -(dist[i * N + j] / dbar + (i == j ? 100.0 : 0.0)) / tau;
    for (size_t i = 0; i < G; ++i) {
      double z = 0;
      for (size_t j = 0; j < N; ++j) z += std::exp(L[i * N + j]);
      for (size_t j = 0; j < N; ++j) row[i * N + j] = std::exp(L[i * N + j]) / z;
    }
    for (size_t j = 0; j < N; ++j) {
      double z = 0;
      for (size_t i = 0; i < G; ++i) z += std::exp(L[i * N + j]);
      for (size_t i = 0; i < G; ++i) col[i * N + j] = std::exp(L[i * N + j]) / z;
    }
    double ss = 0;
    for (size_t i = 0; i < G; ++i) {
      std::vector<double> A(N);
      double sneg = 0, spos = 0;
      for (size_t j = 0; j < N; ++j) {
        A[j] = std::sqrt(std::max(row[i * N + j] * col[i * N + j], floor)) * w[j];
        (j < split ? sneg : spos) += A[j];
      }
      for (size_t j = 0; j < N; ++j) {
        const double c = j < split ? -A[j] * spos : A[j] * sneg;
        for (size_t k = 0; k < D; ++k) F[i * D + k] += c * (T[j][k] - x[i][k]) / s;
      }
    }
    for (double f : F) ss += f * f;
    const double rms = std::sqrt(std::max(ss / F.size(), 1e-16));
    for (size_t k = 0; k < F.size(); ++k) V[k] += F[k] / rms;
  }
  return V;
}

std::vector<std::vector<double>> rows(const torch::Tensor& t) {  // [n,d]
  std::vector<std::vector<double>> r(t.size(0), std::vector<double>(t.size(1)));
  auto a = t.accessor<float, 2>();
  for (int64_t i = 0; i < t.size(0); ++i)
    for (int64_t k = 0; k < t.size(1); ++k) r[i][k] = a[i][k];
  return r;
}

// Mean over groups and samples of V projected on a direction.
double mean_projection(const torch::Tensor& V, const torch::Tensor& dir) {
  return (V * dir.view({1, 1, -1})).sum(-1).mean().item<double>();
}
}  // namespace

TEST_CASE("field matches a plain-loop reference (with uncond, floor on and off)", "[field]") {
  torch::manual_seed(1);
  for (double floor : {0.0, 1e-6}) {
    auto x = randn3(1, 6, 5), u = randn3(1, 3, 5, 0.5), p = randn3(1, 4, 5, 1.0);
    FieldOptions opt;
    opt.floor = floor;
    auto r = compute_field({x, p, u, torch::full({1}, 1.7)}, opt);
    auto ref = loop_field(rows(x[0]), rows(u[0]), 1.7, rows(p[0]), opt.taus, floor);
    auto V = r.V.contiguous();
    REQUIRE(V.numel() == int64_t(ref.size()));
    for (size_t k = 0; k < ref.size(); ++k) CHECK(V.data_ptr<float>()[k] == Approx(ref[k]).margin(2e-4));
    CHECK(r.force_rms.size() == 3);
  }
}

TEST_CASE("swapping positives and negatives flips V", "[field]") {
  // One generated sample per group, so the only generated column is its own (masked) one.
  torch::manual_seed(2);
  auto x = randn3(3, 1, 8), a = randn3(3, 16, 8, 0.7), b = randn3(3, 16, 8, -0.4);
  auto w1 = torch::ones({3});
  auto r1 = compute_field({x, a, b, w1});
  auto r2 = compute_field({x, b, a, w1});
  CHECK(torch::allclose(r1.V, -r2.V, 1e-4, 1e-4));
}

TEST_CASE("V -> 0 relative to a real mismatch as the batch grows (same distribution)", "[field]") {
  // Raw force when generated and real come from one distribution, divided by the raw force
  // when the positives are shifted: must shrink as the sample count grows.
  auto ratio = [](int64_t n) {
    torch::manual_seed(3);
    auto x = randn3(1, n, 4), same = randn3(1, n, 4), shifted = randn3(1, n, 4, 1.0);
    FieldOptions opt;
    opt.taus = {0.2};
    double f_same = compute_field({x, same, {}, {}}, opt).force_rms[0];
    double f_shift = compute_field({x, shifted, {}, {}}, opt).force_rms[0];
    return f_same / f_shift;
  };
  const double small = ratio(32), large = ratio(2048);
  INFO("ratio at 32: " << small << ", at 2048: " << large);
  CHECK(large < 0.5 * small);
}

TEST_CASE("a single positive attracts the generated cloud", "[field]") {
  torch::manual_seed(4);
  auto x = 0.1 * torch::randn({1, 16, 3});
  auto dir = torch::tensor({1.0f, 0.0f, 0.0f});
  auto pos = (2.0 * dir).view({1, 1, 3});
  auto r = compute_field({x, pos, {}, {}});
  auto meanV = r.V.mean(std::vector<int64_t>{0, 1});
  const double cosv = (meanV.dot(dir) / meanV.norm()).item<double>();
  CHECK(cosv > 0.95);
  CHECK(mean_projection(r.V, dir) > 0);
}

TEST_CASE("self pairs are masked out of the kernel", "[field]") {
  // One generated point, one positive: with the mask the point has no negative affinity, so
  // the pull (weighted by the negative mass) vanishes; without the mask its own zero
  // distance dominates and it gets pulled.
  auto x = torch::zeros({1, 1, 2});
  auto pos = torch::tensor({1.0f, 0.0f}).view({1, 1, 2});
  FieldOptions masked, unmasked;
  unmasked.self_mask = 0.0;
  CHECK(compute_field({x, pos, {}, {}}, masked).force_rms[2] < 1e-8);
  CHECK(compute_field({x, pos, {}, {}}, unmasked).force_rms[2] > 1e-4);
}

TEST_CASE("unconditional negatives: weight 0 leaves the scale alone, larger weight repels more", "[field]") {
  torch::manual_seed(5);
  auto e1 = torch::tensor({1.0f, 0.0f, 0.0f, 0.0f}), e2 = torch::tensor({0.0f, 1.0f, 0.0f, 0.0f});
  auto x = randn3(2, 12, 4);
  auto p = x.detach() + 1.5 * e1.view({1, 1, 4}) + 0.1 * randn3(2, 12, 4);  // pull along +e1
  auto u = x.detach() - 1.5 * e2.view({1, 1, 4}) + 0.1 * randn3(2, 6, 4).repeat({1, 2, 1});  // u at -e2
  u = u.narrow(1, 0, 6);
  auto none = compute_field({x, p, {}, {}});
  auto zero = compute_field({x, p, u, torch::zeros({2})});
  // Zero-weight columns still enter the softmax denominators, but not the mean distance.
  CHECK(none.s == Approx(zero.s));
  CHECK(none.mean_dist == Approx(zero.mean_dist));
  // Repulsion from u points along +e2; relative to the +e1 pull it grows with w_u.
  auto light = compute_field({x, p, u, torch::full({2}, 0.5)});
  auto heavy = compute_field({x, p, u, torch::full({2}, 4.0)});
  const double rl = mean_projection(light.V, e2) / mean_projection(light.V, e1);
  const double rh = mean_projection(heavy.V, e2) / mean_projection(heavy.V, e1);
  INFO("e2/e1 ratio light " << rl << " heavy " << rh);
  CHECK(mean_projection(light.V, e1) > 0);
  CHECK(rl > 0);
  CHECK(rh > 1.5 * rl);
}

TEST_CASE("loss value is about the number of temperatures and its gradient follows V", "[field]") {
  torch::manual_seed(6);
  auto x = randn3(2, 8, 5).requires_grad_(true);
  auto p = randn3(2, 8, 5, 0.5);
  auto r = compute_field({x, p, {}, {}});
  auto loss = drift::field::drift_loss(x, r);
  const double vsq = r.V.pow(2).mean().item<double>();
  CHECK(loss.item<double>() == Approx(vsq).epsilon(1e-4));
  loss.backward();
  // d loss / dx = -2 V / (s * numel): a gradient step moves x along V.
  auto expected = -2.0 * r.V / (r.s * double(x.numel()));
  CHECK(torch::allclose(x.grad(), expected, 1e-4, 1e-7));
}

TEST_CASE("bad shapes give a clear error", "[field]") {
  auto x = torch::randn({1, 4, 3});
  CHECK_THROWS_WITH(compute_field({x, torch::randn({1, 4, 2}), {}, {}}),
                    Catch::Contains("pos shape does not match"));
  CHECK_THROWS_WITH(compute_field({torch::randn({4, 3}), x, {}, {}}), Catch::Contains("x must be"));
}

namespace {
// A sum over "processes" that are threads of this test: each adds its values, waits for the
// others, and reads the total (what an all-reduce does across ranks). Reusable, call after call.
class ThreadSum {
 public:
  explicit ThreadSum(int n) : n_(n) {}
  void operator()(std::vector<double>& v) {
    std::unique_lock<std::mutex> lk(m_);
    const int64_t gen = gen_;
    if (acc_.empty()) acc_.assign(v.size(), 0.0);
    for (size_t i = 0; i < v.size(); ++i) acc_[i] += v[i];
    if (++arrived_ == n_) {
      result_ = acc_, acc_.clear(), arrived_ = 0, ++gen_;
      cv_.notify_all();
    } else {
      cv_.wait(lk, [&] { return gen_ != gen; });
    }
    v = result_;
  }

 private:
  int n_, arrived_ = 0;
  int64_t gen_ = 0;
  std::vector<double> acc_, result_;
  std::mutex m_;
  std::condition_variable cv_;
};
}  // namespace

TEST_CASE("groups split over processes give the field of the whole batch (sum_over_processes)", "[field]") {
  // 5 groups with different spreads (so the batch-wide s and RMS differ from any part's),
  // split 3 + 2 as two ranks would hold them, each part computed in its own thread.
  torch::manual_seed(11);
  const int64_t B = 5, G = 6, P = 9, U = 4, D = 20;
  FieldInput all;
  all.x = randn3(B, G, D) * torch::linspace(0.5, 2.0, B).view({B, 1, 1});
  all.pos = randn3(B, P, D, 0.3);
  all.uncond = randn3(B, U, D, -0.2);
  all.w_u = torch::linspace(0.0, 3.0, B);
  const auto whole = compute_field(all);
  std::vector<std::vector<int64_t>> parts{{0, 2, 4}, {1, 3}};
  std::vector<drift::field::FieldResult> res(parts.size());
  ThreadSum sum(int(parts.size()));
  std::vector<std::thread> threads;
  for (size_t r = 0; r < parts.size(); ++r)
    threads.emplace_back([&, r] {
      const auto keep = torch::tensor(parts[r], torch::kLong);
      FieldInput in;
      in.x = all.x.index_select(0, keep);
      in.pos = all.pos.index_select(0, keep);
      in.uncond = all.uncond.index_select(0, keep);
      in.w_u = all.w_u.index_select(0, keep);
      FieldOptions o;
      o.sum_over_processes = std::ref(sum);
      res[r] = compute_field(in, o);
    });
  for (auto& t : threads) t.join();
  for (size_t r = 0; r < parts.size(); ++r) {
    CHECK(res[r].s == Approx(whole.s).epsilon(1e-6));
    for (size_t t = 0; t < whole.force_rms.size(); ++t)
      CHECK(res[r].force_rms[t] == Approx(whole.force_rms[t]).epsilon(1e-5));
    const auto ref = whole.V.index_select(0, torch::tensor(parts[r], torch::kLong));
    CHECK((res[r].V - ref).abs().max().item<double>() < 1e-5 * ref.abs().max().item<double>());
  }
  // Without the sums, a part alone has its own scale: the check above can fail.
  FieldInput first;
  const auto keep = torch::tensor(parts[0], torch::kLong);
  first.x = all.x.index_select(0, keep);
  first.pos = all.pos.index_select(0, keep);
  first.uncond = all.uncond.index_select(0, keep);
  first.w_u = all.w_u.index_select(0, keep);
  CHECK(std::abs(compute_field(first).s - whole.s) > 1e-3 * whole.s);
}

// Velocity clipping (docs/drift-field.md, step 9): V_i <- V_i min(1, kappa / r_i).
namespace {
FieldInput clip_input() {
  torch::manual_seed(21);
  FieldInput in;
  in.x = randn3(3, 16, 12);
  in.pos = randn3(3, 24, 12, 0.7);
  in.uncond = randn3(3, 8, 12, -0.3);
  in.w_u = torch::tensor({0.0, 1.5, 3.0});
  return in;
}
torch::Tensor row_rms(const torch::Tensor& V) { return V.square().mean(-1).sqrt(); }  // [B,G]
}  // namespace

TEST_CASE("velocity clipping with kappa above every r_i leaves V and the rest unchanged", "[field][clip]") {
  const auto in = clip_input();
  const auto ref = compute_field(in);
  FieldOptions o;
  o.velocity_clip = drift::field::VelocityClip::fixed;
  o.clip_kappa = row_rms(ref.V).max().item<double>() * 1.0001;
  const auto got = compute_field(in, o);
  CHECK(torch::equal(got.V, ref.V));
  CHECK(got.s == ref.s);
  CHECK(got.mean_dist == ref.mean_dist);
  CHECK(got.force_rms == ref.force_rms);
  CHECK(got.clipped_frac == 0.0);
}

TEST_CASE("median clipping scales exactly the rows above the lower median down to it", "[field][clip]") {
  const auto in = clip_input();
  const auto ref = compute_field(in);
  FieldOptions o;
  o.velocity_clip = drift::field::VelocityClip::median;
  const auto got = compute_field(in, o);
  // The lower median by hand: the 24th smallest of the 48 rows.
  auto r = row_rms(ref.V).reshape({-1}).to(torch::kDouble);
  auto sorted = std::get<0>(r.sort());
  const double kappa = sorted[23].item<double>();
  CHECK(got.clip_kappa == Approx(kappa).epsilon(1e-12));
  CHECK(got.clipped_frac == Approx(24.0 / 48.0));
  auto r_got = row_rms(got.V).reshape({-1}).to(torch::kDouble);
  auto Vr = ref.V.reshape({48, 12}), Vg = got.V.reshape({48, 12});
  int unchanged = 0;
  for (int64_t i = 0; i < 48; ++i) {
    if (r[i].item<double>() <= kappa) {
      CHECK(torch::equal(Vg[i], Vr[i]));
      ++unchanged;
    } else {
      CHECK(r_got[i].item<double>() == Approx(kappa).epsilon(1e-5));
      // same direction: the clipped row is a positive multiple of the original
      const double cosine = (Vg[i] * Vr[i]).sum().item<double>() / (Vg[i].norm() * Vr[i].norm()).item<double>();
      CHECK(cosine == Approx(1.0).epsilon(1e-6));
    }
  }
  CHECK(unchanged == 24);
  CHECK(got.s == ref.s);
}

TEST_CASE("unit clipping keeps each direction at rms 1; a fixed kappa caps every row", "[field][clip]") {
  const auto in = clip_input();
  const auto ref = compute_field(in);
  FieldOptions u;
  u.velocity_clip = drift::field::VelocityClip::unit;
  const auto got = compute_field(in, u);
  CHECK(torch::allclose(row_rms(got.V), torch::ones({3, 16}), 1e-5, 1e-6));
  auto cosine = (got.V * ref.V).sum(-1) / (got.V.norm(2, -1) * ref.V.norm(2, -1));
  CHECK(torch::allclose(cosine, torch::ones({3, 16}), 1e-5, 1e-6));
  FieldOptions f;
  f.velocity_clip = drift::field::VelocityClip::fixed;
  f.clip_kappa = 0.5;
  const auto capped = compute_field(in, f);
  CHECK(row_rms(capped.V).max().item<double>() <= 0.5 * (1 + 1e-5));
  CHECK(row_rms(capped.V).max().item<double>() >= 0.5 * (1 - 1e-5));  // every row here is above 0.5
}

TEST_CASE("median clipping takes the median of every process's samples (gather_over_processes)", "[field][clip]") {
  const auto in = clip_input();
  const auto ref = compute_field(in);
  FieldOptions o;
  o.velocity_clip = drift::field::VelocityClip::median;
  // Another process's 48 samples, all far below this one's: the batch median drops to theirs.
  o.gather_over_processes = [](const torch::Tensor& r) { return torch::cat({r, torch::full({48}, 1e-3, torch::kDouble)}); };
  const auto got = compute_field(in, o);
  CHECK(got.clip_kappa == Approx(1e-3));
  CHECK(got.clipped_frac == 1.0);
  CHECK(!torch::equal(got.V, ref.V));
}
