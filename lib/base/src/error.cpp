#include "wick/error.h"

#include <cstdio>

namespace wick::detail {

void append(std::string& s, std::string_view v) { s.append(v); }
void append(std::string& s, const char* v) { s.append(v ? v : "(null)"); }
void append(std::string& s, const std::string& v) { s.append(v); }
void append(std::string& s, char v) { s.push_back(v); }
void append(std::string& s, bool v) { s.append(v ? "true" : "false"); }
void append(std::string& s, int v) { s.append(std::to_string(v)); }
void append(std::string& s, long v) { s.append(std::to_string(v)); }
void append(std::string& s, long long v) { s.append(std::to_string(v)); }
void append(std::string& s, unsigned v) { s.append(std::to_string(v)); }
void append(std::string& s, unsigned long v) { s.append(std::to_string(v)); }
void append(std::string& s, unsigned long long v) { s.append(std::to_string(v)); }
void append(std::string& s, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  s.append(buf);
}

void throw_error(std::string message) { throw Error(message); }

}  // namespace wick::detail
