// Runs a shell command for a test: its exit status (-1 if it did not exit) and its output, stderr included.
// run_program prefixes WICK_RUN_PREFIX, so that a cross-compiled test starts this build's programs through qemu.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

namespace wick::testing {

inline std::pair<int, std::string> run_command(const std::string& command) {
  std::string out;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed: " + command};
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::pair<int, std::string> run_program(const std::string& command_line) {
  const std::string prefix = WICK_RUN_PREFIX;
  return run_command(prefix.empty() ? command_line : prefix + " " + command_line);
}

}  // namespace wick::testing
