// Fills a SimdTable from a set of loop templates, for every value-producing float op of ops.def (bool-producing
// ones, and the All/Any reductions, stay null: kernels/cpu never asks the table for them). Each kernel set gives
// its loops as static member templates of one struct:
//   Loops::binary<BinaryOp, T>, Loops::unary<UnaryOp, T>, Loops::where<T>, Loops::reduce<ReduceOp, T>,
//   Loops::reduce_rows<ReduceOp, T>, Loops::gemm<T>, Loops::ordered_gemm<T>, Loops::deterministic_unary<UnaryOp>,
//   Loops::float_to_bf16, Loops::philox, Loops::bernoulli_float
// with the signatures of SimdTable's function pointers, and kScalar: whether they are the portable scalar loops.
#pragma once

#include <utility>

#include "deterministic_math.h"  // uses_deterministic_math
#include "simd/simd_table.h"

namespace wick::cpu {

template <class Loops>
struct SimdTableBuilder {
  template <int... Is>
  static void binary_ops(SimdTable& t, std::integer_sequence<int, Is...>) {
    (binary_op<BinaryOp(Is)>(t), ...);
  }
  template <BinaryOp op>
  static void binary_op(SimdTable& t) {
    if constexpr (!produces_bool(op)) {
      t.binary[int(op)][0] = &Loops::template binary<op, float>;
      t.binary[int(op)][1] = &Loops::template binary<op, double>;
    }
  }
  template <int... Is>
  static void unary_ops(SimdTable& t, std::integer_sequence<int, Is...>) {
    (unary_op<UnaryOp(Is)>(t), ...);
  }
  template <UnaryOp op>
  static void unary_op(SimdTable& t) {
    if constexpr (!produces_bool(op)) {
      t.unary[int(op)][0] = &Loops::template unary<op, float>;
      t.unary[int(op)][1] = &Loops::template unary<op, double>;
    }
    if constexpr (uses_deterministic_math(op) && (Loops::kScalar || vectorised_deterministic_math(op)))
      t.deterministic_unary[int(op)] = &Loops::template deterministic_unary<op>;
  }
  template <ReduceOp op>
  static void reduce_op(SimdTable& t) {
    t.reduce[int(op)][0] = &Loops::template reduce<op, float>;
    t.reduce[int(op)][1] = &Loops::template reduce<op, double>;
    t.reduce_rows[int(op)][0] = &Loops::template reduce_rows<op, float>;
    t.reduce_rows[int(op)][1] = &Loops::template reduce_rows<op, double>;
  }

  static SimdTable build(const char* name) {
    SimdTable t{};
    t.name = name;
    binary_ops(t, std::make_integer_sequence<int, kNumOps<BinaryOp>>{});
    unary_ops(t, std::make_integer_sequence<int, kNumOps<UnaryOp>>{});
    t.where[0] = &Loops::template where<float>;
    t.where[1] = &Loops::template where<double>;
    reduce_op<ReduceOp::Sum>(t);
    reduce_op<ReduceOp::Prod>(t);
    reduce_op<ReduceOp::Max>(t);
    reduce_op<ReduceOp::Min>(t);
    t.gemm[0] = &Loops::template gemm<float>;
    t.gemm[1] = &Loops::template gemm<double>;
    t.ordered_gemm = &Loops::ordered_gemm;
    t.float_to_bf16 = &Loops::float_to_bf16;
    t.philox = &Loops::philox;
    t.bernoulli_float = &Loops::bernoulli_float;
    return t;
  }
};

}  // namespace wick::cpu
