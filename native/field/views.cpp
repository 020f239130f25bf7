// Pooled and patch-statistic views of image samples, and the summed per-view drift loss.
#include "field/views.h"

#include <stdexcept>

namespace drift::field {

namespace {
const std::vector<std::string> kViews{"pixel", "pool2", "pool4", "patch4"};

// [B,N,C*H*W] -> [B*N,C,H,W], checking that the image side divides by k.
torch::Tensor as_images(const torch::Tensor& x, const std::vector<int64_t>& shape, int64_t k, const std::string& view) {
  if (shape.size() != 3)
    throw std::runtime_error("view '" + view + "' needs image samples [C,H,W]; this dataset's samples are not images");
  if (shape[1] % k != 0 || shape[2] % k != 0)
    throw std::runtime_error("view '" + view + "': image side " + std::to_string(shape[1]) + "x" +
                             std::to_string(shape[2]) + " is not divisible by " + std::to_string(k));
  return x.reshape({-1, shape[0], shape[1], shape[2]});
}
}  // namespace

bool is_known_view(const std::string& name) {
  for (const auto& v : kViews)
    if (v == name) return true;
  return false;
}

std::string known_views() {
  std::string s;
  for (const auto& v : kViews) s += (s.empty() ? "" : ", ") + v;
  return s;
}

torch::Tensor apply_view(const std::string& view, const torch::Tensor& x, const std::vector<int64_t>& shape) {
  // x [B,N,D] -> [B,N,Dv]
  const int64_t B = x.size(0), N = x.size(1);
  if (view == "pixel") return x;
  if (view == "pool2" || view == "pool4") {
    const int64_t k = view == "pool2" ? 2 : 4;
    return torch::avg_pool2d(as_images(x, shape, k, view), k).reshape({B, N, -1});
  }
  if (view == "patch4") {
    // Mean and std of each 4x4 patch: local ink amount and local contrast, position-coarse.
    const torch::Tensor img = as_images(x, shape, 4, view);
    const torch::Tensor mean = torch::avg_pool2d(img, 4);
    const torch::Tensor var = (torch::avg_pool2d(img * img, 4) - mean * mean).clamp_min(1e-6);
    return torch::cat({mean.reshape({B, N, -1}), var.sqrt().reshape({B, N, -1})}, 2);
  }
  throw std::runtime_error("unknown view '" + view + "' (known: " + known_views() + ")");
}

ViewsLoss multi_view_loss(const FieldInput& in, const std::vector<std::string>& views,
                          const std::vector<int64_t>& shape, const FieldOptions& opt) {
  // in.x [B,G,D], in.pos [B,P,D], in.uncond [B,U,D], in.gen_neg [B,Q,D] -> scalar loss (sum over views)
  if (views.empty()) throw std::runtime_error("need at least one view");
  auto has = [](const torch::Tensor& t) { return t.defined() && t.numel() > 0; };
  ViewsLoss out;
  for (const auto& v : views) {
    FieldInput vin;
    vin.x = apply_view(v, in.x, shape);
    vin.w_u = in.w_u;
    {
      torch::NoGradGuard ng;  // real samples and the extra negatives carry no graph
      vin.pos = apply_view(v, in.pos, shape);
      if (has(in.uncond)) vin.uncond = apply_view(v, in.uncond, shape);
      if (has(in.gen_neg)) vin.gen_neg = apply_view(v, in.gen_neg, shape);
    }
    FieldResult f = compute_field(vin, opt);
    const torch::Tensor l = drift_loss(vin.x, f);
    out.loss = out.loss.defined() ? out.loss + l : l;
    out.fields.push_back(std::move(f));
  }
  return out;
}

}  // namespace drift::field
