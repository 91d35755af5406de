// wick::Error and the checks that raise it. Messages name the op and the offending values:
//   wick::matmul: shapes [64, 784] and [100, 10] cannot be multiplied (784 != 100)
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace wick {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {

// Small concatenating formatter: keeps <sstream> out of public headers.
void append(std::string& s, std::string_view v);
void append(std::string& s, const char* v);
void append(std::string& s, const std::string& v);
void append(std::string& s, char v);
void append(std::string& s, bool v);
void append(std::string& s, int v);
void append(std::string& s, long v);
void append(std::string& s, long long v);
void append(std::string& s, unsigned v);
void append(std::string& s, unsigned long v);
void append(std::string& s, unsigned long long v);
void append(std::string& s, double v);

template <class... Args>
std::string cat(const Args&... args) {
  std::string s;
  (append(s, args), ...);
  return s;
}

[[noreturn]] void throw_error(std::string message);

}  // namespace detail

// Throws wick::Error("wick::<op>: <message parts...>").
template <class... Args>
[[noreturn]] void fail(const char* op, const Args&... parts) {
  detail::throw_error(detail::cat("wick::", op, ": ", parts...));
}

}  // namespace wick

// WICK_CHECK(cond, "op", parts...): throws wick::Error naming the op when cond is false.
#define WICK_CHECK(cond, op, ...)       \
  do {                                  \
    if (__builtin_expect(!(cond), 0)) { \
      ::wick::fail(op, __VA_ARGS__);    \
    }                                   \
  } while (0)
