#include "drift/core/generator.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "drift/core/gemm.h"
#include "drift/core/layers.h"
#include "drift/core/manifest_json.h"
#include "drift/core/rng.h"

namespace drift::core {
namespace {
// Activation buffers hold at most this many floats each; bigger batches run in chunks,
// which bounds memory (wasm heap) without changing results.
constexpr std::int64_t kBufferFloats = 4 << 20;

template <class T>
void ensure(std::vector<T>& v, std::int64_t n) {
  if (std::int64_t(v.size()) < n) v.resize(std::size_t(n));
}
}  // namespace

Generator::Generator(const Model& model) : model_(model) {}

// x: [input_dim, n] -> result in x or y (returned via swapping so the caller reads a_)
void Generator::forward(const float* weights, int n, float* x, float* y) {
  float* cur = x;
  float* nxt = y;
  const std::vector<LayerPlan>& L = model_.layers();
  const std::size_t count = L.size();
  const auto type_at = [&](std::size_t i) {
    return i < count ? L[i].spec.type : LayerType::linear;
  };
  for (std::size_t i = 0; i < count; ++i) {
    const LayerPlan& p = L[i];
    const float* W = p.weight >= 0 ? weights + p.weight : nullptr;
    const float* b = p.bias >= 0 ? weights + p.bias : nullptr;
    switch (p.spec.type) {
      case LayerType::linear:
        // wasm builds pack every linear layer at load (model.cpp): only the packed path is
        // linked into the inference module there.
        if constexpr (kPackLinearWeights)
          linear_forward_packed(W, b, p.spec.in, p.spec.out, n, cur, nxt);
        else
          linear_forward(W, b, p.spec.in, p.spec.out, n, cur, nxt, p.packed);
        std::swap(cur, nxt);
        break;
      case LayerType::conv2d: {
        // a following SiLU/sigmoid runs inside the conv, per sample while in cache
        const LayerType act = type_at(i + 1);
        const bool fuse = act == LayerType::silu || act == LayerType::sigmoid;
        conv2d_forward(p, W, b, n, cur, nxt, col_.data(), 1, fuse ? act : LayerType::linear);
        std::swap(cur, nxt);
        i += fuse;
        break;
      }
      case LayerType::upsample_nearest:
        if (type_at(i + 1) == LayerType::conv2d) {
          // upsample + conv [+ act]: the conv upsamples while it copies into its padded scratch
          const LayerPlan& q = L[i + 1];
          const LayerType act = type_at(i + 2);
          const bool fuse = act == LayerType::silu || act == LayerType::sigmoid;
          conv2d_forward(q, q.weight >= 0 ? weights + q.weight : nullptr,
                         q.bias >= 0 ? weights + q.bias : nullptr, n, cur, nxt, col_.data(),
                         p.spec.scale, fuse ? act : LayerType::linear);
          i += 1 + fuse;
        } else {
          upsample_nearest_forward(p, n, cur, nxt);
        }
        std::swap(cur, nxt);
        break;
      case LayerType::reshape:
      case LayerType::flatten:
        break;  // same memory, C order either way
      default:
        activation_forward(p.spec.type, p.spec.slope, cur, p.in.size() * n);
        break;
    }
  }
  if (cur != x) std::memcpy(x, cur, sizeof(float) * std::size_t(model_.output_size() * n));
}

bool Generator::generate(const GenerateRequest& req, float* out, std::string* error) {
  const int L = model_.latent_dim(), K = model_.num_classes(), D = model_.input_dim();
  const auto fail = [error](const std::string& why) {
    if (error) *error = "generate: " + why;
    return false;
  };
  if (req.n < 1 || req.n > (1 << 20)) return fail("n must be in [1, 1048576]");
  if (!out) return fail("no output buffer");
  if (!std::isfinite(req.alpha)) return fail("alpha must be finite");
  if (req.weight_set < 0 || req.weight_set >= model_.weight_set_count())
    return fail(strformat("weight set %lld does not exist", (long long)req.weight_set));
  if (!model_.weight_set_ready(req.weight_set)) {
    const auto& snap = model_.manifest().snapshots[std::size_t(req.weight_set) - 1];
    return fail(strformat("snapshot \"%s\" is not loaded yet (its file %s)", snap.name.c_str(),
                          snap.bin.file.c_str()));
  }
  if (K > 0 && !req.labels)
    return fail(strformat("labels are required (num_classes = %lld)", (long long)K));
  for (int i = 0; K > 0 && i < req.n; ++i)
    if (req.labels[i] < 0 || req.labels[i] >= K)
      return fail(strformat("label %lld at index %lld is outside [0, %lld)",
                            (long long)req.labels[i], (long long)i, (long long)K));
  const float* noise = req.noise;
  if (!noise) {
    ensure(noise_, std::int64_t(req.n) * L);
    fill_normal(req.seed, noise_.data(), std::size_t(req.n) * std::size_t(L));
    noise = noise_.data();
  }
  const std::int64_t act = model_.max_activation();
  const int chunk =
      int(std::max<std::int64_t>(1, std::min<std::int64_t>(req.n, kBufferFloats / act)));
  ensure(a_, act * chunk);
  ensure(b_, act * chunk);
  std::int64_t scratch = 0;
  for (const LayerPlan& p : model_.layers()) scratch = std::max(scratch, conv_scratch(p));
  ensure(col_, scratch);
  const float* weights = model_.weights(req.weight_set);
  const std::int64_t osize = model_.output_size();
  for (int start = 0; start < req.n; start += chunk) {
    const int m = std::min(chunk, req.n - start);
    // input columns: [noise (L) | one_hot(label) (K) | alpha - 1]
    for (int i = 0; i < m; ++i) {
      float* col = a_.data() + std::int64_t(i) * D;
      std::memcpy(col, noise + std::int64_t(start + i) * L, sizeof(float) * std::size_t(L));
      std::fill(col + L, col + L + K, 0.0f);
      if (K > 0) col[L + req.labels[start + i]] = 1.0f;
      col[L + K] = req.alpha - 1.0f;
    }
    forward(weights, m, a_.data(), b_.data());
    std::memcpy(out + std::int64_t(start) * osize, a_.data(),
                sizeof(float) * std::size_t(osize * m));
  }
  return true;
}

}  // namespace drift::core
