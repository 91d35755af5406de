#include "simd/simd_table.h"

#include <xsimd/config/xsimd_cpuid.hpp>

namespace wick::cpu {

const SimdTable& simd_table() {
  static const SimdTable& table = [] () -> const SimdTable& {
    const auto arch = xsimd::available_architectures();
    if (arch.avx512f && arch.avx512dq) return simd_table_avx512();
    if (arch.fma3_avx2) return simd_table_avx2();
    return simd_table_sse4_2();
  }();
  return table;
}

}  // namespace wick::cpu
