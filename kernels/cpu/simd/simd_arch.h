// What every per-instruction-set kernel header shares: the target (WICK_SIMD_ARCH) and its vector type, inside
// the per-arch namespace (WICK_SIMD_NAMESPACE). Each simd_<arch>.cpp defines both and is the only file compiled
// with that instruction set's flags.
//
// Everything in these headers lives in that namespace and avoids out-of-line std:: templates (std::vector,
// std::fill, std::min...): the linker merges those across files, and an AVX-512 copy could then run on a CPU
// without it.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

#include <xsimd/xsimd.hpp>

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

using Arch = WICK_SIMD_ARCH;
template <class T>
using Vec = xsimd::batch<T, Arch>;

// a * b + c rounded once, on every kernel set, so that an order of fused multiply-adds gives the same bits on all
// of them (deterministic numerics' GEMM). FMA3 and NEON have the instruction and xsimd::fma uses it; xsimd 8's
// AVX-512 fma is its generic multiply-then-add, so that set calls the instruction itself; SSE4.2 has none: there a
// float32 one is exact in float64 (a * b has 48 bits), rounded to odd (Boldo and Melquiond: float64's 53 bits >= 24
// + 2, so rounding that to float32 is the correctly rounded a * b + c), and a float64 one is the C library's, lane
// by lane.
// One element's a * b + c rounded once: the instruction in a set compiled with FMA, else the C library's fmaf/fma.
// The builtins, not std::fma: an inline std:: function compiled with FMA in one set's file could be the copy the
// linker keeps for a set without it.
template <class T>
inline T fused_multiply_add(T a, T b, T c) {
  if constexpr (std::is_same_v<T, float>)
    return __builtin_fmaf(a, b, c);
  else
    return __builtin_fma(a, b, c);
}

template <class T>
inline Vec<T> fused_multiply_add(const Vec<T>& a, const Vec<T>& b, const Vec<T>& c) {
#if defined(__x86_64__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    if constexpr (std::is_same_v<T, float>)
      return _mm512_fmadd_ps(a, b, c);
    else
      return _mm512_fmadd_pd(a, b, c);
  } else if constexpr (std::is_same_v<Arch, xsimd::sse4_2>) {
    if constexpr (std::is_same_v<T, float>) {
      const __m128i one = _mm_set1_epi64x(1), zero = _mm_setzero_si128();
      const __m128d sign = _mm_set1_pd(-0.0);
      auto half = [&](__m128d x, __m128d y, __m128d z) {
        const __m128d p = _mm_mul_pd(x, y);  // exact
        const __m128d s = _mm_add_pd(p, z);
        // TwoSum: s + err == p + z exactly.
        const __m128d bp = _mm_sub_pd(s, z), bz = _mm_sub_pd(s, bp);
        const __m128d err = _mm_add_pd(_mm_sub_pd(p, bp), _mm_sub_pd(z, bz));
        // Round to odd: an inexact s with an even significand moves one unit towards the exact sum (s is never 0
        // then: p + z is a multiple of 2^-298, which float64 holds).
        const __m128i bits = _mm_castpd_si128(s);
        const __m128i even = _mm_cmpeq_epi64(_mm_and_si128(bits, one), zero);
        const __m128i inexact = _mm_castpd_si128(_mm_cmpneq_pd(err, _mm_setzero_pd()));
        const __m128i finite = _mm_castpd_si128(_mm_cmpeq_pd(_mm_sub_pd(s, s), _mm_setzero_pd()));
        const __m128i away = _mm_cmpeq_epi64(_mm_castpd_si128(_mm_and_pd(_mm_xor_pd(err, s), sign)), zero);
        const __m128i step = _mm_or_si128(_mm_and_si128(away, one), _mm_andnot_si128(away, _mm_set1_epi64x(-1)));
        const __m128i move = _mm_and_si128(_mm_and_si128(even, inexact), finite);
        return _mm_cvtpd_ps(_mm_castsi128_pd(_mm_add_epi64(bits, _mm_and_si128(step, move))));
      };
      const __m128 lo = half(_mm_cvtps_pd(a), _mm_cvtps_pd(b), _mm_cvtps_pd(c));
      const __m128 hi =
          half(_mm_cvtps_pd(_mm_movehl_ps(a, a)), _mm_cvtps_pd(_mm_movehl_ps(b, b)), _mm_cvtps_pd(_mm_movehl_ps(c, c)));
      return _mm_movelh_ps(lo, hi);
    } else {
      alignas(16) T x[Vec<T>::size], y[Vec<T>::size], z[Vec<T>::size];
      a.store_aligned(x), b.store_aligned(y), c.store_aligned(z);
      for (size_t l = 0; l < Vec<T>::size; ++l) z[l] = fused_multiply_add(x[l], y[l], z[l]);
      return Vec<T>::load_aligned(z);
    }
  } else {
    static_assert(std::is_same_v<Vec<T>, xsimd::batch<T, xsimd::fma3<xsimd::avx2>>>, "a set without an FMA here");
    return xsimd::fma(a, b, c);
  }
