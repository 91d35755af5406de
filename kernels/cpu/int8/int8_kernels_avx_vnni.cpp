// Compiled with -mavx2 -mfma -mavxvnni: the VEX-encoded vpdpbusd on 8 int32 lanes (Alder Lake and later, and the
// Zen 5 family, which lack AVX-512 VNNI or run it at half width).
#define WICK_SIMD_ARCH xsimd::fma3<xsimd::avx2>
#define WICK_SIMD_NAMESPACE int8_avx_vnni_impl
#include "int8/int8_isa_256.h"

#include <cpuid.h>

namespace wick::cpu {
namespace int8_avx_vnni_impl {

struct Isa : Isa256 {
  static __m256i dot(__m256i acc, __m256i a, __m256i w) { return _mm256_dpbusd_avx_epi32(acc, a, w); }
};

// CPUID leaf 7, sub-leaf 1, EAX bit 4. Asked directly: clang 14's __builtin_cpu_supports has no "avxvnni".
bool has_avx_vnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) && (eax & (1u << 4)) != 0;
}

bool runs_here() { return __builtin_cpu_supports("avx2") && has_avx_vnni(); }

}  // namespace int8_avx_vnni_impl

const Int8Kernels& int8_kernels_avx_vnni() {
  using namespace int8_avx_vnni_impl;
  static const Int8Kernels k = make_int8_kernels<Isa>("avx_vnni", "avx2", runs_here);
  return k;
}

}  // namespace wick::cpu
