// The vector parts of an int8 kernel set besides the GEMM (int8_gemm_tiles.h): the activations' range and their
// quantization, written once against xsimd::batch for the set's WICK_SIMD_ARCH.
#pragma once

#include "int8/int8_gemm_tiles.h"
#include "simd/simd_arch.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

inline bool min_max(const float* x, int64_t n, float* out_min, float* out_max) {
  constexpr int64_t W = Vec<float>::size;
  const Vec<float> inf(std::numeric_limits<float>::infinity());
  Vec<float> lo(x[0]), hi(x[0]);
  auto finite = xsimd::abs(lo) < inf;
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const Vec<float> v = Vec<float>::load_unaligned(x + i);
    lo = xsimd::min(lo, v);
    hi = xsimd::max(hi, v);
    finite = finite && (xsimd::abs(v) < inf);  // false for NaN too
  }
  bool all_finite = xsimd::all(finite);
  alignas(64) float lo_lanes[W], hi_lanes[W];
  lo.store_aligned(lo_lanes);
  hi.store_aligned(hi_lanes);
  float mn = lo_lanes[0], mx = hi_lanes[0];
  for (int64_t l = 1; l < W; ++l) {
    mn = lo_lanes[l] < mn ? lo_lanes[l] : mn;
    mx = hi_lanes[l] > mx ? hi_lanes[l] : mx;
  }
  for (; i < n; ++i) {
    all_finite = all_finite && std::abs(x[i]) < std::numeric_limits<float>::infinity();
    mn = x[i] < mn ? x[i] : mn;
    mx = x[i] > mx ? x[i] : mx;
  }
  *out_min = mn;
  *out_max = mx;
  return all_finite;
}

// int8::quantize_activation, a vector at a time: the same product, rounding (to nearest even) and clamp.
inline void quantize(const float* x, int64_t M, int64_t K, int8::ActivationParams p, uint8_t* q) {
  constexpr int64_t W = Vec<float>::size;
  const int64_t Kp = int8::padded_k(K);
  const Vec<float> inv(p.inverse_scale);
  const Vec<int32_t> zero_point(p.zero_point), lo(0), hi(int8::kActivationMax);
  alignas(64) int32_t lanes[W];
  for (int64_t m = 0; m < M; ++m) {
    const float* row = x + m * K;
    uint8_t* out = q + m * Kp;
    int64_t k = 0;
    for (; k + W <= K; k += W) {
      const Vec<int32_t> v = xsimd::nearbyint_as_int(Vec<float>::load_unaligned(row + k) * inv) + zero_point;
      xsimd::min(xsimd::max(v, lo), hi).store_aligned(lanes);
      for (int64_t l = 0; l < W; ++l) out[k + l] = uint8_t(lanes[l]);
    }
    for (; k < K; ++k) out[k] = int8::quantize_activation(row[k], p);
    for (; k < Kp; ++k) out[k] = 0;
  }
}

template <class Isa>
Int8Kernels make_int8_kernels(const char* name, const char* simd_set, bool (*runs_here)()) {
  return {name, simd_set, runs_here, &min_max, &quantize, &gemm<Isa>};
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
