// The small, strict JSON (RFC 8259) reader and writer that safetensors headers need. Every read is
// bounds-checked; malformed input throws wick::Error naming the caller's op and context and the byte offset.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wick::json {

struct Member;

struct Value {
  enum class Kind { Null, Bool, Integer, Number, String, Array, Object } kind = Kind::Null;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  std::string string;
  std::vector<Value> array;
  std::vector<Member> object;  // in file order

  const Value* find(std::string_view key) const;
};

// A struct, not std::pair<std::string, Value>: clang with libstdc++ instantiates the pair while Value is still
// incomplete and rejects it; std::vector of a declared-later struct is fine (C++17).
struct Member {
  std::string key;
  Value value;
};

// Parses `text`; on error throws wick::Error "wick::<op>: <context>: <what> at byte N".
Value parse(std::string_view text, const char* op, const std::string& context);

// A JSON string literal (quotes and escapes) for `s`.
std::string quote(std::string_view s);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF); the byte
// offset of the first bad byte goes to *bad_at.
bool valid_utf8(std::string_view s, size_t* bad_at = nullptr);

}  // namespace wick::json
