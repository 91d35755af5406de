// Builds one instruction set's SimdTable from the loops of simd_kernels.h and simd_gemm.h.
#pragma once

#include "simd/simd_gemm.h"
#include "simd/simd_kernels.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

// ---- the table: every value-producing float op of ops.def (bool-producing ones stay null) -------------------
template <BinaryOp op>
void fill_op(SimdTable& t) {
  if constexpr (!produces_bool(op)) {
    t.binary[int(op)][0] = &binary_loop<BinaryF<op>, float>;
    t.binary[int(op)][1] = &binary_loop<BinaryF<op>, double>;
  }
}
template <UnaryOp op>
void fill_op(SimdTable& t) {
  if constexpr (!produces_bool(op)) {
    t.unary[int(op)][0] = &unary_loop<op, float>;
    t.unary[int(op)][1] = &unary_loop<op, double>;
  }
}
template <class Op, int... Is>
void fill_ops(SimdTable& t, std::integer_sequence<int, Is...>) {
  (fill_op<Op(Is)>(t), ...);
}

template <ReduceOp op>
void fill_reduce(SimdTable& t) {
  t.reduce[int(op)][0] = &reduce_loop<op, float>;
  t.reduce[int(op)][1] = &reduce_loop<op, double>;
  t.reduce_rows[int(op)][0] = &reduce_rows_loop<op, float>;
  t.reduce_rows[int(op)][1] = &reduce_rows_loop<op, double>;
}

SimdTable make_table(const char* name) {
  SimdTable t{};
  t.name = name;
  fill_ops<BinaryOp>(t, std::make_integer_sequence<int, kNumOps<BinaryOp>>{});
  fill_ops<UnaryOp>(t, std::make_integer_sequence<int, kNumOps<UnaryOp>>{});
  t.where[0] = &where_loop<float>;
  t.where[1] = &where_loop<double>;
  fill_reduce<ReduceOp::Sum>(t);  // All and Any reduce bools: the plain loops of kernels/cpu/reduce.cpp
  fill_reduce<ReduceOp::Prod>(t);
  fill_reduce<ReduceOp::Max>(t);
  fill_reduce<ReduceOp::Min>(t);
  t.gemm[0] = &gemm_entry<float>;
  t.gemm[1] = &gemm_entry<double>;
  return t;
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
