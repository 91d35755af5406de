#include "simd/simd_table.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <xsimd/config/xsimd_cpuid.hpp>

#include "deterministic_numerics.h"
#include "wick/error.h"

namespace wick::cpu {
namespace {

struct KernelSet {
  const SimdTable& (*table)();
  const char* name;  // as SimdTable::name and WICK_CPU_CAPABILITY spell it
  bool runs_here;
};

// Every set built for this architecture, widest first.
std::vector<KernelSet> kernel_sets() {
#if defined(__aarch64__)
  return {{simd_table_neon64, "neon64", true}, {simd_table_scalar, "scalar", true}};
#else
  const auto arch = xsimd::available_architectures();
  return {{simd_table_avx512, "avx512", arch.avx512f && arch.avx512dq},
          {simd_table_avx2, "avx2", bool(arch.fma3_avx2)},
          {simd_table_sse4_2, "sse4_2", bool(arch.sse4_2)},
          {simd_table_scalar, "scalar", true}};
#endif
}

// The widest set this CPU runs, or the one WICK_CPU_CAPABILITY names (as ATen's ATEN_CPU_CAPABILITY), so that
// every set can be tested on one machine.
const SimdTable& choose() {
  const std::vector<KernelSet> sets = kernel_sets();
  const char* wanted = std::getenv("WICK_CPU_CAPABILITY");
  std::string runnable;
  for (const KernelSet& s : sets) {
    if (!s.runs_here) continue;
    if (!wanted || !*wanted) return s.table();
    runnable += std::string(runnable.empty() ? "" : ", ") + s.name;
  }
  for (const KernelSet& s : sets) {
    if (std::string(s.name) != wanted) continue;
    WICK_CHECK(s.runs_here, "cpu", "WICK_CPU_CAPABILITY=", wanted, ": this CPU cannot run that kernel set (it runs ",
               runnable, ")");
    return s.table();
  }
  fail("cpu", "WICK_CPU_CAPABILITY=", wanted, ": unknown kernel set (this CPU runs ", runnable, ")");
}

}  // namespace

std::vector<const SimdTable*> runnable_simd_tables() {
  std::vector<const SimdTable*> tables;
  for (const KernelSet& s : kernel_sets())
    if (s.runs_here) tables.push_back(&s.table());
  return tables;
}

const SimdTable& chosen_simd_table() {
  static const SimdTable& table = choose();
  return table;
}

const SimdTable& simd_table() { return deterministic_numerics() ? simd_table_deterministic() : chosen_simd_table(); }

}  // namespace wick::cpu
