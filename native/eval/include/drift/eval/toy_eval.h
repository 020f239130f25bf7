// 2D toy evaluation: the unbiased energy distance (drift/core/energy.h) between generated
// points and a fresh target sample, and the floor at that N: the RMS of the same figure
// between two independent target samples (whose mean is 0), i.e. the noise a perfect
// generator scores. energy/floor below about 2 is indistinguishable from the target.
#pragma once
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace drift::eval {

// (n, alpha) -> points [n,2].
using PointSampler = std::function<torch::Tensor(int64_t n, double alpha)>;

// target: a toy set name of drift/toy_data.h. Returns
// {"kind":"toy","target":..,"n":..,"floor":{"energy":..,"pairs":..},
//  "alphas":[{"alpha","energy","energy_over_floor"}]}   n >= 2
nlohmann::json evaluate_toy(const PointSampler& sample, const std::string& target, int64_t n,
                            const std::vector<double>& alphas, uint64_t seed);

// n fresh points of a toy set as a [n,2] float32 tensor.
torch::Tensor toy_points(const std::string& target, int64_t n, uint64_t seed);

}  // namespace drift::eval
