// The trainable MLP of the core's trainers (the 2D toy and the digit trainer): linear layers
// with SiLU between them and an optional sigmoid output, forward and backward through the
// layer kernels of layers.h (linear_backward, silu_backward, sigmoid_backward). Activations
// are column-major [features, n] (one sample per column: the same memory as row-major
// [n, features]). Parameters live in one flat vector, per layer W [out,in] row-major
// (PyTorch's layout) then b [out], so the optimizer and the tests see one array.
#pragma once
#include <cstddef>
#include <vector>

#include "drift/core/toy_data.h"  // ToyRng

namespace drift::core {

class Mlp {
 public:
  // sizes: in, hidden..., out (at least two entries); every width in [1, 4096].
  Mlp(std::vector<int> sizes, bool sigmoid_out);
  // The toy trainer's shape: in -> hidden (depth times, SiLU) -> out, no output activation.
  Mlp(int in, int hidden, int depth, int out);

  void init(ToyRng& rng);  // W, b ~ U(-1/sqrt(in), 1/sqrt(in)) like torch.nn.Linear
  int in_dim() const { return sizes_.front(); }
  int out_dim() const { return sizes_.back(); }
  int num_layers() const { return int(layers_.size()); }
  bool sigmoid_out() const { return sigmoid_out_; }
  const std::vector<int>& sizes() const { return sizes_; }
  std::vector<float>& params() { return params_; }
  const std::vector<float>& params() const { return params_; }
  // offsets into params() of layer l's W [out,in] and b [out]
  std::size_t weight_offset(int l) const { return layers_[std::size_t(l)].w; }
  std::size_t bias_offset(int l) const { return layers_[std::size_t(l)].b; }

  // Z [in, n] -> [out, n]; keeps what backward() needs.
  const std::vector<float>& forward(const float* Z, int n);
  // dOut [out, n] = dL/d(output of the last forward) -> grad (params' layout, overwritten).
  void backward(const float* dOut, std::vector<float>& grad);

  // Last layer: scale W by k and set b (used by the toy inits); its current bias b[o].
  void set_output_affine(float k, float b0, float b1);
  float output_bias(int o) const { return params_[layers_.back().b + std::size_t(o)]; }

 private:
  struct Layer {
    int in, out;
    std::size_t w, b;
  };
  std::vector<int> sizes_;
  bool sigmoid_out_;
  std::vector<Layer> layers_;
  std::vector<float> params_;
  // per layer l: pre_[l] its pre-activation [out,n] (hidden layers), act_[l] its input [in,n]
  std::vector<std::vector<float>> pre_, act_;
  std::vector<float> y_, g_, ga_;  // output; backward scratch
  int n_ = 0;
};

}  // namespace drift::core
