#include "drift/eval/toy_eval.h"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include "drift/core/energy.h"
#include "drift/core/toy_data.h"

namespace drift::eval {

namespace {
// Independent target draws per floor estimate: the floor is the RMS of this many.
constexpr int kFloorPairs = 32;

std::vector<float> as_points(const torch::Tensor& t, int64_t n) {
  auto c = t.to(torch::kCPU, torch::kFloat32).reshape({n, 2}).contiguous();
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + 2 * n);
}
}  // namespace

torch::Tensor toy_points(const std::string& target, int64_t n, uint64_t seed) {
  auto pts = drift::core::sample_toy(target, static_cast<int>(n), seed);
  return torch::from_blob(pts.data(), {n, 2}, torch::kFloat32).clone();
}

nlohmann::json evaluate_toy(const PointSampler& sample, const std::string& target, int64_t n,
                            const std::vector<double>& alphas, uint64_t seed) {
  torch::NoGradGuard no_grad;
  if (n < 2) throw std::runtime_error("toy eval: need n >= 2 points");
  const auto t0 = std::chrono::steady_clock::now();
  // The reference target draw the generated points are compared with.
  const auto ref = drift::core::sample_toy(target, static_cast<int>(n), seed * 3 + 101);
  // The floor: the unbiased energy distance between two independent target draws is 0 on
  // average, so what a perfect generator scores is that noise. Its RMS over kFloorPairs
  // pairs of fresh draws is the floor; energy/floor counts those noise levels.
  drift::core::ToyRng seeds(seed * 3 + 102);
  double sq = 0.0;
  for (int k = 0; k < kFloorPairs; ++k) {
    const auto a = drift::core::sample_toy(target, static_cast<int>(n), seeds.next_u64());
    const auto b = drift::core::sample_toy(target, static_cast<int>(n), seeds.next_u64());
    const double e = drift::core::energy_distance(a, b, 2);
    sq += e * e;
  }
  const double floor = std::sqrt(sq / kFloorPairs);
  nlohmann::json out;
  out["kind"] = "toy";
  out["target"] = target;
  out["n"] = n;
  out["floor"] = {{"energy", floor}, {"pairs", kFloorPairs}};
  out["alphas"] = nlohmann::json::array();
  for (double alpha : alphas) {
    const double e = drift::core::energy_distance(as_points(sample(n, alpha), n), ref, 2);
    out["alphas"].push_back(
        {{"alpha", alpha}, {"energy", e}, {"energy_over_floor", floor > 0 ? e / floor : 0.0}});
  }
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace drift::eval
