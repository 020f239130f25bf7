// Layer kernels of the generator forward. Activations are column-major [features, n]:
// one sample per column, each column in C order (a [C,H,W] sample is C planes of H*W).
#pragma once
#include <cstdint>

#include "drift/model.h"

namespace drift::core {

// x: [in, n], W: PyTorch [out, in] row-major (or gemm.h panels if packed), b: [out] or
// null -> y: [out, n]
void linear_forward(const float* W, const float* b, int in, int out, int n, const float* x,
                    float* y, bool packed = false);

// x: [C*H*W, n] -> y: [O*Ho*Wo, n]; W: PyTorch [O, C, k, k]; col: [Ho*Wo, C*k*k] scratch
void conv2d_forward(const LayerPlan& p, const float* W, const float* b, int n, const float* x,
                    float* y, float* col);

// x: [C*H*W, n] -> y: [C*(sH)*(sW), n]
void upsample_nearest_forward(const LayerPlan& p, int n, const float* x, float* y);

// in place on x: [C*S, n]; gamma/beta: [C] or null (no affine)
void groupnorm_forward(const LayerPlan& p, const float* gamma, const float* beta, int n, float* x);

// in place on x[0..count)
void activation_forward(LayerType t, float slope, float* x, std::int64_t count);

// floats of im2col scratch a conv layer needs for one sample (0 for other layers)
std::int64_t conv_scratch(const LayerPlan& p);

}  // namespace drift::core
