// What the two 256-bit x86 int8 sets (AVX2, AVX-VNNI) share: 8 int32 lanes, the tile shape, loads and stores. Each
// includes it inside its own namespace (WICK_SIMD_NAMESPACE) and adds its dot product.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "int8/int8_kernels_body.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

struct Isa256 {
  static constexpr int64_t kLanes = 8;
  static constexpr int kRows = 4, kPanels = 1, kPanelsOneRow = 4;
  static __m256i zero() { return _mm256_setzero_si256(); }
  static __m256i activations(const uint8_t* p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return _mm256_set1_epi32(four);
  }
  static __m256i weights(const int8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store(int32_t* p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
};

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
