// Metrics against closed-form answers: FD of Gaussians, k-NN precision/recall limits,
// diversity and the memorisation check (the energy distance is the core's: test_core_energy).
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <torch/torch.h>

#include <cmath>

#include "drift/eval/diversity.h"
#include "drift/eval/frechet.h"
#include "drift/eval/memorisation.h"
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
