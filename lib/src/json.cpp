#include "wick/detail/json.h"

#include <cerrno>
#include <cstdlib>

#include "wick/error.h"

namespace wick::json {

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : object)
    if (k == key) return &v;
  return nullptr;
}

namespace {

class Parser {
 public:
  Parser(std::string_view text, const char* op, const std::string& context) : s_(text), op_(op), context_(context) {}

  Value document() {
    Value v = value(0);
    skip_space();
    if (pos_ != s_.size()) error("trailing characters after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void error(const char* what) { fail(op_, context_, ": malformed header: ", what, " at byte ", pos_); }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) ++pos_;
  }
  char peek() {
    skip_space();
    if (pos_ >= s_.size()) error("unexpected end");
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) error(c == ':' ? "expected ':'" : c == ',' ? "expected ','" : "unexpected character");
    ++pos_;
  }

  Value value(int depth) {
    if (depth > 64) error("nesting too deep");
    const char c = peek();
    if (c == '{') return object(depth);
    if (c == '[') return array(depth);
    if (c == '"') {
      Value v;
      v.kind = Value::Kind::String;
      v.string = string();
      return v;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    if (s_.substr(pos_, 4) == "true" || s_.substr(pos_, 5) == "false") {
      Value v;
      v.kind = Value::Kind::Bool;
      v.boolean = s_[pos_] == 't';
      pos_ += v.boolean ? 4 : 5;
      return v;
    }
    if (s_.substr(pos_, 4) == "null") {
      pos_ += 4;
      return Value();
    }
    error("unexpected character");
  }

  Value object(int depth) {
    Value v;
    v.kind = Value::Kind::Object;
    expect('{');
    if (peek() == '}') {
      ++pos_;
      return v;
    }
    for (;;) {
      if (peek() != '"') error("expected a string key");
      std::string key = string();
      expect(':');
      v.object.push_back({std::move(key), value(depth + 1)});
      if (peek() == '}') {
        ++pos_;
        return v;
      }
      expect(',');
    }
  }

  Value array(int depth) {
    Value v;
    v.kind = Value::Kind::Array;
    expect('[');
    if (peek() == ']') {
      ++pos_;
      return v;
    }
    for (;;) {
      v.array.push_back(value(depth + 1));
      if (peek() == ']') {
        ++pos_;
        return v;
      }
      expect(',');
    }
  }

  unsigned hex4() {
    if (pos_ + 4 > s_.size()) error("short \\u escape");
    unsigned code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      code <<= 4;
      if (h >= '0' && h <= '9')
        code |= unsigned(h - '0');
      else if (h >= 'a' && h <= 'f')
        code |= unsigned(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        code |= unsigned(h - 'A' + 10);
      else
        error("bad \\u escape");
    }
    return code;
  }
  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += char(code);
    } else if (code < 0x800) {
      out += char(0xC0 | (code >> 6));
      out += char(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += char(0xE0 | (code >> 12));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    } else {
      out += char(0xF0 | (code >> 18));
      out += char(0x80 | ((code >> 12) & 0x3F));
      out += char(0x80 | ((code >> 6) & 0x3F));
      out += char(0x80 | (code & 0x3F));
    }
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_++];
      if (static_cast<unsigned char>(c) < 0x20) error("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) error("unterminated escape");
      c = s_[pos_++];
      switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          unsigned code = hex4();
          if (code >= 0xDC00 && code <= 0xDFFF) error("lone low surrogate in \\u escape");
          if (code >= 0xD800 && code <= 0xDBFF) {  // a UTF-16 pair: \uD83D\uDE00
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
              error("lone high surrogate in \\u escape");
            pos_ += 2;
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) error("bad low surrogate in \\u escape");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        default: error("unknown escape");
      }
    }
    if (pos_ >= s_.size()) error("unterminated string");
    ++pos_;  // closing quote
    return out;
  }

  // RFC 8259 numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
  Value number() {
    const size_t start = pos_;
    auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (s_[pos_] == '-') ++pos_;
    if (pos_ < s_.size() && s_[pos_] == '0') {
      ++pos_;
    } else if (digits() == 0) {
      error("bad number");
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (digits() == 0) error("bad number");
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (digits() == 0) error("bad number");
    }
    const std::string text(s_.substr(start, pos_ - start));
    Value v;
    errno = 0;
    if (integral) {
      v.kind = Value::Kind::Integer;
      v.integer = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) error("integer out of range");
    } else {
      v.kind = Value::Kind::Number;
      v.number = std::strtod(text.c_str(), nullptr);
    }
    return v;
  }

  std::string_view s_;
  const char* op_;
  const std::string& context_;
  size_t pos_ = 0;
};

}  // namespace

Value parse(std::string_view text, const char* op, const std::string& context) {
  return Parser(text, op, context).document();
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static const char* hex = "0123456789abcdef";
          out += "\\u00";
          out += hex[(c >> 4) & 0xF];
          out += hex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

bool valid_utf8(std::string_view s, size_t* bad_at) {
  size_t i = 0;
  auto bad = [&] {
    if (bad_at) *bad_at = i;
    return false;
  };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // A lead byte says how many continuation bytes follow; `min` rejects overlong encodings.
    const int n = (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : 0;
    if (n == 0) return bad();
    const uint32_t min = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
    uint32_t code = c & (0x7Fu >> (n + 1));
    if (i + size_t(n) >= s.size()) return bad();  // truncated sequence
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + size_t(k)]);
      if ((d & 0xC0) != 0x80) return bad();
      code = (code << 6) | (d & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return bad();
    i += size_t(n) + 1;
  }
  return true;
}

}  // namespace wick::json
