// Compiled with -msse4.2: pmaddubsw (SSSE3) and pmaddwd on 4 int32 lanes, as the AVX2 set at half width.
#define WICK_SIMD_ARCH xsimd::sse4_2
#define WICK_SIMD_NAMESPACE int8_sse4_2_impl
#include <immintrin.h>

#include <cstring>

#include "int8/int8_kernels_body.h"

namespace wick::cpu {
namespace int8_sse4_2_impl {

struct Isa {
  static constexpr int64_t kLanes = 4;
  static constexpr int kRows = 2, kPanels = 1, kPanelsOneRow = 2;  // 8 accumulators of 16 registers
  static __m128i zero() { return _mm_setzero_si128(); }
  static __m128i activations(const uint8_t* p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return _mm_set1_epi32(four);
  }
  static __m128i weights(const int8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static __m128i dot(__m128i acc, __m128i a, __m128i w) {
    return _mm_add_epi32(acc, _mm_madd_epi16(_mm_maddubs_epi16(a, w), _mm_set1_epi16(1)));
  }
  static void store(int32_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
};

bool runs_here() { return __builtin_cpu_supports("sse4.2"); }

}  // namespace int8_sse4_2_impl

const Int8Kernels& int8_kernels_sse4_2() {
  using namespace int8_sse4_2_impl;
  static const Int8Kernels k = make_int8_kernels<Isa>("sse4_2", "sse4_2", runs_here);
  return k;
}

}  // namespace wick::cpu
