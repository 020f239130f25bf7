// Drift field: joint [self | uncond | pos] kernel with row x column softmax normalisation.
#include "drift/field/field_torch.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace drift::field {

namespace {
void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error("drift field: " + what);
}
}  // namespace

FieldResult compute_field(const FieldInput& in, const FieldOptions& opt) {
  // x [B,G,D], pos [B,P,D], uncond [B,U,D], w_u [B] -> V [B,G,D]
  torch::NoGradGuard no_grad;
  check(in.x.defined() && in.x.dim() == 3, "x must be [B,G,D]");
  check(in.pos.defined() && in.pos.dim() == 3, "pos must be [B,P,D]");
  const int64_t B = in.x.size(0), G = in.x.size(1), D = in.x.size(2), P = in.pos.size(1);
  check(in.pos.size(0) == B && in.pos.size(2) == D, "pos shape does not match x");
  check(G >= 1 && P >= 1, "need at least one generated sample and one positive per group");
  check(!opt.taus.empty(), "need at least one temperature");
  const bool has_u = in.uncond.defined() && in.uncond.numel() > 0;
  const int64_t U = has_u ? in.uncond.size(1) : 0;
  const auto fopt = in.x.options().dtype(torch::kFloat);
  torch::Tensor x = in.x.detach().to(torch::kFloat);

  // Targets T = [self | uncond | pos] and their column weights w [B,N].
  std::vector<torch::Tensor> tparts{x}, wparts{torch::ones({B, G}, fopt)};
  if (has_u) {
    check(in.uncond.dim() == 3 && in.uncond.size(0) == B && in.uncond.size(2) == D,
          "uncond shape does not match x");
    check(in.w_u.defined() && in.w_u.numel() == B, "w_u must have one weight per group");
    tparts.push_back(in.uncond.to(torch::kFloat));
    wparts.push_back(in.w_u.to(fopt).view({B, 1}).expand({B, U}));
  }
  tparts.push_back(in.pos.to(torch::kFloat));
  wparts.push_back(torch::ones({B, P}, fopt));
  // T stays in its parts (no [B,N,D] copy): the GEMMs below run on each part.
  const torch::Tensor w = torch::cat(wparts, 1);  // [B,N]
  const int64_t N = w.size(1), split = G + U;
  const int64_t nt = int64_t(opt.taus.size());

  // Plain L2 distances, squared clamped at 1e-8 before the root. [B,G,N]
  // Low-dimensional data (2D toys) use exact differences: the GEMM expansion
  // |x|^2 + |T|^2 - 2x.T cancels badly for close neighbours there (1.3e-5 relative error at
  // D=2 against a float64 field), and the [B,G,N,D] difference tensor is small when D is.
  // The expansion is one baddbmm per part onto |x|^2 + |T_j|^2 (norms in one pass each).
  torch::Tensor dist;
  if (D <= opt.exact_max_dim) {
    const torch::Tensor T = torch::cat(tparts, 1);  // [B,N,D], small when D is
    dist = (x.unsqueeze(2) - T.unsqueeze(1)).pow(2).sum(-1);
  } else {
    const torch::Tensor xn = at::linalg_vector_norm(x, 2, {-1}, false, c10::nullopt).square_().unsqueeze(2);
    std::vector<torch::Tensor> dparts;
    for (size_t k = 0; k < tparts.size(); ++k) {
      const torch::Tensor tn = k == 0 ? xn.squeeze(2) : at::linalg_vector_norm(tparts[k], 2, {-1}, false, c10::nullopt).square_();
      dparts.push_back(torch::baddbmm(xn + tn.unsqueeze(1), x, tparts[k].transpose(1, 2), 1.0, -2.0));
    }
    dist = torch::cat(dparts, 2);  // [B,G,N]
  }
  dist.clamp_min_(1e-8).sqrt_();

  // One weighted mean distance over the whole batch (all groups; with several processes,
  // the groups of every process).
  double dbar;
  if (!opt.sum_over_processes) {
    dbar = ((dist * w.unsqueeze(1)).sum() / (w.sum() * G)).item<double>();
  } else {
    std::vector<double> sums{(dist * w.unsqueeze(1)).sum().item<double>(), w.sum().item<double>() * double(G)};
    opt.sum_over_processes(sums);
    dbar = sums[0] / sums[1];
  }
  const double s = std::max(dbar / std::sqrt(double(D)), opt.min_scale);

  // Normalised distances with self pairs pushed away (+self_mask). [B,G,N]
  torch::Tensor dn = dist.div_(std::max(dbar, opt.min_scale));
  dn.narrow(2, 0, G).diagonal(0, 1, 2).add_(opt.self_mask);

  // Coefficients of every temperature, stacked along the sample axis: [B, nt*G, N].
  std::vector<torch::Tensor> coefs;
  coefs.reserve(opt.taus.size());
  const torch::Tensor wrow = w.unsqueeze(1);
  for (double tau : opt.taus) {
    const torch::Tensor logits = dn / (-tau);
    // sqrt(row softmax * column softmax) = exp(L - lse_row/2 - lse_col/2): one exp instead
    // of two softmaxes, a product and a root. floor on the product = sqrt(floor) on A.
    torch::Tensor A = (logits - 0.5 * torch::logsumexp(logits, 2, true) - 0.5 * torch::logsumexp(logits, 1, true)).exp_();
    if (opt.floor > 0) A.clamp_min_(std::sqrt(opt.floor));
    A.mul_(wrow);
    const torch::Tensor a_neg = A.narrow(2, 0, split), a_pos = A.narrow(2, split, P);
    // Negatives are pushed away in proportion to the total positive pull, and vice versa.
    coefs.push_back(torch::cat({-a_neg * a_pos.sum(2, true), a_pos * a_neg.sum(2, true)}, 2));
  }
  // F_tau = sum_j c_ij (T_j - x_i) / s = (c T - rowsum(c) x) / s. One GEMM for all
  // temperatures reads T once; the 1/s is applied to the small [B,G,D] results, not to T.
  const torch::Tensor C = nt == 1 ? coefs.front() : torch::cat(coefs, 1);  // [B,nt*G,N]
  torch::Tensor CT;                                                         // C T: [B,nt*G,D]
  for (size_t k = 0, off = 0; k < tparts.size(); off += tparts[k].size(1), ++k) {
    const torch::Tensor Ck = C.narrow(2, int64_t(off), tparts[k].size(1));
    if (k == 0) CT = torch::bmm(Ck, tparts[k]);
    else CT.baddbmm_(Ck, tparts[k]);
  }
  const torch::Tensor csum = C.sum(2, true);                                // [B,nt*G,1]

  FieldResult res;
  res.s = s;
  res.mean_dist = dbar;
  // s * F_tau per temperature and its squared norm; the RMS of F_tau = rms(s F_tau) / s.
  std::vector<torch::Tensor> sF(static_cast<size_t>(nt));
  std::vector<double> sq(static_cast<size_t>(nt));  // |s F_tau|^2, then the element count
  for (int64_t t = 0; t < nt; ++t) {
    sF[t] = torch::addcmul(CT.narrow(1, t * G, G), csum.narrow(1, t * G, G), x, -1.0);
    const double nrm = at::linalg_vector_norm(sF[t], 2, c10::nullopt, false, c10::nullopt).item<double>();
    sq[t] = nrm * nrm;
  }
  sq.push_back(double(B * G * D));
  if (opt.sum_over_processes) opt.sum_over_processes(sq);  // norms and counts of the whole batch
  const double numel = sq.back();
  torch::Tensor V;
  for (int64_t t = 0; t < nt; ++t) {
    const double rms = sq[t] / numel / (s * s);  // mean F_tau^2
    res.force_rms.push_back(std::sqrt(rms));
    const double k = 1.0 / (s * std::sqrt(std::max(rms, 1e-8)));  // V += F_tau / rms(F_tau)
    if (t == 0) V = sF[t].mul_(k);
    else V.add_(sF[t], k);
  }
  clip_velocity(V, opt, res);
  res.V = V;
  return res;
}

