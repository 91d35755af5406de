// Vectorised inner loops, compiled once per instruction set (x86-64: SSE4.2, AVX2+FMA, AVX-512, chosen at run
// time for the CPU at hand, so one portable binary runs at each machine's width; AArch64: NEON), and a portable
// scalar set. WICK_CPU_CAPABILITY=avx512|avx2|sse4_2|neon64|scalar picks one (an error if the CPU lacks it).
#pragma once

#include <cstdint>
#include <vector>

#include "backend.h"

namespace wick::cpu {

struct SimdTable {
  const char* name;
  // out[i] = op(a[i * sa], b[i * sb]) with sa, sb each 0 (broadcast scalar) or 1 (contiguous).
  using Binary = void (*)(const void* a, int64_t sa, const void* b, int64_t sb, void* out, int64_t n);
  // out[i] = cond[i * sc] ? a[i * sa] : b[i * sb], strides 0 or 1.
  using Where = void (*)(const bool* cond, int64_t sc, const void* a, int64_t sa, const void* b, int64_t sb, void* out,
                         int64_t n);
  // out[i] = op(in[i]; p0, p1), contiguous.
  using Unary = void (*)(const void* in, void* out, int64_t n, double p0, double p1);
  // Reduces n contiguous elements; `acc` holds the running value (same type as the data) and is updated.
  using Reduce = void (*)(const void* in, int64_t n, void* acc);
  // out[j] op= in[j] for n contiguous elements (accumulating one row into another).
  using ReduceRows = void (*)(const void* in, void* out, int64_t n);
  // C[M, N] = A[M, K] @ B[K, N] (+ C when accumulate), element strides (row, col) for each matrix. gemm sums in
  // whatever order is fastest; ordered_gemm (deterministic numerics mode) in one order (simd_gemm.h's kOrdered), each
  // multiply-add fused, so that every kernel set gives the scalar loop's bits.
  using Gemm = void (*)(int64_t M, int64_t N, int64_t K, const void* A, int64_t a_rs, int64_t a_cs, const void* B,
                        int64_t b_rs, int64_t b_cs, void* C, int64_t c_rs, bool accumulate);
  // n contiguous float32 values to bfloat16 (simd/bf16_convert.h).
  using Convert = void (*)(const void* in, void* out, int64_t n);
  // words[w * n + i] = word w (0-3) of Philox4x32-10(seed, counter + i) (kernels/common/philox.h), i < n.
  using Philox = void (*)(uint64_t seed, uint64_t counter, int64_t n, uint32_t* words);
  // out[i] = 1.0f where kernels::bits53 of words 0 and 1 of Philox4x32-10(seed, counter + i) < threshold
  // (kernels::bernoulli_threshold), else 0.0f: random()'s Bernoulli draw into float32, dropout's masks.
  using BernoulliFloat = void (*)(uint64_t seed, uint64_t counter, int64_t n, uint64_t threshold, float* out);

  // Indexed [op][0: float, 1: double] over every op of ops.def; null where the op has no float kernel here (bool
  // results, All/Any), which kernels/cpu never asks for.
  Binary binary[kNumOps<BinaryOp>][2];
  Where where[2];
  Unary unary[kNumOps<UnaryOp>][2];
  // float32, for the ops deterministic_math.h's uses_deterministic_math names (the vector sets: those
  // vectorised_deterministic_math names; null for the others): their math over deterministic numerics mode's
  // functions, on this set's vectors, with the scalar loop's bits.
  Unary deterministic_unary[kNumOps<UnaryOp>];
  Reduce reduce[kNumOps<ReduceOp>][2];
  ReduceRows reduce_rows[kNumOps<ReduceOp>][2];
  Gemm gemm[2];
  Gemm ordered_gemm;  // float32 (the scalar set's serves float64)
  Convert float_to_bf16;
  Philox philox;
  BernoulliFloat bernoulli_float;
};

// The table the CPU backend runs: simd_table_deterministic() in deterministic numerics mode, else
// chosen_simd_table().
const SimdTable& simd_table();
const SimdTable& chosen_simd_table();  // the widest table this CPU runs, or WICK_CPU_CAPABILITY's

const SimdTable& simd_table_deterministic();  // deterministic_numerics.h

const SimdTable& simd_table_scalar();
// Every kernel set this CPU can run, widest first (the tests check each one).
std::vector<const SimdTable*> runnable_simd_tables();

#if defined(__aarch64__)
const SimdTable& simd_table_neon64();
#else
const SimdTable& simd_table_sse4_2();
const SimdTable& simd_table_avx2();
const SimdTable& simd_table_avx512();
#endif

}  // namespace wick::cpu
