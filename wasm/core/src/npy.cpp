#include "drift/core/npy.h"

#include <cstring>
#include <stdexcept>

#include "drift/core/atomic_file.h"

namespace drift::core {
namespace {

constexpr int64_t kMaxNpyElements = int64_t(1) << 31;

std::runtime_error npy_error(const std::string& name, const std::string& what) {
  return std::runtime_error(name + ": " + what);
}

// Header text quoted in an error message: at most 40 characters, control bytes as '?', so
// the message stays one line whatever the file holds (found by tests/fuzz/fuzz_npy).
std::string shown(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 40)) out += c < 0x20 || c == 0x7f ? '?' : char(c);
  return s.size() > 40 ? out + "..." : out;
}

// Value of key in the header dict, e.g. "'descr': '<f4'," → "'<f4'". Good enough for the
// headers NumPy writes: a flat dict of a string, a bool and a tuple.
std::string dict_value(const std::string& header, const std::string& key, const std::string& name) {
  const std::string quoted = "'" + key + "'";
  size_t at = header.find(quoted);
  if (at == std::string::npos) throw npy_error(name, "npy header has no '" + key + "' entry");
  at = header.find(':', at + quoted.size());
  if (at == std::string::npos) throw npy_error(name, "malformed npy header");
  ++at;
  while (at < header.size() && header[at] == ' ') ++at;
  size_t end = at;
  if (at < header.size() && header[at] == '(') {
    end = header.find(')', at);
    if (end == std::string::npos) throw npy_error(name, "malformed shape in npy header");
    return header.substr(at, end - at + 1);
  }
  while (end < header.size() && header[end] != ',' && header[end] != '}') ++end;
  std::string v = header.substr(at, end - at);
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

std::vector<int64_t> parse_shape(const std::string& tuple, const std::string& name) {
  std::vector<int64_t> shape;
  // "'shape': ," is no tuple (substr would throw std::out_of_range: found by fuzz_npy)
  if (tuple.size() < 2 || tuple.front() != '(' || tuple.back() != ')')
    throw npy_error(name, "malformed shape " + shown(tuple) + " in npy header");
  std::string inner = tuple.substr(1, tuple.size() - 2);
  size_t i = 0;
  while (i < inner.size()) {
    while (i < inner.size() && (inner[i] == ' ' || inner[i] == ',')) ++i;
    if (i >= inner.size()) break;
    size_t j = i;
    while (j < inner.size() && inner[j] >= '0' && inner[j] <= '9') ++j;
    if (j == i) throw npy_error(name, "malformed shape " + shown(tuple) + " in npy header");
    if (j - i > 12) throw npy_error(name, "absurd shape " + shown(tuple) + " in npy header");
    shape.push_back(std::stoll(inner.substr(i, j - i)));
    i = j;
  }
  return shape;
}

}  // namespace

int64_t NpyArray::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

NpyArray parse_npy(const std::string& bytes, const std::string& name) {
  static const char kMagic[] = "\x93NUMPY";
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 6) != 0)
    throw npy_error(name, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw npy_error(name, "truncated npy header");
    header_len = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8) | (size_t(uint8_t(bytes[10])) << 16) |
                 (size_t(uint8_t(bytes[11])) << 24);
    offset = 12;
  } else {
    throw npy_error(name, "unsupported npy version " + std::to_string(major));
  }
  if (offset + header_len > bytes.size()) throw npy_error(name, "truncated npy header");
  const std::string header = bytes.substr(offset, header_len);

  const std::string descr = dict_value(header, "descr", name);
  if (descr != "'<f4'" && descr != "'=f4'")
    throw npy_error(name, "dtype " + shown(descr) + " is not supported; need float32 ('<f4')");
  if (dict_value(header, "fortran_order", name) != "False")
    throw npy_error(name, "Fortran-order arrays are not supported; save with C order");
  NpyArray out;
  out.shape = parse_shape(dict_value(header, "shape", name), name);
  int64_t n = 1;
  for (int64_t d : out.shape) {
    // checked before multiplying: 12-digit dimensions would overflow int64 (fuzz_npy)
    if (d < 0 || (d > 0 && n > kMaxNpyElements / d)) throw npy_error(name, "absurd array size in npy header");
    n *= d;
  }
  const size_t data_bytes = size_t(n) * 4;
  const size_t have = bytes.size() - offset - header_len;
  if (have != data_bytes)
    throw npy_error(name, "data holds " + std::to_string(have) + " bytes, shape needs " + std::to_string(data_bytes));
  out.data.resize(size_t(n));
  if (n) std::memcpy(out.data.data(), bytes.data() + offset + header_len, data_bytes);  // host is little-endian
  return out;
}

NpyArray read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

NpyArray read_npy_2d(const std::string& path, int64_t want_cols) {
  NpyArray a = read_npy(path);
  if (a.shape.size() != 2) throw npy_error(path, "expected a 2-D array [N, D]");
  if (want_cols >= 0 && a.shape[1] != want_cols)
    throw npy_error(path, "has " + std::to_string(a.shape[1]) + " columns, --x has " + std::to_string(want_cols));
  if (a.shape[0] < 1) throw npy_error(path, "no rows");
  return a;
}

std::string encode_npy(const std::vector<int64_t>& shape, const float* data) {
  std::string dims;
  int64_t n = 1;
  for (int64_t d : shape) {
    dims += std::to_string(d) + ", ";
    n *= d;
  }
  if (shape.size() > 1) dims.erase(dims.size() - 1);  // "(3, 4)" but "(3,)"
  else if (shape.size() == 1) dims.pop_back();
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so the data starts on a 64-byte boundary, newline-terminated.
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(char(1));
  out.push_back(char(0));
  out.push_back(char(header.size() & 0xff));
  out.push_back(char(header.size() >> 8));
  out += header;
  out.append(reinterpret_cast<const char*>(data), size_t(n) * 4);
  return out;
}

void write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
  write_file_atomic(path, encode_npy(shape, data));
}

}  // namespace drift::core
