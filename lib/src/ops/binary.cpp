// Arithmetic between two tensors or a tensor and a scalar, with PyTorch's promotion and broadcasting, and
// each derivative beside its forward. The engine sums gradients back to each input's shape.
#include <cmath>

#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;
using detail::save_if;
using detail::save_output;

namespace {
// As PyTorch, an integer exponent must fit the integer dtype it raises. The kernels carry scalars as doubles, so
// int64 exponents are exact only up to 2^53; beyond that the parity that decides odd bases' results is lost.
void check_integer_exponent(int64_t exponent, ScalarType dtype) {
  const int64_t limit = dtype == kUInt8 ? 255 : dtype == kInt32 ? INT32_MAX : int64_t(1) << 53;
  WICK_CHECK(exponent <= limit, "pow", "exponent ", exponent, " cannot be converted to ", dtype_name(dtype),
             " without overflow (largest: ", limit, ")");
}

void check_not_bool_sub(const char* op, ScalarType a, ScalarType b) {
  WICK_CHECK(!(a == kBool && b == kBool), op,
             "subtraction with two bool tensors is not supported; use logical_xor() instead");
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b, Scalar alpha) {
  WICK_PROFILE_OP("add", a, b);
  if (alpha.to_double() != 1) return add(a, mul(b, alpha));
  Tensor out = binary_kernel("add", BinaryOp::Add, a, b, result_type(a, b));
  if (record_needed(a, b))
    record("add", {&a, &b}, out, [](Grads g) {
      g.in[0] = g.out[0];
      g.in[1] = g.out[0];
    });
  return out;
}

Tensor add(const Tensor& a, Scalar b, Scalar alpha) {
  WICK_PROFILE_OP("add", a);
  const double bv = b.to_double() * alpha.to_double();
  Tensor out = binary_kernel("add", BinaryOp::Add, a, alpha.to_double() != 1 ? Scalar(bv) : b, result_type(a, b));
  if (record_needed(a)) record({"add", 1}, {&a}, out, [](Grads g) { g.in[0] = g.out[0]; });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b, Scalar alpha) {
  WICK_PROFILE_OP("sub", a, b);
  check_not_bool_sub("sub", a.dtype(), b.dtype());
  if (alpha.to_double() != 1) return sub(a, mul(b, alpha));
  Tensor out = binary_kernel("sub", BinaryOp::Sub, a, b, result_type(a, b));
  if (record_needed(a, b))
    record("sub", {&a, &b}, out, [](Grads g) {
      g.in[0] = g.out[0];
      if (g.needed(1)) g.in[1] = neg(g.out[0]);
    });
  return out;
}

Tensor sub(const Tensor& a, Scalar b, Scalar alpha) {
  WICK_PROFILE_OP("sub", a);
  const uint64_t since = detail::tape_position();
  // Integers negate in two's complement, as the subtraction itself wraps: -INT64_MIN is INT64_MIN, and
  // a + INT64_MIN == a - INT64_MIN modulo 2^64 (negating it as int64_t is undefined behaviour).
  const Scalar negated = b.is_floating_point() ? Scalar(-b.to_double()) : Scalar(int64_t(0 - uint64_t(b.to_long())));
  return detail::named(add(a, negated, alpha), {"sub", 1}, since);
}

Tensor mul(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("mul", a, b);
  Tensor out = binary_kernel("mul", BinaryOp::Mul, a, b, result_type(a, b));
  if (record_needed(a, b))
    // Each factor is saved only for the other's gradient, as PyTorch does: x * constant keeps no x alive.
    record("mul", {&a, &b}, out, [sa = save_if(b.requires_grad(), a), sb = save_if(a.requires_grad(), b)](Grads g) {
      if (g.needed(0)) g.in[0] = g.out[0] * sb.get();
      if (g.needed(1)) g.in[1] = g.out[0] * sa.get();
    });
  return out;
}

Tensor mul(const Tensor& a, Scalar b) {
  WICK_PROFILE_OP("mul", a);
  Tensor out = binary_kernel("mul", BinaryOp::Mul, a, b, result_type(a, b));
  if (record_needed(a)) record({"mul", 1}, {&a}, out, [b](Grads g) { g.in[0] = g.out[0] * b; });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("div", a, b);
  Tensor out = binary_kernel("div", BinaryOp::Div, a, b, to_floating(result_type(a, b)));
  if (record_needed(a, b))
    record("div", {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      const Tensor vb = sb.get();
      if (g.needed(0)) g.in[0] = g.out[0] / vb;
      if (g.needed(1)) g.in[1] = -g.out[0] * sa.get() / (vb * vb);
    });
  return out;
}

Tensor div(const Tensor& a, Scalar b) {
  WICK_PROFILE_OP("div", a);
  Tensor out = binary_kernel("div", BinaryOp::Div, a, b, to_floating(result_type(a, b)));
  if (record_needed(a)) record({"div", 1}, {&a}, out, [b](Grads g) { g.in[0] = g.out[0] / b; });
  return out;
}

Tensor remainder(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("remainder", a, b);
  Tensor out = binary_kernel("remainder", BinaryOp::Remainder, a, b, result_type(a, b));
  if (record_needed(a, b))
    record({"remainder", 1}, {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      g.in[0] = g.out[0];
      if (g.needed(1)) g.in[1] = -g.out[0] * floor(sa.get() / sb.get());
    });
  return out;
}

Tensor remainder(const Tensor& a, Scalar b) {
  WICK_PROFILE_OP("remainder", a);
  Tensor out = binary_kernel("remainder", BinaryOp::Remainder, a, b, result_type(a, b));
  if (record_needed(a)) record("remainder", {&a}, out, [](Grads g) { g.in[0] = g.out[0]; });
  return out;
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  WICK_PROFILE_OP("pow", base, exponent);
  WICK_CHECK(result_type(base, exponent) != kBool, "pow", "not supported on bool tensors");
  Tensor out = binary_kernel("pow", BinaryOp::Pow, base, exponent, result_type(base, exponent));
  if (record_needed(base, exponent))
    record({"pow", 1}, {&base, &exponent}, out, [sa = save(base), sb = save(exponent), so = save_output(out)](Grads g) {
      const Tensor a = sa.get(), e = sb.get();
      if (g.needed(0)) g.in[0] = where(e == 0, 0, g.out[0] * e * pow(a, e - 1));
      // d/de a^e = a^e log a; PyTorch defines it as 0 where a == 0 and e >= 0
      if (g.needed(1)) g.in[1] = where(logical_and(a == 0, e >= 0), 0, g.out[0] * so.get() * log(a));
    });
  return out;
}

Tensor pow(const Tensor& base, Scalar exponent) {
  WICK_PROFILE_OP("pow", base);
  WICK_CHECK(!(is_integral(base.dtype(), true) && exponent.is_integral() && exponent.to_long() < 0), "pow",
             "integers to negative integer powers are not allowed (exponent ", exponent.to_long(), ")");
  const ScalarType out_type = result_type(base, exponent);
  if (is_integral(out_type)) check_integer_exponent(exponent.to_long(), out_type);
  Tensor out = unary_kernel(UnaryOp::PowScalar, base, out_type, exponent.to_double());
  if (record_needed(base))
    record("pow", {&base}, out, [sa = save(base), exponent](Grads g) {
      const double p = exponent.to_double();
      if (p == 0)
        g.in[0] = zeros_like(g.out[0]);
      else
        g.in[0] = g.out[0] * pow(sa.get(), p - 1) * p;
    });
  return out;
}

Tensor pow(Scalar base, const Tensor& exponent) {
  WICK_PROFILE_OP("pow", exponent);
  const uint64_t since = detail::tape_position();
  const Tensor b = full({}, base, TensorOptions().dtype(result_type(exponent, base)).device(exponent.device()));
  return detail::named(pow(b, exponent), {"pow", 2}, since);
}

Tensor maximum(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("maximum", a, b);
  Tensor out = binary_kernel("maximum", BinaryOp::Maximum, a, b, result_type(a, b));
  if (record_needed(a, b))
    record("maximum", {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      const Tensor va = sa.get(), vb = sb.get();
      const Tensor shared = where(va == vb, g.out[0] / 2, g.out[0]);  // ties split the gradient, as PyTorch
      if (g.needed(0)) g.in[0] = masked_fill(shared, va < vb, 0);
      if (g.needed(1)) g.in[1] = masked_fill(shared, va > vb, 0);
    });
  return out;
}

Tensor minimum(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("minimum", a, b);
  Tensor out = binary_kernel("minimum", BinaryOp::Minimum, a, b, result_type(a, b));
  if (record_needed(a, b))
    record("minimum", {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      const Tensor va = sa.get(), vb = sb.get();
      const Tensor shared = where(va == vb, g.out[0] / 2, g.out[0]);
      if (g.needed(0)) g.in[0] = masked_fill(shared, va > vb, 0);
      if (g.needed(1)) g.in[1] = masked_fill(shared, va < vb, 0);
    });
  return out;
}

// LibTorch's aliases: torch::max(a, b) is maximum, so errors and the tape name maximum/minimum.
Tensor max(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("max", a, b);
  return maximum(a, b);
}
Tensor min(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("min", a, b);
  return minimum(a, b);
}

Tensor atan2(const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("atan2", a, b);
  Tensor out = binary_kernel("atan2", BinaryOp::Atan2, a, b, to_floating(result_type(a, b)));
  if (record_needed(a, b))
    record("atan2", {&a, &b}, out, [sa = save(a), sb = save(b)](Grads g) {
      const Tensor va = sa.get(), vb = sb.get();
      const Tensor denom = va * va + vb * vb;
      if (g.needed(0)) g.in[0] = g.out[0] * vb / denom;
      if (g.needed(1)) g.in[1] = -g.out[0] * va / denom;
    });
  return out;
}

Tensor lerp(const Tensor& start, const Tensor& end, Scalar weight) {
  WICK_PROFILE_OP("lerp", start, end);
  broadcast_shape("lerp", start.sizes(), end.sizes());
  WICK_CHECK(is_floating_point(start.dtype()) && is_floating_point(end.dtype()), "lerp",
             "expected floating point tensors, got ", dtype_name(start.dtype()), " and ", dtype_name(end.dtype()));
  const uint64_t since = detail::tape_position();
  return detail::named(start + (end - start) * weight, "lerp", since);
}

Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  WICK_PROFILE_OP("lerp", start, end, weight);
  broadcast_shape("lerp", broadcast_shape("lerp", start.sizes(), end.sizes()), weight.sizes());
  WICK_CHECK(is_floating_point(start.dtype()) && is_floating_point(end.dtype()) && is_floating_point(weight.dtype()),
             "lerp", "expected floating point tensors, got ", dtype_name(start.dtype()), ", ", dtype_name(end.dtype()),
             " and ", dtype_name(weight.dtype()));
  const uint64_t since = detail::tape_position();
  return detail::named(start + (end - start) * weight, {"lerp", 1}, since);  // LerpBackward1
}

// ---- operators ----------------------------------------------------------------------------------------
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
Tensor operator+(const Tensor& a, Scalar b) { return add(a, b); }
Tensor operator-(const Tensor& a, Scalar b) { return sub(a, b); }
Tensor operator*(const Tensor& a, Scalar b) { return mul(a, b); }
Tensor operator/(const Tensor& a, Scalar b) { return div(a, b); }
Tensor operator%(const Tensor& a, Scalar b) { return remainder(a, b); }
Tensor operator+(Scalar a, const Tensor& b) { return add(b, a); }
Tensor operator-(Scalar a, const Tensor& b) {
  const uint64_t since = detail::tape_position();
  return detail::named(add(neg(b), a), "sub", since);  // LibTorch's node: SubBackward0
}
Tensor operator*(Scalar a, const Tensor& b) { return mul(b, a); }
Tensor operator/(Scalar a, const Tensor& b) {
  const uint64_t since = detail::tape_position();
  return detail::named(mul(reciprocal(b), a), "div", since);  // LibTorch's node: DivBackward0
}

Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator+=(Tensor& a, Scalar b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, Scalar b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, Scalar b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, Scalar b) { return a.div_(b); }

}  // namespace wick
