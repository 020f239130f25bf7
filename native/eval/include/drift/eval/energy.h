// Energy distance between two point sets (Székely & Rizzo): 2E|X-Y| - E|X-X'| - E|Y-Y'|.
// V-statistic form, so it is >= 0 and exactly 0 for identical sets; used for 2D toy models.
#pragma once
#include <torch/torch.h>

namespace drift::eval {

// x [Nx,D], y [Ny,D] -> energy distance (float64 accumulation).
double energy_distance(const torch::Tensor& x, const torch::Tensor& y);

}  // namespace drift::eval
