// The digit pack (docs/digit-pack.md): labelled 8-bit images in one small file, the browser
// digit trainer's training data. scripts/pack-digits.mjs writes it; this is the one reader.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace drift::core {

inline constexpr char kDigitPackMagic[8] = {'D', 'R', 'D', 'I', 'G', 'I', 'T', 'S'};
inline constexpr std::uint32_t kDigitPackVersion = 1;
inline constexpr std::size_t kDigitPackHeader = 28;

struct DigitSet {
  int count = 0, rows = 0, cols = 0, classes = 0;
  std::vector<std::uint8_t> labels;  // [count], each < classes
  std::vector<std::uint8_t> pixels;  // [count, rows*cols], 0 = background, IDX order
};

// FNV-1a (32 bit) of bytes: the pack's checksum.
std::uint32_t fnv1a32(const std::uint8_t* data, std::size_t size);

// Parses a pack's bytes. Throws std::runtime_error("NAME: problem"), one line, for anything
// that is not exactly a valid pack: bad magic or version, sizes out of range, a length that
// does not match the header (truncated or trailing bytes), a checksum mismatch, a label out
// of range.
DigitSet parse_digit_pack(const std::uint8_t* data, std::size_t size, const std::string& name);
// The same without exceptions (the wasm modules have none): false with *error set.
bool parse_digit_pack(const std::uint8_t* data, std::size_t size, const std::string& name, DigitSet* out,
                      std::string* error);

#if !defined(__EMSCRIPTEN__)
// Natively: reads PATH (a .gz file is decompressed first) and parses it; errors name PATH.
DigitSet read_digit_pack(const std::string& path);
#endif

}  // namespace drift::core
