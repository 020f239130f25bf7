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
