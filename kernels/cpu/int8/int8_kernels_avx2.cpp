// Compiled with -mavx2 -mfma: vpmaddubsw (pairs of u8 x s8 products summed into 16 bits; at most
// 2 x 127 x 128 = 32,512 with 7-bit activations, so it never saturates) then vpmaddwd into 8 int32 lanes.
#define WICK_SIMD_ARCH xsimd::fma3<xsimd::avx2>
#define WICK_SIMD_NAMESPACE int8_avx2_impl
#include "int8/int8_isa_256.h"

namespace wick::cpu {
namespace int8_avx2_impl {

struct Isa : Isa256 {
  static __m256i dot(__m256i acc, __m256i a, __m256i w) {
    const __m256i pairs = _mm256_maddubs_epi16(a, w);
    return _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
};

bool runs_here() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

}  // namespace int8_avx2_impl

const Int8Kernels& int8_kernels_avx2() {
  using namespace int8_avx2_impl;
  static const Int8Kernels k = make_int8_kernels<Isa>("avx2", "avx2", runs_here);
  return k;
}

}  // namespace wick::cpu
