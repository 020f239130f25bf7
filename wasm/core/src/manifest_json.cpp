#include "drift/manifest_json.h"

#include <cerrno>
#include <cstdio>
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
    const std::string s(t.substr(b, p - b));
    v->d = std::strtod(s.c_str(), nullptr);  // the text is a valid JSON number, C locale
    v->type = JsonValue::Type::number;
    if (integral) {
      errno = 0;
      const long long x = std::strtoll(s.c_str(), nullptr, 10);
      if (errno != ERANGE) {
        v->i = x;
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

std::string vformat(const char* fmt, va_list ap) {
  char buf[512];  // messages are one line; a longer one is cut, never overflowed
  va_list ap2;
  va_copy(ap2, ap);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap2);
  va_end(ap2);
  return std::string(buf,
                     n < 0 ? 0 : (std::size_t(n) < sizeof buf ? std::size_t(n) : sizeof buf - 1));
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
