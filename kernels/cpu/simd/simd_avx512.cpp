// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mfma.
#define WICK_SIMD_ARCH xsimd::avx512bw
#define WICK_SIMD_NAMESPACE avx512_impl
#include "simd/simd_make_table.h"

namespace wick::cpu {
const SimdTable& simd_table_avx512() {
  static const SimdTable t = avx512_impl::make_table("avx512");
  return t;
}
}  // namespace wick::cpu
