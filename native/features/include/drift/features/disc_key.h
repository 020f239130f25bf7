// A small discriminative key learned online (issue 26, lever 3; docs/training.md, "Coverage
// levers"): a linear map z = W x (D -> k, k = --disc-key-dim), initialised from the PCA of the
// training data, that the generator drifts in as an extra key beside the pixels, and that takes
// one AdamW step per training step on a KDE-ratio classifier of real vs generated samples.
//
// The classifier (after "Learning Discriminative Geometry for Drifting", shrunk): per class
// group, the logit of a sample is log p_real(z) - log p_gen(z), both leave-one-out Laplace KDEs
// exp(-d / T) over the group's positives and (detached) generated samples; a sample's own kernel
// term is left out of the density of its own set. Distances are divided by the group's mean
// pairwise distance (with its gradient), so T is relative to the group's spread and the loss
// does not change with W's scale (AdamW cannot lower it by inflating W). Reals are labelled 1,
// generated 0; the loss is the mean logistic loss of each set, averaged, then over the groups.
#pragma once
#include <torch/torch.h>

#include <memory>

namespace drift::features {

// The top-k principal directions of x [n,D] as the rows of a float32 [k,D] (k <= D), in order
// of variance, computed in float64 from the covariance; each row's sign is fixed so that its
// largest-magnitude entry is positive (eigensolvers may return either sign).
torch::Tensor pca_directions(const torch::Tensor& x, int64_t k);

struct KdeRatio {
  torch::Tensor loss;        // scalar, carries the keys' graph
  torch::Tensor logit_real;  // [B,Nr] log p_real - log p_gen at each real sample
  torch::Tensor logit_gen;   // [B,Ng] the same at each generated sample
};

// zr [B,Nr,k] reals' keys, zg [B,Ng,k] generated keys, group b holding one class; Nr, Ng >= 2
// (leave-one-out needs a second sample). Throws std::invalid_argument on bad shapes.
KdeRatio kde_ratio(const torch::Tensor& zr, const torch::Tensor& zg, double temp);

struct DiscStep {
  double loss = 0;      // the classifier's loss before its step
  double accuracy = 0;  // (share of reals with logit > 0 + share of generated with logit < 0) / 2
};

class DiscKey {
 public:
  // w [k,D] (the PCA directions); W trains with torch's AdamW at lr (betas 0.9/0.999, weight
  // decay 0.01: the loss is scale-free, so the decay only keeps W's norm from drifting).
  DiscKey(torch::Tensor w, double temp, double lr);
  const torch::Tensor& weight() const { return w_; }
  int64_t dim() const { return w_.size(0); }
  // x [..., D] -> [..., k] with W as a constant: the generator's gradient flows through the key,
  // never into W.
  torch::Tensor keys(const torch::Tensor& x) const { return torch::matmul(x, w_.detach().t()); }
  // The classifier's loss on pos [B,P,D] and gen [B,G,D] (no graph needed), backward with the
  // loss times scale (a process's share of the groups) into W's gradient. No step yet: with
  // several processes the gradients are summed first.
  DiscStep backward(const torch::Tensor& pos, const torch::Tensor& gen, double scale);
  void step();  // one AdamW step on W's gradient, which is then cleared
  // W and its AdamW moments; load() throws std::runtime_error on a missing or misshapen W.
  void save(torch::serialize::OutputArchive& ar) const;
  void load(torch::serialize::InputArchive& ar);

 private:
  torch::Tensor w_;
  double temp_;
  std::unique_ptr<torch::optim::AdamW> optim_;
};

}  // namespace drift::features
