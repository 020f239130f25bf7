// The online discriminative key: PCA start, the leave-one-out KDE-ratio classifier, W's AdamW.
#include "drift/features/disc_key.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace drift::features {

torch::Tensor pca_directions(const torch::Tensor& x, int64_t k) {
  const int64_t n = x.size(0);
  const auto xd = x.detach().to(torch::kCPU, torch::kDouble).reshape({n, -1});
  const int64_t D = xd.size(1);
  if (k < 1 || k > D) throw std::invalid_argument("pca_directions: k = " + std::to_string(k) + " not in [1, " + std::to_string(D) + "]");
  const auto xc = xd - xd.mean(0, true);
  const auto cov = xc.t().mm(xc) / double(std::max<int64_t>(n - 1, 1));
  const auto evecs = std::get<1>(torch::linalg_eigh(cov, "L"));  // columns, ascending eigenvalues
  auto top = evecs.narrow(1, D - k, k).flip({1}).t().contiguous();  // [k,D], largest variance first
  auto sign = top.gather(1, top.abs().argmax(1, true)).sign();
  sign.masked_fill_(sign == 0, 1);
  return (top * sign).to(torch::kFloat);
}

KdeRatio kde_ratio(const torch::Tensor& zr, const torch::Tensor& zg, double temp) {
  if (zr.dim() != 3 || zg.dim() != 3 || zr.size(0) != zg.size(0) || zr.size(2) != zg.size(2))
    throw std::invalid_argument("kde_ratio: keys must be [B,Nr,k] and [B,Ng,k] with the same B and k");
  const int64_t B = zr.size(0), Nr = zr.size(1), Ng = zg.size(1), N = Nr + Ng;
  if (Nr < 2 || Ng < 2)
    throw std::invalid_argument("kde_ratio: leave-one-out needs at least 2 real and 2 generated samples per group");
  auto z = torch::cat({zr, zg}, 1);
  z = z - z.mean(1, true).detach();  // a common shift: same distances, less cancellation below
  const auto n2 = z.square().sum(-1);  // [B,N]
  // Pairwise distances [B,N,N] by the GEMM form (the difference tensor would be [B,N,N,k]); the
  // clamp keeps sqrt's gradient finite on the diagonal and on duplicate samples.
  const auto d = (n2.unsqueeze(2) + n2.unsqueeze(1) - 2 * torch::bmm(z, z.transpose(1, 2))).clamp_min(1e-12).sqrt();
  const auto self = torch::eye(N, torch::TensorOptions().dtype(torch::kBool).device(z.device()));
  const auto dbar = d.masked_fill(self, 0).sum({1, 2}) / double(N * (N - 1));  // [B], with its gradient
  const auto a = (-d / (dbar.view({B, 1, 1}) * temp)).masked_fill(self, -std::numeric_limits<double>::infinity());
  // Row i's log density of each set: its kernels over the set's members but itself, divided by
  // their count (the Laplace kernel's normaliser is common to both and cancels in the ratio).
  const auto is_real = (torch::arange(N, torch::TensorOptions().device(z.device())) < Nr).unsqueeze(0);  // [1,N]
  auto log_of = [&](int64_t n) { return torch::scalar_tensor(std::log(double(n)), z.options()); };
  const auto log_nr = torch::where(is_real, log_of(Nr - 1), log_of(Nr));
  const auto log_ng = torch::where(is_real, log_of(Ng), log_of(Ng - 1));
  const auto logit = (torch::logsumexp(a.narrow(2, 0, Nr), -1) - log_nr) - (torch::logsumexp(a.narrow(2, Nr, Ng), -1) - log_ng);
  KdeRatio out;
  out.logit_real = logit.narrow(1, 0, Nr);
  out.logit_gen = logit.narrow(1, Nr, Ng);
  // Each set weighs half whatever its size (P reals against G generated per group).
  out.loss = 0.5 * (torch::softplus(-out.logit_real).mean(1) + torch::softplus(out.logit_gen).mean(1)).mean();
  return out;
}

DiscKey::DiscKey(torch::Tensor w, double temp, double lr) : w_(w.detach().clone().set_requires_grad(true)), temp_(temp) {
  optim_ = std::make_unique<torch::optim::AdamW>(std::vector<torch::Tensor>{w_}, torch::optim::AdamWOptions(lr));
}

DiscStep DiscKey::backward(const torch::Tensor& pos, const torch::Tensor& gen, double scale) {
  const auto r = kde_ratio(torch::matmul(pos.detach(), w_.t()), torch::matmul(gen.detach(), w_.t()), temp_);
  (r.loss * scale).backward();
  DiscStep s;
  s.loss = r.loss.item<double>();
  s.accuracy = 0.5 * ((r.logit_real > 0).to(torch::kDouble).mean() + (r.logit_gen < 0).to(torch::kDouble).mean()).item<double>();
  return s;
}

void DiscKey::step() {
  optim_->step();
  // Dropped, not zeroed: with several processes the gradient is a view of the all-reduce
  // buffer (distributed.h), which zero_grad's in-place detach refuses.
  w_.mutable_grad() = torch::Tensor();
}

void DiscKey::save(torch::serialize::OutputArchive& ar) const {
  ar.write("w", w_.detach());
  torch::serialize::OutputArchive o;
  optim_->save(o);
  ar.write("adamw", o);
}

void DiscKey::load(torch::serialize::InputArchive& ar) {
  torch::Tensor w;
  torch::serialize::InputArchive o;
  if (!ar.try_read("w", w) || !ar.try_read("adamw", o)) throw std::runtime_error("incomplete discriminative key state");
  if (w.sizes() != w_.sizes())
    throw std::runtime_error("discriminative key of shape " + std::to_string(w.size(0)) + "x" + std::to_string(w.size(1)) +
                             ", the run's is " + std::to_string(w_.size(0)) + "x" + std::to_string(w_.size(1)));
  {
    torch::NoGradGuard ng;
    w_.copy_(w);
  }
  optim_->load(o);
  // The archive loads on the CPU: the moments go where W lives.
  for (auto& kv : optim_->state()) {
    auto& st = static_cast<torch::optim::AdamWParamState&>(*kv.second);
    st.exp_avg(st.exp_avg().to(w_.device()));
    st.exp_avg_sq(st.exp_avg_sq().to(w_.device()));
  }
}

}  // namespace drift::features
