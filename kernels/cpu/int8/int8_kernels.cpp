#include "int8/int8_kernels.h"

#include <cstring>

#include "simd/simd_table.h"

namespace wick::cpu {
namespace {

// Every int8 set built for this architecture, widest first.
std::vector<const Int8Kernels*> int8_kernel_sets() {
#if defined(__aarch64__)
  return {&int8_kernels_neon_dot(), &int8_kernels_neon(), &int8_kernels_scalar()};
#else
  return {&int8_kernels_avx512_vnni(), &int8_kernels_avx_vnni(), &int8_kernels_avx2(), &int8_kernels_sse4_2(),
          &int8_kernels_scalar()};
#endif
}

// The widest set that runs here and is no wider than the SimdTable chosen for this process (which follows
// WICK_CPU_CAPABILITY), so that forcing a narrower float set forces the matching int8 one.
const Int8Kernels& choose() {
  std::vector<const Int8Kernels*> sets = int8_kernel_sets();
  const char* simd_set = chosen_simd_table().name;
  // The int8 sets come in the SimdTable sets' order, so skip those wider than the chosen SimdTable set.
  size_t first = 0;
  while (first < sets.size() && std::strcmp(sets[first]->simd_set, simd_set) != 0) ++first;
  for (size_t i = first; i < sets.size(); ++i)
    if (sets[i]->runs_here()) return *sets[i];
  return int8_kernels_scalar();
}

}  // namespace

// Deterministic numerics keeps the chosen set: every set gives the same bits (integer sums are exact in any order,
// and the float epilogue is the same operations in the same order; tests/kernels/cpu/int8_kernels_test.cpp checks
// each set against plain loops), so the scalar one would only be slower.
const Int8Kernels& int8_kernels() {
  static const Int8Kernels& kernels = choose();
  return kernels;
}

std::vector<const Int8Kernels*> runnable_int8_kernels() {
  std::vector<const Int8Kernels*> runnable;
  for (const Int8Kernels* k : int8_kernel_sets())
    if (k->runs_here()) runnable.push_back(k);
  return runnable;
}

}  // namespace wick::cpu
