#include "drift/eval/toy_eval.h"

#include <chrono>

#include "drift/core/toy_data.h"
#include "drift/eval/energy.h"

namespace drift::eval {

torch::Tensor toy_points(const std::string& target, int64_t n, uint64_t seed) {
  auto pts = drift::core::sample_toy(target, static_cast<int>(n), seed);
  return torch::from_blob(pts.data(), {n, 2}, torch::kFloat32).clone();
}

nlohmann::json evaluate_toy(const PointSampler& sample, const std::string& target, int64_t n,
                            const std::vector<double>& alphas, uint64_t seed) {
  torch::NoGradGuard no_grad;
  const auto t0 = std::chrono::steady_clock::now();
  // Three independent target draws: one reference, two for the floor.
  auto ref = toy_points(target, n, seed * 3 + 101);
  const double floor = energy_distance(toy_points(target, n, seed * 3 + 102),
                                       toy_points(target, n, seed * 3 + 103));
  nlohmann::json out;
  out["kind"] = "toy";
  out["target"] = target;
  out["n"] = n;
  out["floor"] = {{"energy", floor}};
  out["alphas"] = nlohmann::json::array();
  for (double alpha : alphas) {
    auto gen = sample(n, alpha).to(torch::kCPU, torch::kFloat32).reshape({n, 2});
    const double e = energy_distance(gen, ref);
    out["alphas"].push_back(
        {{"alpha", alpha}, {"energy", e}, {"energy_over_floor", floor > 0 ? e / floor : 0.0}});
  }
  out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace drift::eval
