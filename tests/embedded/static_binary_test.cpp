// The fully static build (-Ddefault_library=static -Dcpu_onednn=disabled): examples/embedded_policy is one binary
// that needs nothing from the machine but libc and libm (libstdc++ and libgcc are linked in), is at most 3 MB
// stripped, and runs its control loop without allocating. Only meaningful in that build; others say they skip.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <regex>
#include <sstream>
#include <string>

#include "run_command.h"

using wick::testing::run_command;
using wick::testing::run_program;

TEST_CASE("static build: embedded_policy needs only libc and libm and is at most 3 MB stripped", "[embedded][static]") {
#if !defined(WICK_STATIC_BUILD) || !defined(WICK_EMBEDDED_POLICY_EXE)
  WARN(
      "skipped: this is not the static build with examples (-Ddefault_library=static -Dexamples=true); "
      "tools/check's xsimd configuration is");
#else
  const std::string exe = WICK_EMBEDDED_POLICY_EXE;
  const auto [ldd_status, libraries] = run_command(std::string(WICK_LDD) + " " + exe);
  INFO("ldd:\n" << libraries);
  REQUIRE(ldd_status == 0);
  std::istringstream lines(libraries);
  std::string line;
  int needed = 0;
  const std::regex allowed(
      R"(^\s*(linux-vdso\.so\.1|\(0x[0-9a-f]+\)|/lib\S*/ld-linux[-\w.]*\.so\.\d|lib(c|m)\.so\.6)(\s|$))");
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    INFO("library: " << line);
    CHECK(std::regex_search(line, allowed));
    ++needed;
  }
  CHECK(needed >= 1);

  const std::string stripped = exe + ".stripped";
  REQUIRE(run_command(std::string(WICK_STRIP) + " -o " + stripped + " " + exe).first == 0);
  struct stat st {};
  REQUIRE(stat(stripped.c_str(), &st) == 0);
  INFO("stripped size: " << st.st_size << " bytes");
  CHECK(st.st_size <= 3 * 1024 * 1024);
  WARN("embedded_policy, static, stripped: " << st.st_size / 1024 << " KiB");

  // The stripped binary runs its loop: PyTorch's policy tracks its targets and the loop allocates nothing.
  const auto [status, output] = run_program(stripped + " " + WICK_FIXTURES_DIR + "/policy_mlp.safetensors 4000");
  INFO(output);
  CHECK(status == 0);
  CHECK_THAT(output, Catch::Contains("heap allocations inside the loop: 0"));
#endif
}
