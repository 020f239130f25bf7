// The seeded noise stream of docs/weights-format.md ("Noise"), identical in native and
// wasm builds: splitmix64(seed) -> xoshiro128+ -> 24-bit uniforms -> Box–Muller (double).
#pragma once
#include <cstddef>
#include <cstdint>

namespace drift::core {

std::uint64_t splitmix64(std::uint64_t* state);

class Xoshiro128Plus {
 public:
  explicit Xoshiro128Plus(std::uint64_t seed);
  std::uint32_t next();
  double uniform();  // (next() >> 8) * 2^-24, in [0, 1)
 private:
  std::uint32_t s_[4];
};

// The transcendentals fill_normal uses (fdlibm algorithms, so every build gives the same
// bits): rng_log for x in (0, 1] (any positive normal x), rng_sincos for x in [0, 2pi).
double rng_log(double x);
void rng_sincos(double x, double* sin_out, double* cos_out);

// Fills out[0..count) with standard normals from seed: pairs (z0, z1) in order.
void fill_normal(std::uint64_t seed, float* out, std::size_t count);

}  // namespace drift::core
