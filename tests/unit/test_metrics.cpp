// Metrics against closed-form answers: FD of Gaussians, k-NN precision/recall limits,
// diversity and the memorisation check (the energy distance is the core's: test_core_energy);
// the GEMM neighbour search against a brute-force one.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "drift/eval/diversity.h"
#include "drift/eval/frechet.h"
#include "drift/eval/memorisation.h"
#include "drift/eval/neighbors.h"
#include "drift/eval/precision_recall.h"

using namespace drift::eval;

static torch::Tensor gaussian(int64_t n, int64_t d, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::randn({n, d}, torch::kFloat64);
}

TEST_CASE("FD of a feature set with itself is zero", "[frechet]") {
  auto x = gaussian(500, 16, 1);
  CHECK(frechet_distance(x, x) == Approx(0.0).margin(1e-8));
}

TEST_CASE("FD of a shifted copy is the squared shift (equal covariances)", "[frechet]") {
  auto x = gaussian(400, 8, 2) * 3.0;
  auto shift = torch::arange(8, torch::kFloat64) * 0.25;  // ||shift||^2 = 0.0625 * 140 = 8.75
  CHECK(frechet_distance(x, x + shift) == Approx(8.75).epsilon(1e-8));
}

TEST_CASE("FD of diagonal Gaussians matches the closed form", "[frechet]") {
  // FD = sum (m1-m2)^2 + sum (sqrt(v1) - sqrt(v2))^2 for diagonal covariances.
  GaussianStats a, b;
  a.mean = torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64);
  b.mean = torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64);
  a.cov = torch::diag(torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64));
  b.cov = torch::diag(torch::tensor({4.0, 4.0, 1.0}, torch::kFloat64));
  // means: 1 + 0 + 4 = 5; stds (1,2,3) vs (2,2,1): 1 + 0 + 4 = 5
  CHECK(frechet_distance(a, b) == Approx(10.0).epsilon(1e-10));
}

TEST_CASE("FD with a rotated covariance matches the eigenvalue formula", "[frechet]") {
  // C1 = I, C2 = Q diag(l) Q^T: FD = sum (1 - sqrt(l))^2, independent of the rotation Q.
  torch::manual_seed(3);
  auto q = std::get<0>(torch::linalg_qr(torch::randn({4, 4}, torch::kFloat64), "reduced"));
  auto l = torch::tensor({0.25, 1.0, 4.0, 9.0}, torch::kFloat64);
  GaussianStats a, b;
  a.mean = b.mean = torch::zeros({4}, torch::kFloat64);
  a.cov = torch::eye(4, torch::kFloat64);
  b.cov = torch::mm(q * l.unsqueeze(0), q.t());
  CHECK(frechet_distance(a, b) == Approx(0.25 + 0.0 + 1.0 + 4.0).epsilon(1e-9));
}

TEST_CASE("FD is robust to rank-deficient covariances", "[frechet]") {
  // 10 samples in 32 dimensions: covariance rank 9.
  auto x = gaussian(10, 32, 4);
  CHECK(frechet_distance(x, x) == Approx(0.0).margin(1e-7));
  auto y = gaussian(10, 32, 5);
  double fd = frechet_distance(x, y);
  CHECK(std::isfinite(fd));
  CHECK(fd > 1.0);
}

TEST_CASE("FD rejects mismatched or malformed features", "[frechet]") {
  CHECK_THROWS_WITH(frechet_distance(gaussian(10, 3, 1), gaussian(10, 4, 1)),
                    Catch::Contains("dimensions differ"));
  CHECK_THROWS(gaussian_stats(torch::zeros({1, 3})));
}

TEST_CASE("precision and recall of identical sets are 1", "[precision_recall]") {
  auto x = gaussian(300, 5, 6).to(torch::kFloat32);
  auto pr = knn_precision_recall(x, x, 3);
  CHECK(pr.precision == Approx(1.0));
  CHECK(pr.recall == Approx(1.0));
}

TEST_CASE("a collapsed generated set has recall near 0 and full precision", "[precision_recall]") {
  auto real = gaussian(400, 4, 7).to(torch::kFloat32);
  // Every fake sample is (almost) the same point near the real mode.
  auto fake = torch::zeros({400, 4}) + 1e-4 * torch::randn({400, 4});
  auto pr = knn_precision_recall(real, fake, 3);
  CHECK(pr.recall < 0.02);
  CHECK(pr.precision > 0.99);
}

