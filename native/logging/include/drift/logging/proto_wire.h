// Minimal protobuf wire format: enough to write TensorBoard Event protos by hand (and to
// read them back in tests) without depending on libprotobuf. Torch-free.
//
// Wire types used: 0 varint, 1 fixed64 (double), 2 length-delimited, 5 fixed32 (float).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace drift::logging::proto {

// Appends one field to a message under construction.
class Writer {
 public:
  void varint(int field, uint64_t v);        // int32/int64/enum (negatives as 10-byte varints)
  void fixed64_double(int field, double v);  // double
  void fixed32_float(int field, float v);    // float
  void bytes(int field, std::string_view b); // string, bytes, embedded message
  const std::string& str() const { return buf_; }
 private:
  void raw_varint(uint64_t v);
  void key(int field, int wire_type) { raw_varint((uint64_t(field) << 3) | uint64_t(wire_type)); }
  std::string buf_;
};

// One decoded field. For wire type 2 `bytes` views into the parsed buffer.
struct Field {
  int number = 0;
  int wire_type = 0;
  uint64_t u = 0;          // varint value, or the raw bits of fixed64/fixed32
  std::string_view bytes;  // wire type 2
  double as_double() const;
  float as_float() const;
};

// Splits a message into its top-level fields. Throws std::runtime_error on malformed input.
std::vector<Field> parse(std::string_view msg);

}  // namespace drift::logging::proto
