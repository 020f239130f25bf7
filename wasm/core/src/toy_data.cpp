// Toy 2D samplers. Shapes follow the usual flow-matching toys (FFJORD's checkerboard,
// swiss roll, 8 gaussians; sklearn's moons) rescaled to a common ~[-3,3]^2 box.
#include "drift/core/toy_data.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace drift::core {

namespace {
constexpr float kPi = 3.14159265358979323846f;

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}
}  // namespace

uint64_t ToyRng::next_u64() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

float ToyRng::uniform() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }

float ToyRng::normal() {
  float u1 = 1.0f - uniform();  // (0,1]: log is finite
  float u2 = uniform();
  return std::sqrt(-2.0f * std::log(u1)) * std::cos(2.0f * kPi * u2);
}

int ToyRng::below(int n) { return static_cast<int>((next_u64() >> 33) % static_cast<uint64_t>(n)); }

const std::vector<std::string>& toy_names() {
  static const std::vector<std::string> names = {"checkerboard", "swissroll", "8gaussians", "moons",
                                                 "bimodal"};
  return names;
}

std::string toy_names_joined(const std::string& sep) {
  std::string s;
  for (const auto& n : toy_names()) s += (s.empty() ? "" : sep) + n;
  return s;
}

bool is_toy_name(const std::string& name) {
  for (const auto& n : toy_names())
    if (n == name) return true;
  return false;
}

namespace {
enum class Toy { checkerboard, swissroll, gaussians8, moons, bimodal };

Toy toy_of(const std::string& name) {
  const auto& names = toy_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Toy>(i);
  throw std::runtime_error("toy data: unknown set '" + name + "' (known: " + join(toy_names()) + ")");
}
}  // namespace

// out: [n,2]
void sample_toy(const std::string& name, int n, ToyRng& rng, float* out) {
  if (n < 0) throw std::runtime_error("toy data: negative sample count");
  const Toy toy = toy_of(name);
  for (int i = 0; i < n; ++i) {
    float x, y;
    switch (toy) {
      case Toy::checkerboard: {
        // 4x4 board on [-2,2]^2; points uniform over the 8 cells with even floor(x)+floor(y).
        int cell = rng.below(8);
        int row = cell / 2;                    // 0..3
        int col = 2 * (cell % 2) + (row % 2);  // 0..3, parity matches row
        x = -2.0f + col + rng.uniform();
        y = -2.0f + row + rng.uniform();
        break;
      }
      case Toy::swissroll: {
        // Spiral t*(cos t, sin t), t in [1.5pi, 4.5pi], scaled into ~[-2,2]^2.
        float t = 1.5f * kPi * (1.0f + 2.0f * rng.uniform());
        x = t * std::cos(t) / 7.0f + 0.05f * rng.normal();
        y = t * std::sin(t) / 7.0f + 0.05f * rng.normal();
        break;
      }
      case Toy::gaussians8: {
        // Eight modes on the circle of radius 2, std 0.1.
        float a = rng.below(8) * (kPi / 4.0f);
        x = 2.0f * std::cos(a) + 0.1f * rng.normal();
        y = 2.0f * std::sin(a) + 0.1f * rng.normal();
        break;
      }
      case Toy::moons: {
        // Two interleaved half circles (sklearn make_moons, noise 0.05), centred, x1.5.
        float t = kPi * rng.uniform();
        if (rng.below(2) == 0) {
          x = std::cos(t);
          y = std::sin(t);
        } else {
          x = 1.0f - std::cos(t);
          y = 0.5f - std::sin(t);
        }
        x = 1.5f * (x - 0.5f) + 0.075f * rng.normal();
        y = 1.5f * (y - 0.25f) + 0.075f * rng.normal();
        break;
      }
      case Toy::bimodal:
      default: {
        // The paper's toy figure: two Gaussian modes of unequal weight (0.7 / 0.3), std 0.3.
        bool major = rng.uniform() < 0.7f;
        x = (major ? -1.5f : 1.5f) + 0.3f * rng.normal();
        y = (major ? -0.5f : 1.0f) + 0.3f * rng.normal();
        break;
      }
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
}

std::vector<float> sample_toy(const std::string& name, int n, uint64_t seed) {
  if (!is_toy_name(name))
    throw std::runtime_error("toy data: unknown set '" + name + "' (known: " + join(toy_names()) + ")");
  if (n < 0) throw std::runtime_error("toy data: negative sample count");
  std::vector<float> out(2 * static_cast<size_t>(n));
  ToyRng rng(seed);
  sample_toy(name, n, rng, out.data());
  return out;
}

const std::vector<std::string>& toy_init_names() {
  static const std::vector<std::string> names = {"middle", "far", "collapsed"};
  return names;
}

ToyInit toy_init(const std::string& name) {
  if (name == "middle") return {0.0f, 0.0f, 0.05f};
  if (name == "far") return {4.0f, 4.0f, 0.1f};
  if (name == "collapsed") return {1.0f, -1.0f, 1e-3f};
  throw std::runtime_error("toy init: unknown init '" + name + "' (known: " + join(toy_init_names()) +
                           ")");
}

ToyInitAffine toy_init_affine(const std::string& init, double sd, float mean_wh_x, float mean_wh_y) {
  const ToyInit s = toy_init(init);
  ToyInitAffine a;
  a.scale = s.spread / std::max(sd, 1e-8);
  const float k = static_cast<float>(a.scale);
  const float shift_x = k * mean_wh_x, shift_y = k * mean_wh_y;  // rounded to float, then
  a.bias[0] = s.cx - shift_x;                                     // subtracted (one rounding
  a.bias[1] = s.cy - shift_y;                                     // each, as in LibTorch)
  return a;
}

// out: [n,2] around the init centre with the init spread.
std::vector<float> sample_init(const std::string& name, int n, uint64_t seed) {
  ToyInit s = toy_init(name);
  if (n < 0) throw std::runtime_error("toy init: negative sample count");
  std::vector<float> out(2 * static_cast<size_t>(n));
  ToyRng rng(seed);
  for (int i = 0; i < n; ++i) {
    out[2 * i] = s.cx + s.spread * rng.normal();
    out[2 * i + 1] = s.cy + s.spread * rng.normal();
  }
  return out;
}

}  // namespace drift::core