TEST_CASE("samples far from the real data have precision near 0", "[precision_recall]") {
  auto real = gaussian(300, 4, 8).to(torch::kFloat32);
  auto fake = gaussian(300, 4, 9).to(torch::kFloat32) + 20.0;
  auto pr = knn_precision_recall(real, fake, 3);
  CHECK(pr.precision == Approx(0.0));
  CHECK(pr.recall == Approx(0.0));
}

TEST_CASE("recall per class finds the class the generator drops", "[precision_recall]") {
  // Real: class 0 around the origin, class 1 around (20,20,20,20), class 2 has no samples.
  auto real = torch::cat({gaussian(200, 4, 12), gaussian(200, 4, 13) + 20.0}).to(torch::kFloat32);
  auto labels = torch::cat({torch::zeros({200}, torch::kInt64), torch::ones({200}, torch::kInt64)});
  // The generator covers class 0 only.
  auto fake = gaussian(400, 4, 14).to(torch::kFloat32);
  auto pr = knn_precision_recall(real, fake, 3);
  auto per = recall_per_class(pr.real_covered, labels, 3);
  REQUIRE(per.size() == 3);
  CHECK(per[0] > 0.9);
  CHECK(per[1] == Approx(0.0));
  CHECK(std::isnan(per[2]));
  CHECK(pr.recall == Approx((per[0] + per[1]) / 2));  // equal class sizes
}

TEST_CASE("within-class diversity is 0 for a collapsed class", "[diversity]") {
  auto x = torch::cat({torch::zeros({5, 3}) + 2.0,                        // class 0: one point
                       torch::tensor({{0.0, 0.0, 0.0}, {3.0, 4.0, 0.0}})});  // class 1: distance 5
  auto labels = torch::tensor({0, 0, 0, 0, 0, 1, 1}, torch::kInt64);
  auto d = within_class_diversity(x, labels, 3);
  REQUIRE(d.per_class.size() == 3);
  CHECK(d.per_class[0] == Approx(0.0).margin(1e-9));
  CHECK(d.per_class[1] == Approx(5.0));
  CHECK(d.per_class[2] == -1.0);  // no samples
  CHECK(d.mean == Approx(2.5));
}

TEST_CASE("memorisation flags copies of training images", "[memorisation]") {
  auto train = gaussian(500, 20, 12);
  auto test = gaussian(200, 20, 13);
  auto fresh = gaussian(200, 20, 14);
  auto copies = train.slice(0, 0, 200) + 1e-6;
  auto healthy = memorisation_check(fresh, train, test);
  auto copied = memorisation_check(copies, train, test);
  CHECK(healthy.ratio == Approx(1.0).epsilon(0.1));
  CHECK(healthy.frac_below_test_p1 < 0.1);
  CHECK(copied.ratio < 0.01);
  CHECK(copied.frac_below_test_p1 == Approx(1.0));
}

// --- the GEMM neighbour search against a brute-force one -----------------------------------