#elif defined(__aarch64__)
  if constexpr (std::is_same_v<T, float>)
    return vfmaq_f32(c, a, b);
  else
    return vfmaq_f64(c, a, b);
#else
#error "fused_multiply_add: no kernel set for this target"
#endif
}

// a * b + c the fastest way the set has, for kernels whose order is free (the fast GEMM): fused where the set has
// the instruction (AVX-512 through fused_multiply_add, as xsimd 8 does not fuse there), a multiply then an add on
// SSE4.2 (exact emulation would cost ten times as much).
template <class T>
inline Vec<T> fast_multiply_add(const Vec<T>& a, const Vec<T>& b, const Vec<T>& c) {
#if defined(__x86_64__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) return fused_multiply_add(a, b, c);
#endif
  return xsimd::fma(a, b, c);
}

// Lanes a0 b0 a1 b1 ... of a's and b's low halves (kHigh: of their high halves), across the whole vector. xsimd 8's
// zip_lo and zip_hi interleave within each 128-bit lane on AVX and AVX-512; the compiler's shuffle builtin (GCC 12
// and clang both have __builtin_shufflevector) picks each set's permute instructions.
template <bool kHigh, class T>
inline Vec<T> interleave(const Vec<T>& a, const Vec<T>& b) {
  constexpr int W = int(Vec<T>::size);
  using Register = typename Vec<T>::register_type;
  const Register ra = a, rb = b;
  return [&]<int... L>(std::integer_sequence<int, L...>) {
    return Vec<T>(Register(__builtin_shufflevector(ra, rb, ((L % 2 ? W : 0) + L / 2 + (kHigh ? W / 2 : 0))...)));
  }(std::make_integer_sequence<int, W>{});
}

// The W x W block in rows[0, W), transposed in place: log2(W) rounds, each interleaving row i with row i + W / 2 into
// rows 2i and 2i + 1 (a perfect shuffle of the rows; log2(W) of them give the transpose).
template <class T>
inline void transpose(Vec<T>* rows) {
  constexpr int W = int(Vec<T>::size);
  for (int round = 1; round < W; round *= 2) {
    Vec<T> next[W];
    for (int i = 0; i < W / 2; ++i) {
      next[2 * i] = interleave<false>(rows[i], rows[i + W / 2]);
      next[2 * i + 1] = interleave<true>(rows[i], rows[i + W / 2]);
    }
    for (int i = 0; i < W; ++i) rows[i] = next[i];
  }
}

// The n elements at p in the first n lanes and zeros in the others (all zeros for n <= 0, a plain load for n >= the
// width), reading nothing past p[n - 1]: a dot product's last partial block, padded with zeros. AVX-512's and AVX2's
// masked loads (which do not touch the masked-off elements); elsewhere through a zeroed buffer.
template <class T>
inline Vec<T> load_leading(const T* p, int64_t n) {
  constexpr int64_t W = int64_t(Vec<T>::size);
  if (n >= W) return Vec<T>::load_unaligned(p);
  if (n <= 0) return Vec<T>(T(0));
#if defined(__AVX512F__)
  if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
    if constexpr (std::is_same_v<T, float>)
      return _mm512_maskz_loadu_ps(__mmask16((1u << n) - 1), p);
    else
      return _mm512_maskz_loadu_pd(__mmask8((1u << n) - 1), p);
  }
#elif defined(__AVX2__)
  if constexpr (std::is_base_of_v<xsimd::avx2, Arch>) {
    if constexpr (std::is_same_v<T, float>)
      return _mm256_maskload_ps(
          p, _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
    else
      return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3)));
  }
#endif
  alignas(64) T lanes[W] = {};
  for (int64_t l = 0; l < n; ++l) lanes[l] = p[l];
  return Vec<T>::load_aligned(lanes);
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
