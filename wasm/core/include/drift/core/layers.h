// Layer kernels of the generator forward. Activations are column-major [features, n]:
// one sample per column, each column in C order (a [C,H,W] sample is C planes of H*W).
#pragma once
#include <cstdint>

#include "drift/core/model.h"

namespace drift::core {

// x: [in, n], W: PyTorch [out, in] row-major (or gemm.h panels if packed), b: [out] or
// null -> y: [out, n]. `packed` alone says which: weights being trained are plain rows.
void linear_forward(const float* W, const float* b, int in, int out, int n, const float* x,
                    float* y, bool packed = false);
// The same for packed weights only: what the inference module links in wasm builds, where the
// model packs every linear layer at load (so gemm_tn stays out of drift_api.wasm).
void linear_forward_packed(const float* P, const float* b, int in, int out, int n,
                           const float* x, float* y);

// Backward of linear_forward (plain W). dy [out,n], x [in,n] (the forward's input), W [out,in]
// row-major -> dW [out,in] row-major, db [out] (null: skipped), dx [in,n] (null: skipped).
// Overwrites; nothing accumulates.
void linear_backward(const float* W, int in, int out, int n, const float* x, const float* dy,
                     float* dW, float* db, float* dx);
// h [count] the pre-activation, dy [count] -> dx = dy * silu'(h); dx may alias dy.
void silu_backward(const float* h, const float* dy, float* dx, std::int64_t count);
// y [count] the sigmoid's output, dy [count] -> dx = dy * y (1 - y); dx may alias dy.
void sigmoid_backward(const float* y, const float* dy, float* dx, std::int64_t count);

// x: [C*H*W, n] -> y: [O*Ho*Wo, n]; W: PyTorch [O, C, k, k]; scratch: conv_scratch(p) floats
// (a zero-padded copy of one sample). Fusions the generator uses: up > 1 reads x as
// [C*(H/up)*(W/up), n] and nearest-upsamples it first (an upsample_nearest layer before the
// conv); act = silu or sigmoid applies that activation after (any other value: none).
void conv2d_forward(const LayerPlan& p, const float* W, const float* b, int n, const float* x,
                    float* y, float* scratch, int up = 1, LayerType act = LayerType::linear);

// x: [C*H*W, n] -> y: [C*(sH)*(sW), n]
void upsample_nearest_forward(const LayerPlan& p, int n, const float* x, float* y);

// in place on x[0..count)
void activation_forward(LayerType t, float slope, float* x, std::int64_t count);
// x * sigmoid(x) and sigmoid(x), in place on x[0..count) (activation_simd.cpp)
void silu_forward(float* x, std::int64_t count);
void sigmoid_forward(float* x, std::int64_t count);

// floats of scratch conv2d_forward needs (0 for other layers)
std::int64_t conv_scratch(const LayerPlan& p);

}  // namespace drift::core