namespace {
// The k nearest of each query by explicit float64 differences; ties to the lower index.
struct Brute {
  std::vector<std::vector<int64_t>> idx;
  std::vector<std::vector<double>> dist;
};

std::vector<std::vector<double>> sq_dists(const torch::Tensor& queries, const torch::Tensor& refs) {
  auto q = queries.reshape({queries.size(0), -1}).to(torch::kFloat64).contiguous();
  auto r = refs.reshape({refs.size(0), -1}).to(torch::kFloat64).contiguous();
  const int64_t nq = q.size(0), nr = r.size(0), d = q.size(1);
  const double* qp = q.data_ptr<double>();
  const double* rp = r.data_ptr<double>();
  std::vector<std::vector<double>> out(nq, std::vector<double>(nr));
  for (int64_t i = 0; i < nq; ++i)
    for (int64_t j = 0; j < nr; ++j) {
      double s = 0;
      for (int64_t t = 0; t < d; ++t) {
        const double diff = qp[i * d + t] - rp[j * d + t];
        s += diff * diff;
      }
      out[i][j] = s;
    }
  return out;
}

Brute brute_force(const torch::Tensor& queries, const torch::Tensor& refs, int64_t k) {
  Brute out;
  for (const auto& row : sq_dists(queries, refs)) {
    std::vector<std::pair<double, int64_t>> all;
    for (size_t j = 0; j < row.size(); ++j) all.emplace_back(row[j], static_cast<int64_t>(j));
    std::sort(all.begin(), all.end());
    out.idx.emplace_back();
    out.dist.emplace_back();
    for (int64_t j = 0; j < k; ++j) {
      out.idx.back().push_back(all[j].second);
      out.dist.back().push_back(std::sqrt(all[j].first));
    }
  }
  return out;
}

// Pixel-like rows in [0,1] (about a third zeros, as in MNIST): ||x||² ~ 150, so float32 GEMM
// distances of near-duplicates are pure cancellation unless rescored.
torch::Tensor pixels(int64_t n, uint64_t seed) {
  torch::manual_seed(seed);
  return torch::rand({n, 784}).sub_(0.3).clamp_(0.0, 1.0);
}

// Near-duplicates of references (1e-4 apart: distance ~2e-3, far below float32 GEMM error),
// exact copies, and near-ties a float32 GEMM cannot order (squared distances 1e-8 apart, its
// rounding ~1e-5): for query 30+m, refs 600+2m and 601+2m sit 0.0100005 and 0.01 away in
// random directions, so the nearest is the higher index.
void add_hard_cases(torch::Tensor& queries, torch::Tensor& refs) {
  const int64_t d = refs.size(1);
  queries.slice(0, 0, 20).copy_(refs.slice(0, 100, 120) + 1e-4 * torch::randn({20, d}));
  queries.slice(0, 20, 30).copy_(refs.slice(0, 500, 510));
  for (int64_t m = 0; m < 10; ++m) {
    auto u = torch::randn({2, d});
    u /= u.norm(2, 1, true);
    refs[600 + 2 * m].copy_(queries[30 + m] + 0.0100005 * u[0]);
    refs[601 + 2 * m].copy_(queries[30 + m] + 0.01 * u[1]);
  }
}

// Compares nearest_neighbors (k and 1) and nearest_distances with the brute force.
void check_search(const torch::Tensor& queries, const torch::Tensor& refs, const NeighborIndex& index,
                  int64_t k, const Brute& want) {
  const int64_t nq = queries.size(0);
  auto got = nearest_neighbors(queries, index, k);
  REQUIRE(got.indices.sizes() == torch::IntArrayRef({nq, k}));
  auto near = nearest_distances(queries, index);
  auto first = nearest_neighbors(queries, index, 1);
  int64_t bad_idx = 0, bad_dist = 0;
  double worst = 0;
  for (int64_t i = 0; i < nq; ++i) {
    for (int64_t j = 0; j < k; ++j) {
      bad_idx += got.indices[i][j].item<int64_t>() != want.idx[i][j];
      const double e = std::abs(got.distances[i][j].item<double>() - want.dist[i][j]);
      worst = std::max(worst, e);
      bad_dist += e > 1e-5;
    }
    bad_dist += std::abs(near[i].item<double>() - want.dist[i][0]) > 1e-5;
    bad_idx += first.indices[i][0].item<int64_t>() != want.idx[i][0];
  }
  INFO("worst distance error " << worst << "; rescored " << got.rescored << " pairs, "
                               << got.fallbacks << " full-search chunks");
  CHECK(bad_idx == 0);
  CHECK(bad_dist == 0);
  CHECK(want.idx[0][0] == 100);  // the near-duplicates found their originals
  CHECK(want.dist[25][0] == 0.0);
  CHECK(want.idx[30][0] == 601);
  CHECK(want.idx[30][1] == 600);
}
}  // namespace

TEST_CASE("the GEMM neighbour search equals a brute-force search", "[neighbors]") {
  auto refs = pixels(2000, 21);
  auto queries = pixels(300, 22);
  add_hard_cases(queries, refs);
  const int64_t k = 5;
  auto want = brute_force(queries, refs, k);
  // One block, blocks with a remainder, and the projected bound (weak on this full-rank
  // data: its chunks fall back to the full GEMM).
  for (auto [chunk, projection] : {std::pair<int64_t, int64_t>{0, 0}, {37, 0}, {37, 64}}) {
    NeighborIndex index(refs, projection);
    index.chunk_rows = chunk;
    INFO("chunk " << chunk << ", projection " << projection);
    check_search(queries, refs, index, k, want);
  }
}

