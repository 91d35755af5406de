// Philox 4x32-10 (kernels/common/philox.h) for many consecutive counters at once, one counter per 32-bit vector
// lane: the words the scalar definition gives, bit for bit (tests/kernels/cpu/random_draw_test.cpp checks every
// kernel set against it). The round's 32x32 -> 64-bit products have no portable vector form (xsimd has none), so
// each instruction set gives the few operations below, and the rounds and draws are written once over them.
#pragma once

#include <cstdint>
#include <cstring>

#include "common/philox.h"
#include "simd/simd_arch.h"

#if defined(__AVX512F__) || defined(__AVX2__) || defined(__SSE4_2__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#else
#error "simd_philox.h: no vector form for this instruction set"
#endif

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {
namespace philox_lanes {

#if defined(__AVX512F__)
using U32 = __m512i;
inline constexpr int kLanes = 16;
inline U32 splat(uint32_t x) { return _mm512_set1_epi32(int(x)); }
inline U32 lane_index() { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
inline U32 add(U32 a, U32 b) { return _mm512_add_epi32(a, b); }
inline U32 sub(U32 a, U32 b) { return _mm512_sub_epi32(a, b); }
inline U32 bit_xor(U32 a, U32 b) { return _mm512_xor_si512(a, b); }
inline U32 bit_and(U32 a, U32 b) { return _mm512_and_si512(a, b); }
inline U32 bit_or(U32 a, U32 b) { return _mm512_or_si512(a, b); }
inline U32 shift_right(U32 a, int bits) { return _mm512_srli_epi32(a, unsigned(bits)); }
inline U32 less_mask(U32 a, U32 b) { return _mm512_maskz_set1_epi32(_mm512_cmplt_epu32_mask(a, b), -1); }
inline U32 equal_mask(U32 a, U32 b) { return _mm512_maskz_set1_epi32(_mm512_cmpeq_epu32_mask(a, b), -1); }
// The 64-bit products a * m, lane by lane: even lanes by _mm512_mul_epu32 directly, odd ones shifted down first.
inline void mul_hi_lo(U32 a, U32 m, U32& hi, U32& lo) {
  const U32 even = _mm512_mul_epu32(a, m);
  const U32 odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
}
inline void store(uint32_t* p, U32 v) { _mm512_storeu_si512(p, v); }

#elif defined(__AVX2__)
using U32 = __m256i;
inline constexpr int kLanes = 8;
inline U32 splat(uint32_t x) { return _mm256_set1_epi32(int(x)); }
inline U32 lane_index() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
inline U32 add(U32 a, U32 b) { return _mm256_add_epi32(a, b); }
inline U32 sub(U32 a, U32 b) { return _mm256_sub_epi32(a, b); }
inline U32 bit_xor(U32 a, U32 b) { return _mm256_xor_si256(a, b); }
inline U32 bit_and(U32 a, U32 b) { return _mm256_and_si256(a, b); }
inline U32 bit_or(U32 a, U32 b) { return _mm256_or_si256(a, b); }
inline U32 shift_right(U32 a, int bits) { return _mm256_srli_epi32(a, bits); }
inline U32 equal_mask(U32 a, U32 b) { return _mm256_cmpeq_epi32(a, b); }
// All ones where a < b as unsigned numbers (the signed comparison on sign-flipped values).
inline U32 less_mask(U32 a, U32 b) {
  const U32 sign = splat(0x80000000u);
  return _mm256_cmpgt_epi32(bit_xor(b, sign), bit_xor(a, sign));
}
// The 64-bit products a * m, lane by lane: even lanes by _mm256_mul_epu32 directly, odd ones shifted down first.
inline void mul_hi_lo(U32 a, U32 m, U32& hi, U32& lo) {
  const U32 even = _mm256_mul_epu32(a, m);
  const U32 odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
}
inline void store(uint32_t* p, U32 v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }

#elif defined(__SSE4_2__)
using U32 = __m128i;
inline constexpr int kLanes = 4;
inline U32 splat(uint32_t x) { return _mm_set1_epi32(int(x)); }
inline U32 lane_index() { return _mm_setr_epi32(0, 1, 2, 3); }
inline U32 add(U32 a, U32 b) { return _mm_add_epi32(a, b); }
inline U32 sub(U32 a, U32 b) { return _mm_sub_epi32(a, b); }
inline U32 bit_xor(U32 a, U32 b) { return _mm_xor_si128(a, b); }
inline U32 bit_and(U32 a, U32 b) { return _mm_and_si128(a, b); }
inline U32 bit_or(U32 a, U32 b) { return _mm_or_si128(a, b); }
inline U32 shift_right(U32 a, int bits) { return _mm_srli_epi32(a, bits); }
inline U32 equal_mask(U32 a, U32 b) { return _mm_cmpeq_epi32(a, b); }
inline U32 less_mask(U32 a, U32 b) {
  const U32 sign = splat(0x80000000u);
  return _mm_cmpgt_epi32(bit_xor(b, sign), bit_xor(a, sign));
}
inline void mul_hi_lo(U32 a, U32 m, U32& hi, U32& lo) {
  const U32 even = _mm_mul_epu32(a, m);
  const U32 odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), m);
  lo = _mm_blend_epi16(even, _mm_slli_epi64(odd, 32), 0xCC);  // 16-bit lanes 2, 3, 6, 7: the odd 32-bit lanes
  hi = _mm_blend_epi16(_mm_srli_epi64(even, 32), odd, 0xCC);
}
inline void store(uint32_t* p, U32 v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

#else  // NEON
using U32 = uint32x4_t;
inline constexpr int kLanes = 4;
inline U32 splat(uint32_t x) { return vdupq_n_u32(x); }
inline U32 lane_index() {
  static constexpr uint32_t kIndex[4] = {0, 1, 2, 3};
  return vld1q_u32(kIndex);
}
inline U32 add(U32 a, U32 b) { return vaddq_u32(a, b); }
inline U32 sub(U32 a, U32 b) { return vsubq_u32(a, b); }
inline U32 bit_xor(U32 a, U32 b) { return veorq_u32(a, b); }
inline U32 bit_and(U32 a, U32 b) { return vandq_u32(a, b); }
inline U32 bit_or(U32 a, U32 b) { return vorrq_u32(a, b); }
inline U32 shift_right(U32 a, int bits) { return vshlq_u32(a, vdupq_n_s32(-bits)); }
inline U32 less_mask(U32 a, U32 b) { return vcltq_u32(a, b); }
inline U32 equal_mask(U32 a, U32 b) { return vceqq_u32(a, b); }
// vmull_u32 and vmull_high_u32 give lanes 0-1 and 2-3 as 64-bit products; the low and high halves are their even
// and odd 32-bit words.
inline void mul_hi_lo(U32 a, U32 m, U32& hi, U32& lo) {
  const U32 low_lanes = vreinterpretq_u32_u64(vmull_u32(vget_low_u32(a), vget_low_u32(m)));
  const U32 high_lanes = vreinterpretq_u32_u64(vmull_high_u32(a, m));
  lo = vuzp1q_u32(low_lanes, high_lanes);
  hi = vuzp2q_u32(low_lanes, high_lanes);
}
inline void store(uint32_t* p, U32 v) { vst1q_u32(p, v); }
#endif

// Two blocks of lanes go through the rounds together: one block's round is a chain of dependent multiplies and
// the other's fills the wait.
inline constexpr int kBlocks = 2;

struct Keys {
  U32 k0[kernels::kPhiloxRounds], k1[kernels::kPhiloxRounds];
};

inline Keys round_keys(uint64_t seed) {
  Keys keys;
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int r = 0; r < kernels::kPhiloxRounds; ++r) {
    keys.k0[r] = splat(k0);
    keys.k1[r] = splat(k1);
    k0 += kernels::kPhiloxW0;
    k1 += kernels::kPhiloxW1;
  }
  return keys;
}

// The words of counters first .. first + kBlocks * kLanes - 1: c[b][w] holds word w of block b's lanes.
inline void rounds(const Keys& keys, uint64_t first, U32 c[kBlocks][4]) {
  const U32 first_low = splat(uint32_t(first));
  for (int b = 0; b < kBlocks; ++b) {
    // The 64-bit counter first + lane: the low words wrap, and a lane whose low word came out below first's
    // carries one into its high word (sub of an all-ones mask adds one).
    c[b][0] = add(first_low, add(lane_index(), splat(uint32_t(b * kLanes))));
    c[b][1] = sub(splat(uint32_t(first >> 32)), less_mask(c[b][0], first_low));
    c[b][2] = splat(0);
    c[b][3] = splat(0);
  }
  const U32 m0 = splat(kernels::kPhiloxM0), m1 = splat(kernels::kPhiloxM1);
  for (int r = 0; r < kernels::kPhiloxRounds; ++r) {
    for (int b = 0; b < kBlocks; ++b) {
      U32 hi0, lo0, hi1, lo1;
      mul_hi_lo(c[b][0], m0, hi0, lo0);
      mul_hi_lo(c[b][2], m1, hi1, lo1);
      c[b][0] = bit_xor(bit_xor(hi1, c[b][1]), keys.k0[r]);
      c[b][1] = lo1;
      c[b][2] = bit_xor(bit_xor(hi0, c[b][3]), keys.k1[r]);
      c[b][3] = lo0;
    }
  }
}

// Runs the rounds over counters counter .. counter + n - 1, a step of kBlocks * kLanes at a time, and hands each
// step's words to emit(c, first, count): count < the step's length only for the last one.
template <class Emit>
inline void for_each_step(uint64_t seed, uint64_t counter, int64_t n, Emit emit) {
  constexpr int64_t kStep = kBlocks * kLanes;
  const Keys keys = round_keys(seed);
  U32 c[kBlocks][4];
  for (int64_t i = 0; i < n; i += kStep) {
    rounds(keys, counter + uint64_t(i), c);
    emit(c, i, n - i < kStep ? n - i : kStep);
  }
}

}  // namespace philox_lanes

