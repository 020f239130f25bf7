#include "drift/rng.h"

#include <cmath>

namespace drift::core {

std::uint64_t splitmix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// State words: low then high half of two successive splitmix64 outputs. splitmix64 never
// yields four zero words from one seed in practice; the all-zero state is still guarded.
Xoshiro128Plus::Xoshiro128Plus(std::uint64_t seed) {
  std::uint64_t sm = seed;
  std::uint64_t a = splitmix64(&sm), b = splitmix64(&sm);
  s_[0] = std::uint32_t(a);
  s_[1] = std::uint32_t(a >> 32);
  s_[2] = std::uint32_t(b);
  s_[3] = std::uint32_t(b >> 32);
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;
}

std::uint32_t Xoshiro128Plus::next() {
  const std::uint32_t result = s_[0] + s_[3];
  const std::uint32_t t = s_[1] << 9;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = (s_[3] << 11) | (s_[3] >> 21);
  return result;
}

double Xoshiro128Plus::uniform() { return double(next() >> 8) * (1.0 / 16777216.0); }

// count normals: each pair takes u1, u2; z0 = r cos(2 pi u2), z1 = r sin(2 pi u2) with
// r = sqrt(-2 ln(1 - u1)) (1 - u1 is in (0, 1], so the log is finite).
void fill_normal(std::uint64_t seed, float* out, std::size_t count) {
  Xoshiro128Plus rng(seed);
  const double two_pi = 6.283185307179586476925286766559;
  for (std::size_t i = 0; i < count; i += 2) {
    double u1 = rng.uniform(), u2 = rng.uniform();
    double r = std::sqrt(-2.0 * std::log(1.0 - u1));
    out[i] = float(r * std::cos(two_pi * u2));
    if (i + 1 < count) out[i + 1] = float(r * std::sin(two_pi * u2));
  }
}

}  // namespace drift::core
