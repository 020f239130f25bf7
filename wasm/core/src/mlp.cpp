// Mlp (mlp.h): the forward and backward of the core's trainers, on the layer kernels.
#include "drift/core/mlp.h"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "drift/core/layers.h"

namespace drift::core {

namespace {
std::vector<int> toy_sizes(int in, int hidden, int depth, int out) {
  if (depth < 1 || depth > 16) throw std::runtime_error("mlp: depth must be in [1, 16]");
  std::vector<int> s{in};
  for (int l = 0; l < depth; ++l) s.push_back(hidden);
  s.push_back(out);
  return s;
}
}  // namespace

Mlp::Mlp(std::vector<int> sizes, bool sigmoid_out) : sizes_(std::move(sizes)), sigmoid_out_(sigmoid_out) {
  if (sizes_.size() < 2) throw std::runtime_error("mlp: need an input and an output size");
  for (int s : sizes_)
    if (s <= 0 || s > 4096) throw std::runtime_error("mlp: bad MLP size");
  std::size_t off = 0;
  for (std::size_t l = 0; l + 1 < sizes_.size(); ++l) {
    const int i = sizes_[l], o = sizes_[l + 1];
    layers_.push_back({i, o, off, off + std::size_t(i) * std::size_t(o)});
    off += std::size_t(i) * std::size_t(o) + std::size_t(o);
  }
  params_.assign(off, 0.0f);
  pre_.resize(layers_.size());
  act_.resize(layers_.size());
}

Mlp::Mlp(int in, int hidden, int depth, int out) : Mlp(toy_sizes(in, hidden, depth, out), false) {}

void Mlp::init(ToyRng& rng) {
  for (const Layer& L : layers_) {
    const float bound = 1.0f / std::sqrt(float(L.in));
    for (std::size_t i = L.w; i < L.b + std::size_t(L.out); ++i) params_[i] = bound * (2.0f * rng.uniform() - 1.0f);
  }
}

// Z [in,n] -> y [out,n]
const std::vector<float>& Mlp::forward(const float* Z, int n) {
  n_ = n;
  act_[0].assign(Z, Z + std::size_t(n) * std::size_t(in_dim()));
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& L = layers_[l];
    const bool last = l + 1 == layers_.size();
    std::vector<float>& h = last ? y_ : pre_[l];
    h.resize(std::size_t(n) * std::size_t(L.out));
    linear_forward(params_.data() + L.w, params_.data() + L.b, L.in, L.out, n, act_[l].data(), h.data());
    if (!last) {
      std::vector<float>& a = act_[l + 1];
      a = h;
      silu_forward(a.data(), std::int64_t(a.size()));
    } else if (sigmoid_out_) {
      sigmoid_forward(y_.data(), std::int64_t(y_.size()));
    }
  }
  return y_;
}

// dOut [out,n] -> grad: from the last layer down, each layer's dW, db and (but for the first)
// the gradient of its input, taken back through the SiLU that produced it.
void Mlp::backward(const float* dOut, std::vector<float>& grad) {
  const int n = n_;
  grad.resize(params_.size());
  g_.assign(dOut, dOut + std::size_t(n) * std::size_t(out_dim()));  // dL/d(pre-activation of layer l)
  if (sigmoid_out_) sigmoid_backward(y_.data(), g_.data(), g_.data(), std::int64_t(g_.size()));
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const Layer& L = layers_[l];
    float* da = nullptr;
    if (l > 0) {
      ga_.resize(std::size_t(n) * std::size_t(L.in));
      da = ga_.data();
    }
    linear_backward(params_.data() + L.w, L.in, L.out, n, act_[l].data(), g_.data(), grad.data() + L.w,
                    grad.data() + L.b, da);
    if (l == 0) break;
    silu_backward(pre_[l - 1].data(), ga_.data(), ga_.data(), std::int64_t(ga_.size()));
    std::swap(g_, ga_);
  }
}

void Mlp::set_output_affine(float k, float b0, float b1) {
  const Layer& L = layers_.back();
  for (std::size_t i = L.w; i < L.b; ++i) params_[i] *= k;
  params_[L.b] = b0;
  if (L.out > 1) params_[L.b + 1] = b1;
}

}  // namespace drift::core
