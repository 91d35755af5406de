// Compiled with -mavx2 -mfma.
#define WICK_SIMD_ARCH xsimd::fma3<xsimd::avx2>
#define WICK_SIMD_NAMESPACE avx2_impl
#include "simd/simd_make_table.h"

namespace wick::cpu {
const SimdTable& simd_table_avx2() {
  static const SimdTable t = avx2_impl::make_table("avx2");
  return t;
}
}  // namespace wick::cpu
