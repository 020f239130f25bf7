// Feature keys of the frozen encoder and their summed drift losses.
#include "drift/features/feature_drift.h"

#include <algorithm>
#include <stdexcept>

namespace drift::features {

namespace {
// [B*n,C,h,w] -> [B*h*w, n, C]: each location its own group, class-group major.
torch::Tensor per_location(const torch::Tensor& f, int64_t B) {
  const int64_t n = f.size(0) / B, C = f.size(1), L = f.size(2) * f.size(3);
  return f.reshape({B, n, C, L}).permute({0, 3, 1, 2}).reshape({B * L, n, C});
}

// sqrt of a variance, kept off 0 so its gradient stays finite for flat regions (background).
torch::Tensor safe_std(const torch::Tensor& var) { return (var.clamp_min(0) + 1e-6).sqrt(); }
}  // namespace

std::vector<FeatureKey> feature_keys(const std::vector<torch::Tensor>& stages, int64_t B, const FeatureOptions& opt) {
  // stages {[B*n,C,h,w]} -> keys {[B*L, n, C]}
  std::vector<FeatureKey> keys;
  for (size_t k = 0; k < stages.size(); ++k) {
    const auto& f = stages[k];
    const std::string st = "s" + std::to_string(k) + "/";
    const int64_t h = f.size(2), w = f.size(3), n = f.size(0) / B;
    if (h * w <= opt.max_locations) keys.push_back({st + "loc", per_location(f, B)});
    const auto flat = f.flatten(2);                                   // [B*n,C,hw]
    const auto mean = flat.mean(2), sq = flat.square().mean(2);       // [B*n,C]
    keys.push_back({st + "mean", mean.view({B, n, -1})});
    keys.push_back({st + "std", safe_std(sq - mean.square()).view({B, n, -1})});
    for (int64_t p : {2, 4}) {
      if (h < p || w < p) continue;
      // Non-overlapping p x p patches (a 7² map has 3² patches of 2 and one of 4, edges dropped).
      if ((h / p) * (w / p) > opt.max_locations) continue;  // as many kernels as loc: same rule
      const auto m = torch::avg_pool2d(f, p), m2 = torch::avg_pool2d(f.square(), p);
      const std::string ps = st + "p" + std::to_string(p);
      keys.push_back({ps + "mean", per_location(m, B)});
      keys.push_back({ps + "std", per_location(safe_std(m2 - m.square()), B)});
    }
  }
  return keys;
}

KeyLoss key_drift_loss(const torch::Tensor& gen, const torch::Tensor& pos, const torch::Tensor& uncond,
                       const torch::Tensor& w_u, int64_t B, const field::FieldOptions& fopt) {
  field::FieldOptions ko = fopt;
  ko.exact_max_dim = 0;  // many groups of low dimension: the GEMM form (exact would be [B*L,G,N,C])
  ko.min_scale = 1e-12;  // keys have no natural scale (field_torch.h)
  const int64_t L = gen.size(0) / B;
  // A key's values can sit far from the origin next to their spread (1e-4 apart on values
  // near 1 for a fresh encoder), where the field's GEMM form of the distances cancels in
  // float32. Distances, forces and the loss are unchanged by a common shift, so each row
  // (group x location) is centred on its positives' mean first.
  const auto centre = pos.mean(1, true).detach();  // [B*L,1,C]
  field::FieldInput fi;
  fi.x = gen - centre;
  fi.pos = pos - centre;
  if (uncond.defined() && uncond.size(1) > 0) {
    fi.uncond = uncond - centre;
    fi.w_u = w_u.repeat_interleave(L);  // [B*L]: group b's weight for each of its rows
  }
  const auto f = field::compute_field(fi, ko);
  KeyLoss out;
  out.loss = field::drift_loss(fi.x, f);
  out.scale = f.s;
  out.force_rms = f.force_rms[f.force_rms.size() / 2];
  return out;
}

FeatureDrift::FeatureDrift(const std::string& encoder_path, torch::Device dev, FeatureOptions opt)
    : enc_(load_encoder(encoder_path)), sha256_(file_sha256(encoder_path)), opt_(opt) {
  enc_->to(dev);
  enc_->eval();
  for (auto& p : enc_->parameters()) p.set_requires_grad(false);
}

FeatureLoss FeatureDrift::loss(const field::FieldInput& in, const field::FieldOptions& fopt, int64_t G_f, int64_t P_f,
                               int64_t U_f) {
  // in.x [B,G,D], in.pos [B,P,D], in.uncond [B,U,D] -> scalar loss
  const auto& c = enc_->config();
  const int64_t B = in.x.size(0), G = in.x.size(1), D = in.x.size(2);
  if (D != c.in_channels * c.height * c.width)
    throw std::runtime_error("features: the encoder takes " + std::to_string(c.in_channels) + "x" +
                             std::to_string(c.height) + "x" + std::to_string(c.width) + " images, the data has " +
                             std::to_string(D) + " values per sample");
  G_f = std::min(G_f, G);
  P_f = std::min(P_f, in.pos.size(1));
  const bool has_u = in.uncond.defined() && in.uncond.numel() > 0;
  U_f = has_u ? std::min(U_f, in.uncond.size(1)) : 0;
  auto img = [&](const torch::Tensor& t) { return t.reshape({-1, c.in_channels, c.height, c.width}); };

  // The reals' keys need no graph; the generated ones keep x's (the encoder has no grad).
  std::vector<FeatureKey> kpos, kun;
  {
    torch::NoGradGuard ng;
    kpos = feature_keys(enc_->encode(img(in.pos.narrow(1, 0, P_f))), B, opt_);
    if (U_f > 0) kun = feature_keys(enc_->encode(img(in.uncond.narrow(1, 0, U_f))), B, opt_);
  }
  const auto kgen = feature_keys(enc_->encode(img(in.x.narrow(1, 0, G_f))), B, opt_);

  FeatureLoss out;
  for (size_t k = 0; k < kgen.size(); ++k) {
    const auto kl = key_drift_loss(kgen[k].t, kpos[k].t, U_f > 0 ? kun[k].t : torch::Tensor(), in.w_u, B, fopt);
    out.loss = out.loss.defined() ? out.loss + kl.loss : kl.loss;
    out.names.push_back(kgen[k].name);
    out.scale.push_back(kl.scale);
    out.force_rms.push_back(kl.force_rms);
  }
  return out;
}

}  // namespace drift::features