TEST_CASE("the projected search shortlists few references on low-rank data", "[neighbors]") {
  // Digits-like rows: 12 latent factors through a fixed map, plus a little noise, in [0,1].
  torch::manual_seed(27);
  auto map = torch::randn({12, 784}) * 0.15;
  auto make = [&](int64_t n) {
    return (torch::randn({n, 12}).mm(map) + 0.3 + 0.02 * torch::randn({n, 784})).clamp_(0.0, 1.0);
  };
  auto refs = make(3000), queries = make(300);
  add_hard_cases(queries, refs);
  const int64_t k = 3;
  auto want = brute_force(queries, refs, k);
  NeighborIndex index(refs, 16);
  index.chunk_rows = 64;
  check_search(queries, refs, index, k, want);
  auto got = nearest_neighbors(queries, index, k);
  CHECK(got.fallbacks == 0);
  CHECK(got.rescored < 300 * 3000 / 50);  // the bound did the work, not a full rescoring
}

TEST_CASE("k-th neighbour radii equal brute force with duplicate rows", "[neighbors]") {
  // 250 rows, of which rows 200..249 repeat rows 0..24 twice: distances of 0 to other rows.
  auto x = pixels(250, 23);
  x.slice(0, 200, 225).copy_(x.slice(0, 0, 25));
  x.slice(0, 225, 250).copy_(x.slice(0, 0, 25));
  for (int64_t k : {int64_t(1), int64_t(3)}) {
    auto want = brute_force(x, x, k + 1);  // the row itself (or an earlier copy) comes first
    auto got = kth_neighbor_radii(x, k);
    int64_t bad = 0;
    for (int64_t i = 0; i < 250; ++i) bad += std::abs(got[i].item<double>() - want.dist[i][k]) > 1e-5;
    INFO("k " << k);
    CHECK(bad == 0);
    // Row 0 has two copies: its 1st and 2nd neighbours are at 0, its 3rd is not.
    if (k == 1) CHECK(got[0].item<double>() == 0.0);
    if (k == 3) CHECK(got[0].item<double>() > 1.0);
  }
  // Tied references come back in index order: row 0 has copies 200 and 225.
  auto got = nearest_neighbors(x.slice(0, 0, 1), NeighborIndex(x), 4);
  CHECK(got.indices[0][0].item<int64_t>() == 0);
  CHECK(got.indices[0][1].item<int64_t>() == 200);
  CHECK(got.indices[0][2].item<int64_t>() == 225);
  CHECK(got.distances[0][2].item<double>() == 0.0);
}

TEST_CASE("ball membership equals brute force", "[neighbors]") {
  auto centers = pixels(400, 24);
  auto queries = pixels(300, 25);
  queries.slice(0, 0, 10).copy_(centers.slice(0, 0, 10) + 1e-4 * torch::randn({10, 784}));
  auto d2 = sq_dists(queries, centers);
  // Radii near the lower quartile of the nearest-centre distances: some queries inside, not all.
  std::vector<double> nn;
  for (const auto& row : d2) nn.push_back(std::sqrt(*std::min_element(row.begin(), row.end())));
  std::nth_element(nn.begin(), nn.begin() + 75, nn.end());
  torch::manual_seed(26);
  auto radii = ((torch::rand({400}, torch::kFloat64) - 0.5) * 0.02 + 1.0) * nn[75];
  // Balls whose surface passes 1e-7 (relative) from their nearest query: inside for even j,
  // outside for odd j, far below what a float32 GEMM distance can resolve.
  for (int64_t j = 30; j < 50; ++j) {
    double best = d2[0][j];
    for (int64_t i = 1; i < 300; ++i) best = std::min(best, d2[i][j]);
    radii[j] = std::sqrt(best) * (j % 2 == 0 ? 1 + 1e-7 : 1 - 1e-7);
  }
  auto got = inside_any_ball(queries, centers, radii);
  int64_t bad = 0, inside = 0;
  for (int64_t i = 0; i < 300; ++i) {
    bool want = false;
    for (int64_t j = 0; j < 400; ++j) {
      const double r = radii[j].item<double>();
      want = want || d2[i][j] <= r * r;
    }
    bad += got[i].item<bool>() != want;
    inside += want;
  }
  INFO(inside << " of 300 queries inside");
  CHECK(bad == 0);
  CHECK(inside > 30);
  CHECK(inside < 270);
  // A negative radius holds nothing, a zero radius its own centre.
  auto c = centers.slice(0, 3, 4);
  CHECK_FALSE(inside_any_ball(c, c, torch::tensor({-1.0}))[0].item<bool>());
  CHECK(inside_any_ball(c, c, torch::tensor({0.0}))[0].item<bool>());
}

