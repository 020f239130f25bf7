// IEEE 754 binary16 <-> binary32. f16_to_f32 is exact for every input (subnormals, inf,
// NaN); f32_to_f16 rounds to nearest even, overflowing to inf like a hardware convert.
#pragma once
#include <cstdint>
#include <cstring>

namespace drift::core {

inline float f16_to_f32(std::uint16_t h) {
  std::uint32_t sign = std::uint32_t(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1f;
  std::uint32_t man = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);          // inf / NaN
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (man << 13);  // normal: rebias 15 -> 127
  } else if (man == 0) {
    bits = sign;                                      // signed zero
  } else {                                            // subnormal: normalise
    int e = -1;
    do { ++e; man <<= 1; } while ((man & 0x400u) == 0);
    bits = sign | (std::uint32_t(112 - e) << 23) | ((man & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline std::uint16_t f32_to_f16(float f) {
  std::uint32_t x;
  std::memcpy(&x, &f, 4);
  const std::uint16_t sign = std::uint16_t((x >> 16) & 0x8000u);
  const std::uint32_t a = x & 0x7fffffffu;
  if (a >= 0x7f800000u) return std::uint16_t(sign | 0x7c00u | (a > 0x7f800000u ? 0x200u : 0u));
  if (a >= 0x477ff000u) return std::uint16_t(sign | 0x7c00u);  // >= 65520 rounds to inf
  if (a < 0x38800000u) {                                       // below 2^-14: subnormal
    if (a < 0x33000000u) return sign;                          // below 2^-25: zero
    const std::uint32_t e = a >> 23, m = (a & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - e, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    std::uint32_t h = m >> shift;
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return std::uint16_t(sign | h);
  }
  std::uint32_t h = (a >> 13) - (112u << 10);  // rebias 127 -> 15; carries round up cleanly
  const std::uint32_t rem = a & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;
  return std::uint16_t(sign | h);
}

}  // namespace drift::core
