// The digit pack reader (digit_pack.h, docs/digit-pack.md).
#include "drift/core/digit_pack.h"

#include <cstring>
#include <stdexcept>

#if !defined(__EMSCRIPTEN__)
#include "drift/core/atomic_file.h"
#include "drift/core/idx.h"
#endif

namespace drift::core {
namespace {
std::uint32_t le32(const std::uint8_t* p) {
  return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}
std::uint32_t le16(const std::uint8_t* p) { return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8; }
std::string pack_error(const std::string& name, const std::string& what) { return name + ": " + what; }
}  // namespace

std::uint32_t fnv1a32(const std::uint8_t* data, std::size_t size) {
  std::uint32_t h = 2166136261u;
  for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
  return h;
}

DigitSet parse_digit_pack(const std::uint8_t* data, std::size_t size, const std::string& name) {
  DigitSet d;
  std::string error;
  if (!parse_digit_pack(data, size, name, &d, &error)) throw std::runtime_error(error);
  return d;
}

bool parse_digit_pack(const std::uint8_t* data, std::size_t size, const std::string& name, DigitSet* out,
                      std::string* error) {
  const auto fail = [&](const std::string& what) {
    if (error) *error = pack_error(name, what);
    return false;
  };
  if (!data) return fail("no data");
  if (size < kDigitPackHeader)
    return fail("truncated digit pack: " + std::to_string(size) + " bytes, the header alone is " +
                               std::to_string(kDigitPackHeader));
  if (std::memcmp(data, kDigitPackMagic, sizeof kDigitPackMagic) != 0)
    return fail("not a digit pack (the file does not start with DRDIGITS)");
  const std::uint32_t version = le32(data + 8);
  if (version != kDigitPackVersion)
    return fail("digit pack version " + std::to_string(version) + " is not supported (this reader reads 1)");
  const std::uint32_t count = le32(data + 12), rows = le16(data + 16), cols = le16(data + 18),
                      classes = le16(data + 20), reserved = le16(data + 22), sum = le32(data + 24);
  if (count < 1 || count > 1000000) return fail("digit count " + std::to_string(count) + " is not in [1, 1000000]");
  if (rows < 1 || rows > 256 || cols < 1 || cols > 256)
    return fail("image size " + std::to_string(rows) + "x" + std::to_string(cols) + " is not within 256x256");
  if (classes < 1 || classes > 256) return fail("class count " + std::to_string(classes) + " is not in [1, 256]");
  if (reserved != 0) return fail("reserved header bytes are not zero");
  const std::uint64_t want = kDigitPackHeader + std::uint64_t(count) * (1 + std::uint64_t(rows) * cols);
  if (size < want)
    return fail("truncated digit pack: " + std::to_string(size) + " bytes, the header says " + std::to_string(want));
  if (size > want)
    return fail("digit pack has " + std::to_string(size - want) + " bytes after its last image");
  const std::uint32_t got = fnv1a32(data + kDigitPackHeader, size - kDigitPackHeader);
  if (got != sum) return fail("corrupt digit pack: checksum mismatch");
  DigitSet& d = *out;
  d.count = int(count), d.rows = int(rows), d.cols = int(cols), d.classes = int(classes);
  const std::uint8_t* labels = data + kDigitPackHeader;
  for (std::uint32_t i = 0; i < count; ++i)
    if (labels[i] >= classes)
      return fail("label " + std::to_string(labels[i]) + " of digit " + std::to_string(i) + " is not in [0, " +
                                 std::to_string(classes) + ")");
  d.labels.assign(labels, labels + count);
  d.pixels.assign(labels + count, data + size);
  return true;
}

#if !defined(__EMSCRIPTEN__)
DigitSet read_digit_pack(const std::string& path) {
  const std::string bytes = read_file(path);
  if (bytes.size() >= 2 && std::uint8_t(bytes[0]) == 0x1f && std::uint8_t(bytes[1]) == 0x8b) {
    const std::vector<std::uint8_t> raw = gunzip(bytes, path);
    return parse_digit_pack(raw.data(), raw.size(), path);
  }
  return parse_digit_pack(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), path);
}
#endif

}  // namespace drift::core
