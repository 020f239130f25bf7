// The drift field V and the drifting loss (spec: docs/drift-field.md).
// All class groups are one batched computation: B groups of G generated samples, each with
// P positives and U unconditional negatives; D is the flattened sample size.
#pragma once
#include <torch/torch.h>
#include <functional>
#include <vector>

namespace drift::field {

// Per-sample velocity clipping after the per-tau normalisation (docs/drift-field.md, step 9):
// r_i = sqrt(mean_d V_i^2), V_i <- V_i min(1, kappa / r_i). off: V as computed; median: kappa is
// the batch's lower median of r_i; unit: every V_i scaled to r_i = 1 (the kappa -> 0 limit,
// directions only); fixed: kappa = FieldOptions::clip_kappa.
enum class VelocityClip { off, median, unit, fixed };

struct FieldOptions {
  std::vector<double> taus{0.02, 0.05, 0.2};
  // Lower clamp of rowsoftmax*colsoftmax before the square root. The official code uses 1e-6,
  // which makes MNIST collapse to class means (docs/drift-field.md has the measurement).
  double floor = 0.0;
  double self_mask = 100.0;  // added to the normalised self distance d_ii/dbar
  // Distances of data with at most this many dimensions use exact differences instead of the
  // GEMM expansion (accurate for 2D toys; the difference tensor is [B,G,N,D]). Feature keys
  // set 0: thousands of small groups, where that tensor would not fit.
  int64_t exact_max_dim = 16;
  // Lower clamp of dbar (and of s = dbar/sqrt(D)) against all-equal samples. 1e-3 (the
  // official value) presumes data of order 1 such as pixels; feature keys have no natural
  // scale (a random 3-stage encoder's keys sit at dbar ~ 1e-4) and set a tiny value, so their
  // mean distance really becomes sqrt(C). The field is otherwise invariant to the data's scale.
  double min_scale = 1e-3;
  // Several processes, each holding some of the batch's groups (native/train/distributed.h):
  // sums a few partial sums over all processes, in place. When set, the two batch-wide
  // quantities, dbar (so s) and each tau's force RMS, come from the sums over every
  // process's groups, so each process gets the field of its groups within the whole batch.
  // Unset: this call holds the whole batch (the arithmetic is then exactly the 1-process one).
  std::function<void(std::vector<double>&)> sum_over_processes;
  VelocityClip velocity_clip = VelocityClip::off;
  double clip_kappa = 0.0;  // VelocityClip::fixed
  // Several processes with VelocityClip::median: r [n] float64 of this process's samples -> the
  // r of every sample of the batch, in any order (the median needs them all). Unset: this call
  // holds the whole batch.
  std::function<torch::Tensor(const torch::Tensor&)> gather_over_processes;
};

struct FieldInput {
  torch::Tensor x;       // [B,G,D] generated samples (treated as no-grad)
  torch::Tensor pos;     // [B,P,D] real samples of each group's class, P >= 1
  torch::Tensor uncond;  // [B,U,D] extra negatives, or undefined / U == 0
  torch::Tensor w_u;     // [B] weight of each group's uncond columns (ignored when U == 0)
};

struct FieldResult {
  torch::Tensor V;                 // [B,G,D] drift in scaled coordinates (x/s)
  double s = 1.0;                  // coordinate scale s = max(dbar/sqrt(D), 1e-3)
  double mean_dist = 0.0;          // dbar (weighted mean distance)
  std::vector<double> force_rms;   // per tau: raw RMS of F_tau before normalisation
  double clip_kappa = 0.0;         // velocity clipping: the kappa used (unit: 1; off: 0)
  double clipped_frac = 0.0;       // velocity clipping: share of this call's samples with r_i > kappa
};

// Velocity clipping of V [B,G,D] in place, as compute_field applies it (step 9); sets
// clip_kappa and clipped_frac of res. A no-op for VelocityClip::off.
void clip_velocity(torch::Tensor& V, const FieldOptions& opt, FieldResult& res);

// V for all groups at once; runs under NoGradGuard. Throws std::runtime_error on bad shapes.
FieldResult compute_field(const FieldInput& in, const FieldOptions& opt = {});

// loss = mean((x/s - stopgrad(x/s + V))^2); x [B,G,D] carries the generator's graph.
torch::Tensor drift_loss(const torch::Tensor& x, const FieldResult& f);

}  // namespace drift::field
