// The elementwise and reduction primitives as enums, with the facts every layer asks about them, all
// generated from ops.def. Adding a primitive is one line there plus its math in
// kernels/common/elementwise_math.h; nothing here depends on the order of the lines.
#pragma once

#include <cstdint>
#include <type_traits>
#include <utility>

namespace wick {

enum class UnaryOp : uint8_t {
#define WICK_UNARY_OP(name, result, integers) name,
#include "ops.def"
  kCount
};

enum class BinaryOp : uint8_t {
#define WICK_BINARY_OP(name, result, integers) name,
#include "ops.def"
  kCount
};

enum class ReduceOp : uint8_t {
#define WICK_REDUCE_OP(name) name,
#include "ops.def"
  kCount
};

enum class ArgReduceOp : uint8_t { ArgMax, ArgMin };

namespace detail {
struct OpTraits {
  const char* name;
  bool bool_result;     // Bool in ops.def: the output is a bool tensor whatever the input
  bool takes_integers;  // Int in ops.def: defined on integer and bool tensors too
};
inline constexpr bool kResultSame = false, kResultBool = true, kTakesFloat = false, kTakesInt = true;
inline constexpr OpTraits kUnaryTraits[] = {
#define WICK_UNARY_OP(name, result, integers) {#name, kResult##result, kTakes##integers},
#include "ops.def"
};
inline constexpr OpTraits kBinaryTraits[] = {
#define WICK_BINARY_OP(name, result, integers) {#name, kResult##result, kTakes##integers},
#include "ops.def"
};
inline constexpr const char* kReduceNames[] = {
#define WICK_REDUCE_OP(name) #name,
#include "ops.def"
};
static_assert(sizeof(kUnaryTraits) / sizeof(OpTraits) == size_t(UnaryOp::kCount));
static_assert(sizeof(kBinaryTraits) / sizeof(OpTraits) == size_t(BinaryOp::kCount));
static_assert(sizeof(kReduceNames) / sizeof(const char*) == size_t(ReduceOp::kCount));
}  // namespace detail

inline constexpr bool produces_bool(UnaryOp op) { return detail::kUnaryTraits[int(op)].bool_result; }
inline constexpr bool produces_bool(BinaryOp op) { return detail::kBinaryTraits[int(op)].bool_result; }
inline constexpr bool takes_integers(UnaryOp op) { return detail::kUnaryTraits[int(op)].takes_integers; }
inline constexpr bool takes_integers(BinaryOp op) { return detail::kBinaryTraits[int(op)].takes_integers; }
inline constexpr const char* op_name(UnaryOp op) { return detail::kUnaryTraits[int(op)].name; }
inline constexpr const char* op_name(BinaryOp op) { return detail::kBinaryTraits[int(op)].name; }
inline constexpr const char* op_name(ReduceOp op) { return detail::kReduceNames[int(op)]; }
template <class Op>
inline constexpr int kNumOps = int(Op::kCount);

namespace detail {
template <class Op, class F, int... I>
constexpr void visit_op(Op op, F&& f, std::integer_sequence<int, I...>) {
  ((int(op) == I ? (f(std::integral_constant<Op, Op(I)>{}), 0) : 0), ...);
}
}  // namespace detail

// Calls f(std::integral_constant<Op, op>) for the run-time `op`: one instantiation of f per primitive, so a
// kernel can pick its per-op code with `if constexpr` outside its inner loop.
template <class Op, class F>
constexpr void visit_op(Op op, F&& f) {
  detail::visit_op(op, f, std::make_integer_sequence<int, kNumOps<Op>>{});
}

}  // namespace wick