// Density and coverage (Naeem et al. 2020) on sets whose answer is counted by hand.
TEST_CASE("density and coverage of hand-counted 1-d sets", "[density_coverage]") {
  // real {0, 1, 3, 7}, k = 1: radii 1, 1, 2, 4. fake 0.5 is strictly inside the balls of 0 and
  // 1; fake 6 inside the ball of 7 only (|6 - 3| = 3 > 2). 3 pairs / (k * 2 fakes) = 1.5; reals
  // reached: 0, 1, 7 -> coverage 3/4.
  auto real = torch::tensor({0.0, 1.0, 3.0, 7.0}, torch::kFloat64).view({4, 1});
  auto fake = torch::tensor({0.5, 6.0}, torch::kFloat64).view({2, 1});
  auto dc = density_coverage(real, fake, 1);
  CHECK(dc.density == Approx(1.5).margin(1e-12));
  CHECK(dc.coverage == Approx(0.75).margin(1e-12));
  // A fake exactly on a ball's boundary (|2 - 1| = 1 = the radius of 1) is outside: strict balls.
  auto edge = torch::tensor({2.0}, torch::kFloat64).view({1, 1});
  auto de = density_coverage(real, edge, 1);  // inside the ball of 3 (|2 - 3| = 1 < 2) only
  CHECK(de.density == Approx(1.0).margin(1e-12));
  CHECK(de.coverage == Approx(0.25).margin(1e-12));
}

TEST_CASE("a set against itself has coverage 1 and density 1", "[density_coverage]") {
  // Each real ball holds its centre and its k - 1 nearer neighbours (the k-th is on the
  // boundary, outside): k points per ball, so density = k N / (k N) = 1.
  auto x = gaussian(400, 8, 11).to(torch::kFloat32);
  auto dc = density_coverage(x, x, 5);
  CHECK(dc.coverage == Approx(1.0).margin(1e-12));
  CHECK(dc.density == Approx(1.0).margin(1e-12));
}

TEST_CASE("generated outliers have coverage 0; a collapsed set covers a little and crowds", "[density_coverage]") {
  auto real = gaussian(400, 8, 12).to(torch::kFloat32);
  auto far = gaussian(300, 8, 13).to(torch::kFloat32) + 100.0;
  auto dc = density_coverage(real, far, 5);
  CHECK(dc.coverage == 0.0);
  CHECK(dc.density == 0.0);
  // Every generated sample at the real set's nearest point to the origin (a dense spot): only
  // the balls that hold that point are reached, and every sample counts in each of them.
  auto norms = real.pow(2).sum(1);
  auto centre = real[norms.argmin().item<int64_t>()].unsqueeze(0);
  auto collapsed = centre.expand({300, 8}).clone();
  auto holding = (real.to(torch::kFloat64) - centre.to(torch::kFloat64)).pow(2).sum(1).sqrt().to(torch::kFloat32) <
                 kth_neighbor_radii(real, 5);
  const double n_hold = holding.to(torch::kFloat64).sum().item<double>();
  auto dcc = density_coverage(real, collapsed, 5);
  CHECK(dcc.coverage == Approx(n_hold / 400.0).margin(1e-12));
  CHECK(dcc.density == Approx(n_hold / 5.0).margin(1e-12));
  CHECK(dcc.coverage < 0.1);
}

TEST_CASE("ball counts equal brute force", "[density_coverage]") {
  auto real = gaussian(300, 16, 14).to(torch::kFloat32), fake = (gaussian(250, 16, 15) * 1.3).to(torch::kFloat32);
  auto radii = kth_neighbor_radii(real, 5);
  auto got = count_in_balls(fake, real, radii);
  // [Nf,Nr]: exact float64 distances of the float32 rows, compared in float32 as the radii are
  auto d = (fake.to(torch::kFloat64).unsqueeze(1) - real.to(torch::kFloat64).unsqueeze(0)).pow(2).sum(-1).sqrt().to(torch::kFloat32);
  auto inside = d < radii.unsqueeze(0);
  CHECK(torch::equal(got.per_query, inside.sum(1).to(torch::kInt64)));
  CHECK(torch::equal(got.reached, inside.any(0)));
}
