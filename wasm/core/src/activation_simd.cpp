// SiLU and sigmoid with the vector expf of simd.h. Eigen has no wasm packets, so there its
// exp() was musl's scalar expf per element: after the conv itself the largest cost of the
// mlpconv generator (8 x 784 SiLUs a digit). (The generator applies an activation that
// follows a conv inside conv2d_forward; these serve the linear layers.)
#include "drift/core/layers.h"
#include "simd.h"

namespace drift::core {
namespace {
template <bool kSilu>
void apply(float* x, std::int64_t count) {
  std::int64_t i = 0;
  for (; i + VW <= count; i += VW) store(x + i, vsigmoid<kSilu>(load(x + i)));
  if (i < count) {
    float tmp[VW] = {};
    std::memcpy(tmp, x + i, sizeof(float) * std::size_t(count - i));
    store(tmp, vsigmoid<kSilu>(load(tmp)));
    std::memcpy(x + i, tmp, sizeof(float) * std::size_t(count - i));
  }
}
}  // namespace

void silu_forward(float* x, std::int64_t count) { apply<true>(x, count); }
void sigmoid_forward(float* x, std::int64_t count) { apply<false>(x, count); }

}  // namespace drift::core
