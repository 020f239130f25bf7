#include "drift/core/rng.h"

#include <cmath>
#include <cstring>

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

// The Box–Muller transcendentals, implemented here rather than taken from libm: the same
// code then runs in every build (native glibc and Emscripten's musl differ in the last ulp),
// and the wasm module does without musl's 4 KB log table and its large-argument sin/cos
// reduction. These are the classic fdlibm algorithms (as in musl's log_small.c, __sin.c,
// __cos.c and __rem_pio2.c), specialised to the arguments Box–Muller passes: log on
// (0, 1] and sin/cos on [0, 2pi). tests/unit/test_core_rng.cpp checks them against libm.
namespace {
double bits_to_double(std::uint64_t u) {
  double d;
  std::memcpy(&d, &u, sizeof d);
  return d;
}
std::uint64_t double_bits(double d) {
  std::uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

}  // namespace

// x must be positive and normal (Box–Muller passes 1 - u1 in [2^-24, 1]).
double rng_log(double x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01,
               Lg3 = 2.857142874366239149e-01, Lg4 = 2.222219843214978396e-01,
               Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
               Lg7 = 1.479819860511658591e-01;
  std::uint64_t u = double_bits(x);
  std::uint32_t hx = std::uint32_t(u >> 32);
  if (hx == 0x3ff00000u && std::uint32_t(u) == 0) return 0.0;
  // reduce x into [sqrt(2)/2, sqrt(2)]: x = 2^k (1 + f)
  hx += 0x3ff00000u - 0x3fe6a09eu;
  const int k = int(hx >> 20) - 0x3ff;
  hx = (hx & 0x000fffffu) + 0x3fe6a09eu;
  x = bits_to_double(std::uint64_t(hx) << 32 | (u & 0xffffffffull));
  const double f = x - 1.0, hfsq = 0.5 * f * f, s = f / (2.0 + f), z = s * s, w = z * z;
  const double t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const double t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const double dk = k;
  return s * (hfsq + (t2 + t1)) + dk * ln2_lo - hfsq + f + dk * ln2_hi;
}

// sin and cos of x in [0, 2pi) (any |x| < 2^20 pi/2 works): Cody–Waite reduction by pi/2 in up
// to three rounds, then the fdlibm kernels on [-pi/4, pi/4].
void rng_sincos(double x, double* sin_out, double* cos_out) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
               S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
               S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
               C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
               C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const double invpio2 = 6.36619772367581382433e-01, pio2_1 = 1.57079632673412561417e+00,
               pio2_1t = 6.07710050650619224932e-11, pio2_2 = 6.07710050630396597660e-11,
               pio2_2t = 2.02226624879595063154e-21, pio2_3 = 2.02226624871116645580e-21,
               pio2_3t = 8.47842766036889956997e-32;
  double y0 = x, y1 = 0.0;
  int n = 0;
  const std::uint32_t ix = std::uint32_t(double_bits(x) >> 32) & 0x7fffffffu;
  if (ix > 0x3fe921fbu) {  // |x| > ~pi/4
    const double toint = 1.5 / 2.220446049250313080847e-16;
    const double fn = x * invpio2 + toint - toint;
    n = int(fn);
    double r = x - fn * pio2_1, w = fn * pio2_1t;  // good to 85 bits
    y0 = r - w;
    const int ex = int(ix >> 20);
    if (ex - int(double_bits(y0) >> 52 & 0x7ff) > 16) {  // 2nd round, 118 bits
      double t = r;
      w = fn * pio2_2;
      r = t - w;
      w = fn * pio2_2t - ((t - r) - w);
      y0 = r - w;
      if (ex - int(double_bits(y0) >> 52 & 0x7ff) > 49) {  // 3rd round, 151 bits
        t = r;
        w = fn * pio2_3;
        r = t - w;
        w = fn * pio2_3t - ((t - r) - w);
        y0 = r - w;
      }
    }
    y1 = (r - y0) - w;
  }
  const double z = y0 * y0, zz = z * z;
  // fdlibm __sin(y0, y1, 1) and __cos(y0, y1)
  const double rs = S2 + z * (S3 + z * S4) + z * zz * (S5 + z * S6), v = z * y0;
  const double s = y0 - ((z * (0.5 * y1 - v * rs) - y1) - v * S1);
  const double rc = z * (C1 + z * (C2 + z * C3)) + zz * zz * (C4 + z * (C5 + z * C6));
  const double hz = 0.5 * z, wc = 1.0 - hz;
  const double c = wc + (((1.0 - wc) - hz) + (z * rc - y0 * y1));
  switch (n & 3) {
    case 0: *sin_out = s; *cos_out = c; break;
    case 1: *sin_out = c; *cos_out = -s; break;
    case 2: *sin_out = -s; *cos_out = -c; break;
    default: *sin_out = -c; *cos_out = s; break;
  }
}

// count normals: each pair takes u1, u2; z0 = r cos(2 pi u2), z1 = r sin(2 pi u2) with
// r = sqrt(-2 ln(1 - u1)) (1 - u1 is in (0, 1], so the log is finite).
void fill_normal(std::uint64_t seed, float* out, std::size_t count) {
  Xoshiro128Plus rng(seed);
  const double two_pi = 6.283185307179586476925286766559;
  for (std::size_t i = 0; i < count; i += 2) {
    double u1 = rng.uniform(), u2 = rng.uniform();
    double r = std::sqrt(-2.0 * rng_log(1.0 - u1)), sn, cs;
    rng_sincos(two_pi * u2, &sn, &cs);
    out[i] = float(r * cs);
    if (i + 1 < count) out[i + 1] = float(r * sn);
  }
}

}  // namespace drift::core
