// Compiled with -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx512vnni: vpdpbusd on 16 int32 lanes.
#define WICK_SIMD_ARCH xsimd::avx512bw
#define WICK_SIMD_NAMESPACE int8_avx512_vnni_impl
#include <immintrin.h>

#include <cstring>

#include "int8/int8_kernels_body.h"

namespace wick::cpu {
namespace int8_avx512_vnni_impl {

struct Isa {
  static constexpr int64_t kLanes = 16;
  static constexpr int kRows = 4, kPanels = 2, kPanelsOneRow = 4;
  static __m512i zero() { return _mm512_setzero_si512(); }
  static __m512i activations(const uint8_t* p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return _mm512_set1_epi32(four);
  }
  static __m512i weights(const int8_t* p) { return _mm512_loadu_si512(p); }
  static __m512i dot(__m512i acc, __m512i a, __m512i w) { return _mm512_dpbusd_epi32(acc, a, w); }
  static void store(int32_t* p, __m512i v) { _mm512_storeu_si512(p, v); }
};

bool runs_here() {
  return __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

}  // namespace int8_avx512_vnni_impl

const Int8Kernels& int8_kernels_avx512_vnni() {
  using namespace int8_avx512_vnni_impl;
  static const Int8Kernels k = make_int8_kernels<Isa>("avx512_vnni", "avx512", runs_here);
  return k;
}

}  // namespace wick::cpu