void clip_velocity(torch::Tensor& V, const FieldOptions& opt, FieldResult& res) {
  // V [B,G,D] -> V [B,G,D], each sample's row scaled by min(1, kappa / r_i)
  if (opt.velocity_clip == VelocityClip::off) return;
  torch::NoGradGuard no_grad;
  const torch::Tensor r = V.square().mean(-1).sqrt_();  // [B,G]
  double kappa = 1.0;
  if (opt.velocity_clip == VelocityClip::fixed) {
    check(std::isfinite(opt.clip_kappa) && opt.clip_kappa > 0, "velocity clip kappa must be a positive number");
    kappa = opt.clip_kappa;
  } else if (opt.velocity_clip == VelocityClip::median) {
    torch::Tensor all = r.reshape({-1}).to(torch::kCPU, torch::kDouble);
    if (opt.gather_over_processes) all = opt.gather_over_processes(all);
    kappa = all.median().item<double>();  // the lower of the two middle values for an even count
  }
  // unit: V_i / r_i (a zero row stays zero); otherwise rows above kappa only, so a row with
  // r_i <= kappa is left exactly as it was (no multiplication by a rounded 1).
  const torch::Tensor over = opt.velocity_clip == VelocityClip::unit ? r > 0 : r > kappa;
  const torch::Tensor scale = torch::where(over, kappa / r.clamp_min(1e-30), torch::ones_like(r));
  res.clip_kappa = kappa;
  res.clipped_frac = over.to(torch::kDouble).mean().item<double>();
  V.mul_(scale.unsqueeze(-1));
}

namespace {
// loss = mean((x/s - sg(x/s + V))^2) = mean(V^2), with d loss/dx = -2 V / (s numel): one
// reduction forward and one scaled copy of V backward, instead of autograd through the
// divide, add, subtract, square and mean on [B,G,D].
struct DriftLossFn : public torch::autograd::Function<DriftLossFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& V,
                               double s) {
    ctx->save_for_backward({V});
    ctx->saved_data["k"] = -2.0 / (s * double(V.numel()));
    ctx->saved_data["dtype"] = int64_t(x.scalar_type());
    return V.square().mean();
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const torch::Tensor V = ctx->get_saved_variables()[0];
    const auto dtype = c10::ScalarType(ctx->saved_data["dtype"].toInt());
    return {V.mul(grad[0] * ctx->saved_data["k"].toDouble()).to(dtype), torch::Tensor(), torch::Tensor()};
  }
};
}  // namespace

torch::Tensor drift_loss(const torch::Tensor& x, const FieldResult& f) {
  // x [B,G,D] (with grad) -> scalar
  if (!f.V.defined() || !f.V.sizes().equals(x.sizes())) throw std::runtime_error("drift field: V does not match x");
  return DriftLossFn::apply(x, f.V.detach(), f.s);
}

}  // namespace drift::field
