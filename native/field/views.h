// Multi-scale views of image samples, each drifted with its own kernel (docs/drift-field.md,
// "Views"). A view maps flattened samples [B,N,D] to features [B,N,Dv] with a differentiable,
// fixed function; every view gets its own scale s, its own field V and its own loss term, and
// the terms are summed, as the paper does with the features of its encoder.
#pragma once
#include <string>
#include <vector>

#include "field/field.h"

namespace drift::field {

// Known names: "pixel" (identity), "pool2" / "pool4" (2x2 / 4x4 average pooling: 14x14 and
// 7x7 for MNIST), "patch4" (mean and standard deviation of every 4x4 patch).
bool is_known_view(const std::string& name);
std::string known_views();

// x [B,N,D] with D = C*H*W of `shape` ([C,H,W]) -> [B,N,Dv]. Keeps x's autograd graph.
// Throws std::runtime_error for an unknown view or a shape it cannot pool.
torch::Tensor apply_view(const std::string& view, const torch::Tensor& x, const std::vector<int64_t>& shape);

struct ViewsLoss {
  torch::Tensor loss;                // sum of the per-view drift losses
  std::vector<FieldResult> fields;   // one per view, in order
};

// in: x [B,G,D] (with grad), pos [B,P,D], uncond [B,U,D] and gen_neg [B,Q,D] optional, w_u [B].
// Each view transforms every part of in, then gets its own field and loss.
ViewsLoss multi_view_loss(const FieldInput& in, const std::vector<std::string>& views,
                          const std::vector<int64_t>& shape, const FieldOptions& opt = {});

}  // namespace drift::field
