// Field views: pooled / patch features by hand, and the summed per-view loss.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK
#include <string>

#include "field/views.h"
#include "test_util.h"

using drift::field::apply_view;
using drift::field::multi_view_loss;

namespace {
const std::vector<int64_t> kShape{1, 8, 8};
}  // namespace

TEST_CASE("pool views average blocks of pixels", "[field][views]") {
  // One 8x8 image whose top-left 2x2 block is 1,2,3,4 and the rest 0.
  auto x = torch::zeros({1, 1, 64});
  x[0][0][0] = 1, x[0][0][1] = 2, x[0][0][8] = 3, x[0][0][9] = 4;
  auto p2 = apply_view("pool2", x, kShape);
  REQUIRE(p2.sizes() == torch::IntArrayRef({1, 1, 16}));
  CHECK(p2[0][0][0].item<double>() == Approx(2.5));
  CHECK(p2.sum().item<double>() == Approx(2.5));
  auto p4 = apply_view("pool4", x, kShape);
  REQUIRE(p4.sizes() == torch::IntArrayRef({1, 1, 4}));
  CHECK(p4[0][0][0].item<double>() == Approx(10.0 / 16));
  CHECK(apply_view("pixel", x, kShape).equal(x));
}

TEST_CASE("patch4 gives each patch's mean and standard deviation", "[field][views]") {
  auto x = torch::zeros({1, 1, 64});
  // top-left 4x4 patch: half ones (left two columns), half zeros -> mean 0.5, std 0.5
  for (int r = 0; r < 4; ++r) x[0][0][r * 8] = 1, x[0][0][r * 8 + 1] = 1;
  auto v = apply_view("patch4", x, kShape);
  REQUIRE(v.sizes() == torch::IntArrayRef({1, 1, 8}));
  CHECK(v[0][0][0].item<double>() == Approx(0.5));
  CHECK(v[0][0][4].item<double>() == Approx(0.5).margin(1e-3));
  CHECK(v[0][0][5].item<double>() == Approx(0.0).margin(2e-3));  // flat patch: ~0 (clamped var)
}

TEST_CASE("views reject unknown names and non-image samples", "[field][views]") {
  auto x = torch::zeros({1, 2, 64});
  CHECK(error_of([&] { apply_view("pool3", x, kShape); }).find("unknown view 'pool3'") != std::string::npos);
  CHECK(error_of([&] { apply_view("pool2", torch::zeros({1, 2, 2}), {2}); }).find("not images") != std::string::npos);
  CHECK(error_of([&] { apply_view("pool4", torch::zeros({1, 2, 36}), {1, 6, 6}); }).find("not divisible by 4") !=
        std::string::npos);
}

TEST_CASE("multi-view loss is the sum of the per-view drift losses", "[field][views]") {
  torch::manual_seed(3);
  auto x = torch::rand({2, 6, 64}).requires_grad_(true);
  auto pos = torch::rand({2, 10, 64});
  auto unc = torch::rand({2, 4, 64});
  auto w_u = torch::tensor({0.0f, 1.5f});
  auto both = multi_view_loss({x, pos, unc, w_u}, {"pixel", "pool2"}, kShape);
  REQUIRE(both.fields.size() == 2);
  auto pixel = multi_view_loss({x, pos, unc, w_u}, {"pixel"}, kShape);
  auto pool = multi_view_loss({x, pos, unc, w_u}, {"pool2"}, kShape);
  CHECK(both.loss.item<double>() == Approx(pixel.loss.item<double>() + pool.loss.item<double>()).epsilon(1e-5));
  // Each view has its own scale: pooled images are closer together than the pixels.
  CHECK(both.fields[1].mean_dist < both.fields[0].mean_dist);
  CHECK(both.fields[1].V.size(2) == 16);

  // The pooled view's gradient reaches the pixels, and only through the block averages:
  // within each 2x2 block all four pixels get the same gradient.
  pool.loss.backward();
  auto g = x.grad().view({2, 6, 8, 8});
  REQUIRE(g.abs().sum().item<double>() > 0);
  auto block = g[0][0].narrow(0, 0, 2).narrow(1, 0, 2);  // sample 0's top-left 2x2 block
  CHECK((block - block[0][0]).abs().max().item<double>() <= 1e-9);
  CHECK(block[0][0].item<double>() != 0.0);
}
