// A small JSON reader for model.json: the wasm module must stay small (nlohmann/json's parser
// is ~40% of it) and must not throw. Strict RFC 8259 (no comments, no trailing commas,
// duplicate keys rejected), nesting capped, every failure a message with a byte offset.
#pragma once
#include <cstdarg>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace drift::core {

class JsonValue {
 public:
  enum class Type { null, boolean, integer, number, string, array, object };
  Type type = Type::null;
  bool b = false;
  std::int64_t i = 0;    // integer: a number written without fraction/exponent that fits
  double d = 0.0;        // integer and number
  std::string s;         // string
  std::vector<JsonValue> items;                           // array
  std::vector<std::pair<std::string, JsonValue>> members;  // object, in file order
  std::size_t begin = 0, end = 0;  // byte span of this value in the source text

  bool is_object() const { return type == Type::object; }
  bool is_array() const { return type == Type::array; }
  bool is_string() const { return type == Type::string; }
  bool is_integer() const { return type == Type::integer; }
  bool is_number() const { return type == Type::integer || type == Type::number; }
  // Member lookup (null if absent or not an object).
  const JsonValue* find(std::string_view key) const;
};

// Parses text; on failure returns false and sets *error (e.g. "invalid JSON at byte 17").
bool parse_json(std::string_view text, JsonValue* out, std::string* error, int max_depth = 32);

// printf-style message formatting for the reader's one-line errors (one out-of-line
// function instead of string concatenations inlined at every call site).
std::string vformat(const char* fmt, va_list ap);
__attribute__((format(printf, 1, 2))) std::string strformat(const char* fmt, ...);

}  // namespace drift::core
