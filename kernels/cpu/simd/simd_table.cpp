#include "simd/simd_table.h"

#include <xsimd/config/xsimd_cpuid.hpp>

namespace wick::cpu {

const SimdTable& simd_table() {
#if defined(__aarch64__)
  return simd_table_neon64();
#else
  static const SimdTable& table = [] () -> const SimdTable& {
    const auto arch = xsimd::available_architectures();
    if (arch.avx512f && arch.avx512dq) return simd_table_avx512();
    if (arch.fma3_avx2) return simd_table_avx2();
    return simd_table_sse4_2();
  }();
  return table;
#endif
}

}  // namespace wick::cpu
