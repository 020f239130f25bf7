// Snapshot selection for export: few, distinct, geometrically spaced, first and last kept.
#include "catch_torch.h"  // torch before Catch: keeps Catch's CHECK

#include "drift/export/export.h"

using drift::exporter::pick_snapshots;

TEST_CASE("pick_snapshots keeps everything when under the limit", "[export]") {
  const std::vector<std::int64_t> steps = {100, 200, 300};
  const std::vector<std::size_t> all = {0, 1, 2};
  CHECK(pick_snapshots(steps, 5) == all);
  CHECK(pick_snapshots(steps, 0) == all);
  CHECK(pick_snapshots({}, 5).empty());
}

TEST_CASE("pick_snapshots spaces picks geometrically over a long run", "[export]") {
  std::vector<std::int64_t> steps;
  for (std::int64_t s = 50; s <= 6000; s += 50) steps.push_back(s);  // --record 50, 6000 steps
  const auto keep = pick_snapshots(steps, 5);
  REQUIRE(keep.size() == 5);
  CHECK(steps[keep.front()] == 50);
  CHECK(steps[keep.back()] == 6000);
  for (std::size_t j = 1; j < keep.size(); ++j) CHECK(keep[j] > keep[j - 1]);
  // 50 * 120^(j/4): 50, 165, 543, 1797, 6000 -> nearest recorded steps.
  CHECK(steps[keep[1]] == 150);
  CHECK(steps[keep[2]] == 550);
  CHECK(steps[keep[3]] == 1800);
}

TEST_CASE("pick_snapshots stays distinct when steps are dense at the start", "[export]") {
  const std::vector<std::int64_t> steps = {1, 2, 3, 4, 5, 6};
  const auto keep = pick_snapshots(steps, 5);
  REQUIRE(keep.size() == 5);
  for (std::size_t j = 1; j < keep.size(); ++j) CHECK(keep[j] > keep[j - 1]);
  CHECK(keep.back() == 5);
}

// drift-train eval --dtype: the generator's weights after writer + reader equal what the page
// computes with; int8 moves each weight by at most half its row's step, f32 by nothing.
TEST_CASE("roundtrip_weights: the exported int8 weights, each within half a row step", "[export]") {
  torch::manual_seed(3);
  drift::models::Generator g(drift::models::default_mlpconv_config(10, {1, 28, 28}));
  std::vector<torch::Tensor> before;
  for (const auto& p : g->parameters()) before.push_back(p.detach().clone());
  drift::exporter::roundtrip_weights(g, drift::core::DType::f32);
  auto params = g->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) CHECK(torch::equal(params[i], before[i]));
  drift::exporter::roundtrip_weights(g, drift::core::DType::int8);
  params = g->parameters();
  bool moved = false;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto d = (params[i] - before[i]).abs();
    moved = moved || d.max().item<float>() > 0;
    if (before[i].dim() < 2) {  // biases go as f16
      CHECK((d <= before[i].abs() * (1.0 / 2048) + 1e-7).all().item<bool>());
      continue;
    }
    const auto rows = before[i].reshape({before[i].size(0), -1});
    const auto step = std::get<0>(rows.abs().max(1)) / 127;
    CHECK((d.reshape({before[i].size(0), -1}) <= step.unsqueeze(1) * 0.5001).all().item<bool>());
  }
  CHECK(moved);
}
