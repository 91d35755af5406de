// The math of the reductions of ops.def, shared by both backends: each op's identity and how two partial
// results combine (integers wrap, NaN wins max and min as it does maximum/minimum).
#pragma once

#include <limits>
#include <type_traits>

#include "elementwise_math.h"
#include "host_device.h"
#include "ops.h"
#include "wrapping.h"

namespace wick::kernels {

template <ReduceOp op, class A>
WICK_HOST_DEVICE A reduce_identity() {
  if constexpr (op == ReduceOp::Sum || op == ReduceOp::Any)
    return A(0);
  else if constexpr (op == ReduceOp::Prod || op == ReduceOp::All)
    return A(1);
  else if constexpr (op == ReduceOp::Max) {
    if constexpr (std::is_floating_point_v<A>)
      return -std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::lowest();
  } else {
    static_assert(op == ReduceOp::Min, "a reduction without its identity");
    if constexpr (std::is_floating_point_v<A>)
      return std::numeric_limits<A>::infinity();
    else
      return std::numeric_limits<A>::max();
  }
}

// The identity of a reduction chosen at run time; a switch with no default, so -Wswitch flags a new op.
template <class A>
WICK_HOST_DEVICE A reduce_identity(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum: return reduce_identity<ReduceOp::Sum, A>();
    case ReduceOp::Prod: return reduce_identity<ReduceOp::Prod, A>();
    case ReduceOp::Max: return reduce_identity<ReduceOp::Max, A>();
    case ReduceOp::Min: return reduce_identity<ReduceOp::Min, A>();
    case ReduceOp::All: return reduce_identity<ReduceOp::All, A>();
    case ReduceOp::Any: return reduce_identity<ReduceOp::Any, A>();
    case ReduceOp::kCount: break;
  }
  return A(0);
}

template <ReduceOp op, class A>
WICK_HOST_DEVICE A reduce_combine(A a, A b) {
  if constexpr (op == ReduceOp::Sum)
    return wrapping_add(a, b);
  else if constexpr (op == ReduceOp::Prod)
    return wrapping_mul(a, b);
  else if constexpr (op == ReduceOp::Max || op == ReduceOp::Min) {
    constexpr BinaryOp as_binary = op == ReduceOp::Max ? BinaryOp::Maximum : BinaryOp::Minimum;
    if constexpr (std::is_floating_point_v<A>)
      return float_binary<as_binary, ScalarMath>(a, b);
    else {
      IntFault none = IntFault::None;
      return int_binary<as_binary>(a, b, none);
    }
  } else if constexpr (op == ReduceOp::All)
    return A(a != A(0) && b != A(0));
  else {
    static_assert(op == ReduceOp::Any, "a reduction without its math");
    return A(a != A(0) || b != A(0));
  }
}

}  // namespace wick::kernels