// words[w * n + i] = word w of Philox4x32-10(seed, counter + i), for i < n: SimdTable::philox.
inline void philox_loop(uint64_t seed, uint64_t counter, int64_t n, uint32_t* words) {
  using namespace philox_lanes;
  for_each_step(seed, counter, n, [&](const U32(&c)[kBlocks][4], int64_t i, int64_t count) {
    if (count == kBlocks * kLanes) {
      for (int b = 0; b < kBlocks; ++b)
        for (int w = 0; w < 4; ++w) store(words + w * n + i + b * kLanes, c[b][w]);
      return;
    }
    alignas(64) uint32_t tail[4][kBlocks * kLanes];
    for (int b = 0; b < kBlocks; ++b)
      for (int w = 0; w < 4; ++w) store(tail[w] + b * kLanes, c[b][w]);
    for (int w = 0; w < 4; ++w)
      for (int64_t j = 0; j < count; ++j) words[w * n + i + j] = tail[w][j];
  });
}

// out[i] = 1.0f if bits53 of counter + i's first two words < threshold (kernels::bernoulli_threshold), else 0.0f:
// SimdTable::bernoulli_float, dropout's masks. The 53-bit comparison in 32-bit lanes: word 0 against the
// threshold's high 32 bits, and on a tie word 1's top 21 against its low 21.
inline void bernoulli_float_loop(uint64_t seed, uint64_t counter, int64_t n, uint64_t threshold, float* out) {
  using namespace philox_lanes;
  if (threshold >> 53) {  // p >= 1: every draw is 1 (and the high words below would not fit 32 bits)
    for (int64_t i = 0; i < n; ++i) out[i] = 1.0f;
    return;
  }
  const U32 high = splat(uint32_t(threshold >> 21)), low = splat(uint32_t(threshold & ((1u << 21) - 1)));
  const U32 one = splat(0x3f800000u);  // 1.0f's bits
  uint32_t* bits = reinterpret_cast<uint32_t*>(out);
  for_each_step(seed, counter, n, [&](const U32(&c)[kBlocks][4], int64_t i, int64_t count) {
    alignas(64) uint32_t tail[kBlocks * kLanes];
    uint32_t* to = count == kBlocks * kLanes ? bits + i : tail;
    for (int b = 0; b < kBlocks; ++b) {
      const U32 below = bit_or(less_mask(c[b][0], high),
                               bit_and(equal_mask(c[b][0], high), less_mask(shift_right(c[b][1], 11), low)));
      store(to + b * kLanes, bit_and(below, one));
    }
    if (to == tail) std::memcpy(out + i, tail, size_t(count) * sizeof(float));  // floats' storage: no aliasing
  });
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
