#include "drift/core/manifest_json.h"

#include <cstdlib>
#include <cstring>

namespace drift::core {
namespace {

struct Parser {
  std::string_view t;
  std::size_t p = 0;
  int max_depth;
  std::string why;

  bool fail(const char* what) {
    if (why.empty()) why = strformat("%s at byte %zu", what, p);
    return false;
  }
  void ws() {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r')) ++p;
  }
  bool lit(const char* word) {
    const std::size_t n = std::strlen(word);
    if (t.substr(p, n) != word) return fail("invalid JSON");
    p += n;
    return true;
  }

  static void put_utf8(std::string& s, std::uint32_t c) {
    if (c < 0x80) {
      s += char(c);
    } else if (c < 0x800) {
      s += char(0xc0 | (c >> 6));
      s += char(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      s += char(0xe0 | (c >> 12));
      s += char(0x80 | ((c >> 6) & 0x3f));
      s += char(0x80 | (c & 0x3f));
    } else {
      s += char(0xf0 | (c >> 18));
      s += char(0x80 | ((c >> 12) & 0x3f));
      s += char(0x80 | ((c >> 6) & 0x3f));
      s += char(0x80 | (c & 0x3f));
    }
  }
  bool hex4(std::uint32_t* v) {
    if (p + 4 > t.size()) return fail("truncated \\u escape");
    *v = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = t[p++];
      *v <<= 4;
      if (c >= '0' && c <= '9')
        *v |= std::uint32_t(c - '0');
      else if (c >= 'a' && c <= 'f')
        *v |= std::uint32_t(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        *v |= std::uint32_t(c - 'A' + 10);
      else
        return fail("bad \\u escape");
    }
    return true;
  }
  // Length of the valid UTF-8 sequence starting at p (0 if invalid).
  std::size_t utf8_len() const {
    const auto u = [&](std::size_t k) { return std::uint8_t(t[p + k]); };
    const std::uint8_t c = u(0);
    std::size_t n = c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    if (!n || p + n > t.size()) return 0;
    for (std::size_t k = 1; k < n; ++k)
      if ((u(k) & 0xc0) != 0x80) return 0;
    if (n == 3 && ((c == 0xe0 && u(1) < 0xa0) || (c == 0xed && u(1) > 0x9f))) return 0;
    if (n == 4 && ((c == 0xf0 && u(1) < 0x90) || (c == 0xf4 && u(1) > 0x8f))) return 0;
    return n;
  }
  bool string(std::string* s) {
    ++p;  // opening quote
    while (true) {
      if (p >= t.size()) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(t[p]);
      if (c == '"') {
        ++p;
        return true;
      }
      if (c < 0x20) return fail("control character in string");
      if (c == '\\') {
        if (++p >= t.size()) return fail("unterminated string");
        const char e = t[p++];
        switch (e) {
          case '"':
            *s += '"';
            break;
          case '\\':
            *s += '\\';
            break;
          case '/':
            *s += '/';
            break;
          case 'b':
            *s += '\b';
            break;
          case 'f':
            *s += '\f';
            break;
          case 'n':
            *s += '\n';
            break;
          case 'r':
            *s += '\r';
            break;
          case 't':
            *s += '\t';
            break;
          case 'u': {
            std::uint32_t v;
            if (!hex4(&v)) return false;
            if (v >= 0xd800 && v < 0xdc00) {  // high surrogate: a low one must follow
              std::uint32_t lo;
              if (t.substr(p, 2) != "\\u") return fail("unpaired surrogate");
              p += 2;
              if (!hex4(&lo)) return false;
              if (lo < 0xdc00 || lo > 0xdfff) return fail("unpaired surrogate");
              v = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
            } else if (v >= 0xdc00 && v < 0xe000) {
              return fail("unpaired surrogate");
            }
            put_utf8(*s, v);
            break;
          }
          default:
            return fail("bad escape");
        }
      } else if (c < 0x80) {
        *s += char(c);
        ++p;
      } else {
        const std::size_t n = utf8_len();
        if (!n) return fail("invalid UTF-8");
        s->append(t.data() + p, n);
        p += n;
      }
    }
  }
  bool number(JsonValue* v) {
    const std::size_t b = p;
    bool integral = true;
    if (t[p] == '-') ++p;
    const auto digits = [&] {
      const std::size_t s = p;
      while (p < t.size() && t[p] >= '0' && t[p] <= '9') ++p;
      return p - s;
    };
    if (p < t.size() && t[p] == '0')
      ++p;
    else if (!digits())
      return fail("invalid number");
    if (p < t.size() && t[p] == '.') {
      ++p;
      integral = false;
      if (!digits()) return fail("invalid number");
    }
    if (p < t.size() && (t[p] == 'e' || t[p] == 'E')) {
      ++p;
      integral = false;
      if (p < t.size() && (t[p] == '+' || t[p] == '-')) ++p;
      if (!digits()) return fail("invalid number");
    }
    // Decimal -> double without strtod (whose long-double code is large in wasm): up to 19
    // significant digits in a uint64, then one scaling by a power of ten. Exact when the
    // digits fit in 2^53 and |exponent| <= 22 (every value a manifest holds in practice),
    // otherwise within a few ulps. Integers without fraction/exponent are exact as int64.
    std::uint64_t mant = 0;
    int sig = 0, exp10 = 0;
    bool neg = false;
    std::size_t q = b;
    if (t[q] == '-') neg = true, ++q;
    for (; q < p && t[q] != 'e' && t[q] != 'E'; ++q) {
      if (t[q] == '.') {
        for (++q; q < p && t[q] >= '0' && t[q] <= '9'; ++q) {
          if (mant == 0 && t[q] == '0') --exp10;  // leading zeros only scale
          else if (sig < 19) mant = mant * 10 + std::uint64_t(t[q] - '0'), ++sig, --exp10;
        }
        break;
      }
      if (sig < 19) {
        if (mant || t[q] != '0') mant = mant * 10 + std::uint64_t(t[q] - '0'), ++sig;
      } else {
        ++exp10;  // digits past the 19th only scale
      }
    }
    if (q < p && (t[q] == 'e' || t[q] == 'E')) {
      ++q;
      bool eneg = false;
      if (t[q] == '+' || t[q] == '-') eneg = t[q] == '-', ++q;
      int e = 0;
      for (; q < p; ++q) e = e < 100000 ? e * 10 + (t[q] - '0') : e;
      exp10 += eneg ? -e : e;
    }
    double d = double(mant);
    if (mant && exp10) {
      const bool down = exp10 < 0;
      int e = down ? -exp10 : exp10;
      double scale = 1.0, base = 10.0;
      if (e > 700) e = 700;  // beyond double's range either way: inf or 0
      for (; e; e >>= 1, base *= base)
        if (e & 1) scale *= base;
      d = down ? d / scale : d * scale;
    }
    v->d = neg ? -d : d;
    v->type = JsonValue::Type::number;
    if (integral && sig < 19 && exp10 == 0) {  // |x| < 10^18: fits int64 exactly
      v->i = neg ? -std::int64_t(mant) : std::int64_t(mant);
      v->type = JsonValue::Type::integer;
    } else if (integral && exp10 == 0 && sig == 19) {
      // 19 digits: fits unless above 9223372036854775807 (or below its negation - 1)
      const std::uint64_t lim = neg ? 9223372036854775808ull : 9223372036854775807ull;
      if (mant <= lim) {
        v->i = neg ? std::int64_t(0 - mant) : std::int64_t(mant);
        v->type = JsonValue::Type::integer;
      }
    }
    return true;
  }
  bool value(JsonValue* v, int depth) {
    ws();
    if (p >= t.size()) return fail("unexpected end of JSON");
    v->begin = p;
    const char c = t[p];
    bool ok = true;
    if (c == '{' || c == '[') {
      if (depth >= max_depth) return fail("JSON nested too deeply");
      ++p;
      ws();
      const char close = c == '{' ? '}' : ']';
      v->type = c == '{' ? JsonValue::Type::object : JsonValue::Type::array;
      if (p < t.size() && t[p] == close) {
        ++p;
      } else {
        while (true) {
          if (c == '{') {
            ws();
            if (p >= t.size() || t[p] != '"') return fail("expected a key");
            std::string key;
            if (!string(&key)) return false;
            if (v->find(key)) return fail("duplicate key");
            ws();
            if (p >= t.size() || t[p] != ':') return fail("expected ':'");
            ++p;
            v->members.emplace_back(std::move(key), JsonValue());
            if (!value(&v->members.back().second, depth + 1)) return false;
          } else {
            v->items.emplace_back();
            if (!value(&v->items.back(), depth + 1)) return false;
          }
          ws();
          if (p < t.size() && t[p] == ',') {
            ++p;
            continue;
          }
          if (p < t.size() && t[p] == close) {
            ++p;
            break;
          }
          return fail("expected ',' or a closing bracket");
        }
      }
    } else if (c == '"') {
      v->type = JsonValue::Type::string;
      ok = string(&v->s);
    } else if (c == 't' || c == 'f') {
      v->type = JsonValue::Type::boolean;
      v->b = c == 't';
      ok = lit(v->b ? "true" : "false");
    } else if (c == 'n') {
      ok = lit("null");
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      ok = number(v);
    } else {
      return fail("invalid JSON");
    }
    v->end = p;
    return ok;
  }
};

}  // namespace

// Only the conversions the reader's messages use (%s, %lld, %zu, %%): libc's printf would
// pull its float formatting into the wasm module. Measured: vformat on std::vsnprintf made
// drift_api.wasm 30,962 -> 35,421 B gzipped (+4.4 KB), so this size trick stays.
std::string vformat(const char* fmt, va_list ap) {
  std::string out;
  for (const char* f = fmt; *f; ++f) {
    if (*f != '%') {
      out += *f;
      continue;
    }
    ++f;
    if (*f == 's') {
      const char* a = va_arg(ap, const char*);
      out += a ? a : "(null)";
    } else if (f[0] == 'l' && f[1] == 'l' && f[2] == 'd') {
      const long long v = va_arg(ap, long long);
      unsigned long long u = v < 0 ? 0ull - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
      char buf[24];
      int n = 0;
      do buf[n++] = char('0' + u % 10); while (u /= 10);
      if (v < 0) out += '-';
      while (n) out += buf[--n];
      f += 2;
    } else if (f[0] == 'z' && f[1] == 'u') {
      std::size_t u = va_arg(ap, std::size_t);
      char buf[24];
      int n = 0;
      do buf[n++] = char('0' + u % 10); while (u /= 10);
      while (n) out += buf[--n];
      f += 1;
    } else if (*f == '%') {
      out += '%';
    } else {
      break;  // unsupported conversion: stop rather than misread the arguments
    }
  }
  return out;
}

std::string strformat(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

const JsonValue* JsonValue::find(std::string_view key) const {
  if (type != Type::object) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

bool parse_json(std::string_view text, JsonValue* out, std::string* error, int max_depth) {
  Parser ps{text, 0, max_depth, {}};
  JsonValue v;
  bool ok = ps.value(&v, 0);
  if (ok) {
    ps.ws();
    if (ps.p != text.size()) ok = ps.fail("trailing characters after JSON");
  }
  if (!ok) {
    if (error) *error = ps.why;
    return false;
  }
  *out = std::move(v);
  return true;
}

}  // namespace drift::core
