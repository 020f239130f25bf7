// Protobuf wire encoding (little-endian base-128 varints, little-endian fixed widths).
#include "drift/logging/proto_wire.h"

#include <cstring>
#include <stdexcept>

namespace drift::logging::proto {

void Writer::raw_varint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(char((v & 0x7F) | 0x80));
    v >>= 7;
  }
  buf_.push_back(char(v));
}

void Writer::varint(int field, uint64_t v) {
  key(field, 0);
  raw_varint(v);
}

void Writer::fixed64_double(int field, double v) {
  key(field, 1);
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) buf_.push_back(char((bits >> (8 * i)) & 0xFF));
}

void Writer::fixed32_float(int field, float v) {
  key(field, 5);
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  for (int i = 0; i < 4; ++i) buf_.push_back(char((bits >> (8 * i)) & 0xFF));
}

void Writer::bytes(int field, std::string_view b) {
  key(field, 2);
  raw_varint(b.size());
  buf_.append(b.data(), b.size());
}

double Field::as_double() const {
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

float Field::as_float() const {
  uint32_t bits = uint32_t(u);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

namespace {

uint64_t read_varint(std::string_view s, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= s.size()) throw std::runtime_error("protobuf: truncated varint");
    uint8_t b = uint8_t(s[pos++]);
    v |= uint64_t(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
  }
  throw std::runtime_error("protobuf: varint longer than 10 bytes");
}

uint64_t read_fixed(std::string_view s, size_t& pos, int n) {
  if (pos + size_t(n) > s.size()) throw std::runtime_error("protobuf: truncated fixed field");
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= uint64_t(uint8_t(s[pos + i])) << (8 * i);
  pos += size_t(n);
  return v;
}

}  // namespace

std::vector<Field> parse(std::string_view msg) {
  std::vector<Field> out;
  size_t pos = 0;
  while (pos < msg.size()) {
    uint64_t k = read_varint(msg, pos);
    Field f;
    f.number = int(k >> 3);
    f.wire_type = int(k & 7);
    if (f.number == 0) throw std::runtime_error("protobuf: field number 0");
    switch (f.wire_type) {
      case 0: f.u = read_varint(msg, pos); break;
      case 1: f.u = read_fixed(msg, pos, 8); break;
      case 5: f.u = read_fixed(msg, pos, 4); break;
      case 2: {
        uint64_t len = read_varint(msg, pos);
        if (len > msg.size() - pos) throw std::runtime_error("protobuf: truncated bytes field");
        f.bytes = msg.substr(pos, size_t(len));
        pos += size_t(len);
        break;
      }
      default: throw std::runtime_error("protobuf: unsupported wire type " + std::to_string(f.wire_type));
    }
    out.push_back(f);
  }
  return out;
}

}  // namespace drift::logging::proto
