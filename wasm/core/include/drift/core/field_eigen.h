// The drift field V of one class group, or of a batch of groups (drift_field_groups), as in
// docs/drift-field.md (the authors' drift_loss.py).
// Eigen, no gradient: the trainer treats V as a constant target.
#pragma once
#include <Eigen/Core>
#include <cstdint>
#include <algorithm>
#include <cstring>
#include <vector>

namespace drift::core {

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap = Eigen::Map<const RowMatrixXf>;

struct FieldParams {
  std::vector<float> taus{0.02f, 0.05f, 0.2f};
  // Floor on the row x column softmax product before the sqrt. The authors' code uses 1e-6;
  // 0 (off) is the default because the floor makes MNIST collapse to class means
  // (measured: docs/drift-field.md, "The affinity floor").
  float affinity_floor = 0.0f;
  // Distance scale d̄. <= 0: computed from the call's groups (Σ d_ij w_j / Σ w_j over all of
  // them, the spec's batch scalar); > 0: this value.
  float dbar = 0.0f;
  // true: the official 2D notebook's variant, s = 1 and distances not divided by d̄.
  bool raw_coordinates = false;
  // Divide each F_τ by its RMS over all samples and coordinates before summing.
  bool rms_normalize = true;
};

struct FieldStats {
  float dbar = 0.0f;              // mean weighted distance (data units)
  float s = 1.0f;                 // coordinate scale: V is in units of s
  std::vector<float> force_rms;   // per τ, RMS of F_τ before normalisation
};

// x [G,D] generated (also the self negatives), pos [P,D] positives, uncond [U,D] extra
// negatives of column weight w_u (U may be 0). Returns V [G,D] in scaled units: the
// drift target is x/s + V, i.e. x moves by s*V in data units.
// Throws std::runtime_error("drift field: ...") on mismatched shapes or G == 0 / P == 0.
RowMatrixXf drift_field(const Eigen::Ref<const RowMatrixXf>& x,
                        const Eigen::Ref<const RowMatrixXf>& pos,
                        const Eigen::Ref<const RowMatrixXf>& uncond, float w_u,
                        const FieldParams& params = {}, FieldStats* stats = nullptr);

// The pointer version is the implementation (plain loops + drift/gemm.h, so the wasm module
// carries no Eigen product kernels of its own); the Eigen overload copies and calls it.
// Same, on raw row-major pointers (uncond may be null when U == 0); out: [G,D].
void drift_field(const float* x, int G, const float* pos, int P, const float* uncond, int U,
                 int D, float w_u, const FieldParams& params, float* out,
                 FieldStats* stats = nullptr);

// One class group of a batch: x [G,D] generated (also the self negatives), pos [P,D]
// positives, uncond [U,D] extra negatives of column weight w_u (null when U == 0); the
// field is written to out [G,D].
struct FieldGroup {
  const float* x;
  int G;
  const float* pos;
  int P;
  const float* uncond;
  int U;
  float w_u;
  float* out;
};

// Every group of one step with the batch semantics of docs/drift-field.md, as the LibTorch
// field computes them: d̄ (and so s) is one weighted mean over all groups' distances, and
// each τ's RMS is taken over all groups' forces; kernels never mix groups. Groups may differ
// in G, P and U. drift_field above is this with one group. stats: the batch's d̄, s, RMS.
void drift_field_groups(const FieldGroup* groups, int B, int D, const FieldParams& params,
                        FieldStats* stats = nullptr);

// exp(x) for float, Cephes-style (range reduction to [-ln2/2, ln2/2], degree-5 polynomial,
// 2^k by exponent bits): ~1 ulp on [-87.3, 88.3], clamped outside (so exp(-1000) gives
// 1.2e-38, not 0: negligible next to any term that matters). Branch-free so that loops of
// it autovectorise (wasm SIMD and SSE2 have no exp). Used by the field and the toy trainer.
inline float fast_exp(float x) {
  const float xc = std::min(std::max(x, -87.3f), 88.3f);
  // round to nearest by the 1.5*2^23 trick: plain adds, so it vectorises even on SSE2
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = xc - k * 0.693359375f + k * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(k) + 127) << 23;
  return y * __builtin_bit_cast(float, bits);
}

}  // namespace drift::core
