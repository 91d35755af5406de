// Compiled with -msse4.2: the baseline every x86-64 machine wick supports runs.
#define WICK_SIMD_ARCH xsimd::sse4_2
#define WICK_SIMD_NAMESPACE sse4_2_impl
#include "simd/simd_make_table.h"

namespace wick::cpu {
const SimdTable& simd_table_sse4_2() {
  static const SimdTable t = sse4_2_impl::make_table("sse4.2");
  return t;
}
}  // namespace wick::cpu
