// The core's JSON reader (drift/manifest_json.h): RFC 8259 values, escapes, UTF-8, and the
// rejections the manifest relies on (duplicates, depth, trailing text, bad numbers).
#include "drift_catch.h"
#include <cmath>

#include "drift/core/manifest_json.h"

using drift::core::JsonValue;
using drift::core::parse_json;

namespace {
JsonValue ok(const std::string& text) {
  JsonValue v;
  std::string err;
  INFO(text << " -> " << err);
  REQUIRE(parse_json(text, &v, &err));
  return v;
}
std::string bad(const std::string& text, int depth = 32) {
  JsonValue v;
  std::string err;
  CHECK(!parse_json(text, &v, &err, depth));
  return err;
}
}  // namespace

TEST_CASE("json reader parses values and keeps spans", "[core][json]") {
  JsonValue v = ok(
      R"( {"a": [1, -2, 3.5, 1e3, true, false, null], "b": {"c": "x\ty"}, "big": 18446744073709551616} )");
  REQUIRE(v.is_object());
  const JsonValue* a = v.find("a");
  REQUIRE(a);
  REQUIRE(a->items.size() == 7);
  CHECK(a->items[0].is_integer());
  CHECK(a->items[0].i == 1);
  CHECK(a->items[1].i == -2);
  CHECK(a->items[2].type == JsonValue::Type::number);
  CHECK(a->items[2].d == 3.5);
  CHECK(!a->items[3].is_integer());  // exponent: a number, not an integer
  CHECK(a->items[3].d == 1000.0);
  CHECK(a->items[4].b);
  CHECK(a->items[6].type == JsonValue::Type::null);
  CHECK(v.find("b")->find("c")->s == "x\ty");
  const JsonValue* big = v.find("big");
  CHECK(!big->is_integer());  // does not fit int64
  CHECK(big->is_number());
  const std::string text = R"({"k": {"x": [1, 2]}})";
  JsonValue w = ok(text);
  const JsonValue* k = w.find("k");
  CHECK(text.substr(k->begin, k->end - k->begin) == R"({"x": [1, 2]})");
  CHECK(ok("-0").i == 0);
  CHECK(ok("9223372036854775807").i == INT64_MAX);
  CHECK(ok("-9223372036854775808").i == INT64_MIN);
  CHECK(!ok("9223372036854775808").is_integer());
  CHECK(!ok("12345678901234567890123").is_integer());
  CHECK(ok("12345678901234567890123").d == Approx(1.2345678901234568e22));
  // numbers as a manifest holds them: exact (fast path)
  CHECK(ok("1e-05").d == 1e-05);
  CHECK(ok("0.2").d == 0.2);
  CHECK(ok("-0.044715").d == -0.044715);
  CHECK(ok("0.001").d == 0.001);
  CHECK(ok("2.5E+2").d == 250.0);
  CHECK(ok("65504").i == 65504);
  CHECK(ok("1e400").d == HUGE_VAL);
  CHECK(ok("1e-400").d == 0.0);
  CHECK(ok("123456789012345678").i == 123456789012345678ll);
}

TEST_CASE("json reader decodes escapes and UTF-8", "[core][json]") {
  CHECK(ok(R"("\"\\\/\b\f\n\r\t")").s == "\"\\/\b\f\n\r\t");
  CHECK(ok(R"("\u00e9\u20ac")").s == "\xc3\xa9\xe2\x82\xac");
  CHECK(ok(R"("\ud83d\ude00")").s == "\xf0\x9f\x98\x80");
  CHECK(ok("\"\xc3\xa9\"").s == "\xc3\xa9");
  CHECK(bad(R"("\ud83d")").find("unpaired surrogate") == 0);
  CHECK(bad("\"\xc3\"").find("invalid UTF-8") == 0);
  CHECK(bad("\"\xed\xa0\x80\"").find("invalid UTF-8") == 0);  // encoded surrogate
  CHECK(bad("\"\xc0\xaf\"").find("invalid UTF-8") == 0);      // overlong
  CHECK(bad("\"a\nb\"").find("control character") == 0);
  CHECK(bad(R"("\x")").find("bad escape") == 0);
}

TEST_CASE("json reader rejects malformed input with a byte offset", "[core][json]") {
  CHECK(bad("") == "unexpected end of JSON at byte 0");
  CHECK(bad("{\"a\":1,}") == "expected a key at byte 7");
  CHECK(bad("[1,]") == "invalid JSON at byte 3");
  CHECK(bad("{\"a\":1,\"a\":2}") == "duplicate key at byte 10");
  CHECK(bad("[1] x") == "trailing characters after JSON at byte 4");
  CHECK(bad("01") == "trailing characters after JSON at byte 1");
  CHECK(bad("1.") == "invalid number at byte 2");
  CHECK(bad("-") == "invalid number at byte 1");
  CHECK(bad("tru") == "invalid JSON at byte 0");
  CHECK(bad("[[[1]]]", 2) == "JSON nested too deeply at byte 2");
  CHECK(bad("{\"a\" 1}") == "expected ':' at byte 5");
  CHECK(bad("[1 2]") == "expected ',' or a closing bracket at byte 3");
  CHECK(bad("\"abc") == "unterminated string at byte 4");
  CHECK(bad("// c\n1") == "invalid JSON at byte 0");
}
