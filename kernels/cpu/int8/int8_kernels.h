// The CPU's int8 kernel sets for dynamic quantization (int8_quantization.h has the arithmetic), one per instruction
// set: AVX512-VNNI and AVX-VNNI (vpdpbusd: four u8 x s8 products summed into each int32 lane), AVX2 and SSE4.2
// (vpmaddubsw into 16-bit pairs, which 7-bit activations keep from saturating, then vpmaddwd), NEON (sdot on CPUs
// with the dot-product extension, widening multiplies otherwise) and plain C++. The sums are exact integers,
// so every set computes the same bits; the tests check each one against the plain set.
#pragma once

#include <cstdint>
#include <vector>

#include "int8_quantization.h"

namespace wick::cpu {

struct Int8Kernels {
  const char* name;
  // The SimdTable set (simd/simd_table.h) this one belongs with: WICK_CPU_CAPABILITY=avx2 picks the widest int8
  // set of at most that width.
  const char* simd_set;
  bool (*runs_here)();
  // *min and *max of x[0, n) (n >= 1); false when one of them is a NaN or an infinity.
  bool (*min_max)(const float* x, int64_t n, float* min, float* max);
  // Rows of x [M, K] quantized with p into q: M rows of int8::padded_k(K) bytes, the padding zero.
  void (*quantize)(const float* x, int64_t M, int64_t K, int8::ActivationParams p, uint8_t* q);
  // out [M, N] (row stride N) for the output channels of panels [p0, p1), from q (as quantize wrote it) and the
  // packed weight; combined[n] = float(sx * scale[n]); bias may be null.
  void (*gemm)(const uint8_t* q, int64_t M, int64_t K, const int8_t* packed, int64_t p0, int64_t p1, int64_t N,
               int32_t zero_point, const float* combined, const int32_t* col_sum, const float* bias, float* out);
};

// The set this CPU runs (the widest, or the widest within WICK_CPU_CAPABILITY's width).
const Int8Kernels& int8_kernels();
// Every set this CPU can run, widest first (the tests check each one).
std::vector<const Int8Kernels*> runnable_int8_kernels();

const Int8Kernels& int8_kernels_scalar();
#if defined(__aarch64__)
const Int8Kernels& int8_kernels_neon_dot();
const Int8Kernels& int8_kernels_neon();
#else
const Int8Kernels& int8_kernels_sse4_2();
const Int8Kernels& int8_kernels_avx2();
const Int8Kernels& int8_kernels_avx_vnni();
const Int8Kernels& int8_kernels_avx512_vnni();
#endif

}  // namespace wick::cpu
