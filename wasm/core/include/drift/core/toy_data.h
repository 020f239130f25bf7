// 2D toy distributions and generator inits, shared by drift-train (native) and the page (wasm).
// Torch-free. Every sampler is deterministic given its seed (ToyRng below), on every platform.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace drift::core {

// ToyRng: SplitMix64 (Steele, Lea, Flood 2014). State is one u64; each next_u64() adds
// 0x9E3779B97F4A7C15 and mixes. uniform() takes the top 24 bits -> float in [0,1).
// normal() is Box-Muller over two uniforms (no cached second value, so the stream only
// depends on the number of calls). Chosen because it is tiny, portable and identical in
// wasm and native builds.
class ToyRng {
 public:
  explicit ToyRng(uint64_t seed) : state_(seed) {}
  uint64_t next_u64();
  float uniform();                 // [0, 1)
  float normal();                  // N(0, 1)
  int below(int n);                // integer in [0, n)
 private:
  uint64_t state_;
};

// Names of the target sets: checkerboard, swissroll, 8gaussians, moons, bimodal. This is the
// one list in C++: help texts and messages name the sets through it.
const std::vector<std::string>& toy_names();
std::string toy_names_joined(const std::string& sep);  // e.g. "checkerboard | swissroll | ..."
bool is_toy_name(const std::string& name);

// n points of toy set `name`, [n,2] row-major. All sets lie roughly in [-3,3]^2 with
// spread ~1, so one field scale fits all. Unknown name -> runtime_error
// "toy data: unknown set 'NAME' (known: ...)".
std::vector<float> sample_toy(const std::string& name, int n, uint64_t seed);
void sample_toy(const std::string& name, int n, ToyRng& rng, float* out);

// Generator inits: where the untrained generator's output starts.
//   middle    small noise at the origin (inside every target)
//   far       a tight cluster at (4,4), outside every target
//   collapsed all points nearly one point, at (1,-1), spread 1e-3 (mode-collapse start)
// A generator applies one through its last linear layer, out = W h + b, with
// toy_init_affine below.
struct ToyInit {
  float cx, cy, spread;
};
const std::vector<std::string>& toy_init_names();
ToyInit toy_init(const std::string& name);   // unknown -> runtime_error "toy init: unknown ..."

// The one rule that applies an init (drift-train's toy generators and the toy trainer both
// call it). Run the untrained generator on a probe batch of noise and pass the spread sd of
// its output and the mean (mean_wh_x, mean_wh_y) of its W h part (output minus the current
// bias). Scaling W by `scale` and setting b to `bias` then gives an output of spread
// `spread` centred at (cx, cy):
//   scale = spread / max(sd, 1e-8)                   (double)
//   bias  = (cx, cy) - float(scale) * mean_wh         (float arithmetic, like float tensors)
struct ToyInitAffine {
  double scale;
  float bias[2];
};
ToyInitAffine toy_init_affine(const std::string& init, double sd, float mean_wh_x, float mean_wh_y);
std::vector<float> sample_init(const std::string& name, int n, uint64_t seed);

}  // namespace drift::core
