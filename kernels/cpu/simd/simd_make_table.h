// Builds one instruction set's SimdTable from the loops of simd_kernels.h and simd_gemm.h.
#pragma once

#include "simd/bf16_convert.h"
#include "simd/simd_deterministic.h"
#include "simd/simd_gemm.h"
#include "simd/simd_kernels.h"
#include "simd/simd_philox.h"
#include "simd/simd_table_builder.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

// This instruction set's loops, as simd_table_builder.h takes them.
struct VectorLoops {
  static constexpr bool kScalar = false;
  template <BinaryOp op, class T>
  static void binary(const void* a, int64_t sa, const void* b, int64_t sb, void* out, int64_t n) {
    binary_loop<BinaryF<op>, T>(a, sa, b, sb, out, n);
  }
  template <UnaryOp op, class T>
  static void unary(const void* in, void* out, int64_t n, double p0, double p1) {
    unary_loop<op, T>(in, out, n, p0, p1);
  }
  template <UnaryOp op>
  static void deterministic_unary(const void* in, void* out, int64_t n, double p0, double p1) {
    unary_loop<op, float, DeterministicVectorMath>(in, out, n, p0, p1);
  }
  template <class T>
  static void where(const bool* c, int64_t sc, const void* a, int64_t sa, const void* b, int64_t sb, void* out,
                    int64_t n) {
    where_loop<T>(c, sc, a, sa, b, sb, out, n);
  }
  template <ReduceOp op, class T>
  static void reduce(const void* in, int64_t n, void* acc) {
    reduce_loop<op, T>(in, n, acc);
  }
  template <ReduceOp op, class T>
  static void reduce_rows(const void* in, void* out, int64_t n) {
    reduce_rows_loop<op, T>(in, out, n);
  }
  template <class T>
  static void gemm(int64_t M, int64_t N, int64_t K, const void* A, int64_t a_rs, int64_t a_cs, const void* B,
                   int64_t b_rs, int64_t b_cs, void* C, int64_t c_rs, bool accumulate) {
    gemm_entry<T, false>(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate);
  }
  static void ordered_gemm(int64_t M, int64_t N, int64_t K, const void* A, int64_t a_rs, int64_t a_cs, const void* B,
                           int64_t b_rs, int64_t b_cs, void* C, int64_t c_rs, bool accumulate) {
    gemm_entry<float, true>(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate);
  }
  static void float_to_bf16(const void* in, void* out, int64_t n) { float_to_bf16_loop(in, out, n); }
  static void philox(uint64_t seed, uint64_t counter, int64_t n, uint32_t* words) {
    philox_loop(seed, counter, n, words);
  }
  static void bernoulli_float(uint64_t seed, uint64_t counter, int64_t n, uint64_t threshold, float* out) {
    bernoulli_float_loop(seed, counter, n, threshold, out);
  }
};

inline SimdTable make_table(const char* name) { return SimdTableBuilder<VectorLoops>::build(name); }

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
