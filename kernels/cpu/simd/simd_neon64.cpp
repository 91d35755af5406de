// AArch64's Advanced SIMD (NEON), part of every ARMv8-A core: no flags needed, and the only table there.
#define WICK_SIMD_ARCH xsimd::neon64
#define WICK_SIMD_NAMESPACE neon64_impl
#include "simd/simd_make_table.h"

namespace wick::cpu {
const SimdTable& simd_table_neon64() {
  static const SimdTable t = neon64_impl::make_table("neon64");
  return t;
}
}  // namespace wick::cpu
