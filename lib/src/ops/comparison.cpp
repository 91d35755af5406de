// Comparisons and logical ops: bool results, no gradient.
#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/ops.h"

namespace wick {

#define WICK_COMPARISON(NAME, OP, SYMBOL)                                         \
  Tensor NAME(const Tensor& a, const Tensor& b) {                                 \
    WICK_PROFILE_OP(#NAME, a, b);                                                 \
    return binary_kernel(#NAME, BinaryOp::OP, a, b, result_type(a, b));           \
  }                                                                               \
  Tensor NAME(const Tensor& a, Scalar b) {                                        \
    WICK_PROFILE_OP(#NAME, a);                                                    \
    return binary_kernel(#NAME, BinaryOp::OP, a, b, result_type(a, b));           \
  }                                                                               \
  Tensor operator SYMBOL(const Tensor& a, const Tensor& b) { return NAME(a, b); } \
  Tensor operator SYMBOL(const Tensor& a, Scalar b) { return NAME(a, b); }

WICK_COMPARISON(eq, Eq, ==)
WICK_COMPARISON(ne, Ne, !=)
WICK_COMPARISON(lt, Lt, <)
WICK_COMPARISON(le, Le, <=)
WICK_COMPARISON(gt, Gt, >)
WICK_COMPARISON(ge, Ge, >=)
#undef WICK_COMPARISON

Tensor logical_and(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("logical_and", a, b);
  return binary_kernel("logical_and", BinaryOp::LogicalAnd, a, b, result_type(a, b));
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("logical_or", a, b);
  return binary_kernel("logical_or", BinaryOp::LogicalOr, a, b, result_type(a, b));
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("logical_xor", a, b);
  return binary_kernel("logical_xor", BinaryOp::LogicalXor, a, b, result_type(a, b));
}
Tensor operator&&(const Tensor& a, const Tensor& b) { return logical_and(a, b); }
Tensor operator||(const Tensor& a, const Tensor& b) { return logical_or(a, b); }
Tensor operator!(const Tensor& x) { return logical_not(x); }

}  // namespace wick

namespace wick {

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  WICK_PROFILE_OP("isclose", a, b);
  const ScalarType dt = to_floating(result_type(a, b));
  const Tensor x = a.to(dt), y = b.to(dt);
  Tensor close = abs(x - y) <= abs(y) * rtol + atol;
  close = logical_or(close, x == y);  // equal infinities
  if (equal_nan) close = logical_or(close, logical_and(isnan(x), isnan(y)));
  return close;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  WICK_PROFILE_OP("allclose", a, b);
  return isclose(a, b, rtol, atol, equal_nan).all().item<bool>();
}

bool equal(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("equal", a, b);
  if (!IntArrayRef(a.sizes()).equals(b.sizes())) return false;
  return eq(a, b).all().item<bool>();
}

}  // namespace wick
