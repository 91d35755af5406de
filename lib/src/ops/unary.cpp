// Elementwise functions of one tensor, each with its derivative beside it. Floating-only functions turn
// integer inputs into float32, as PyTorch does.
#include <cmath>

#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;
using detail::save_output;

namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double k2InvSqrtPi = 1.12837916709551257390;

// Applies an op that keeps integer dtypes (neg, abs, relu...); as in PyTorch, none of them takes bool.
Tensor same_type(const char* name, UnaryOp op, const Tensor& x, double p0 = 0, double p1 = 0) {
  WICK_CHECK(x.dtype() != kBool, name, "not supported on bool tensors",
             op == UnaryOp::Neg ? "; use logical_not() instead" : "");
  return unary_kernel(op, x, x.dtype(), p0, p1);
}
// Applies a math function that is only defined on floating types: integers become float32, as in PyTorch.
Tensor floating(UnaryOp op, const Tensor& x, double p0 = 0, double p1 = 0) {
  return unary_kernel(op, x, to_floating(x.dtype()), p0, p1);
}
// Activations do not promote: PyTorch has no integer kernel for them, so an integer input is an error.
Tensor activation(const char* name, UnaryOp op, const Tensor& x, double p0 = 0, double p1 = 0) {
  WICK_CHECK(x.defined() && is_floating_point(x.dtype()), name, "expected a floating point input, got ",
             x.defined() ? dtype_name(x.dtype()) : "an undefined tensor");
  return unary_kernel(op, x, x.dtype(), p0, p1);
}

}  // namespace

Tensor neg(const Tensor& x) {
  WICK_PROFILE_OP("neg", x);
  Tensor out = same_type("neg", UnaryOp::Neg, x);
  if (record_needed(x)) record("neg", {&x}, out, [](Grads g) { g.in[0] = neg(g.out[0]); });
  return out;
}

Tensor abs(const Tensor& x) {
  WICK_PROFILE_OP("abs", x);
  Tensor out = same_type("abs", UnaryOp::Abs, x);
  if (record_needed(x)) record("abs", {&x}, out, [sx = save(x)](Grads g) { g.in[0] = g.out[0] * sign(sx.get()); });
  return out;
}

Tensor sign(const Tensor& x) {
  WICK_PROFILE_OP("sign", x);
  Tensor out = x.dtype() == kBool ? x.clone() : same_type("sign", UnaryOp::Sign, x);
  if (record_needed(x)) record("sign", {&x}, out, [](Grads g) { g.in[0] = zeros_like(g.out[0]); });
  return out;
}

Tensor exp(const Tensor& x) {
  WICK_PROFILE_OP("exp", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return exp(ac(x));
  Tensor out = floating(UnaryOp::Exp, x);
  if (record_needed(x)) record("exp", {&x}, out, [so = save_output(out)](Grads g) { g.in[0] = g.out[0] * so.get(); });
  return out;
}

Tensor log(const Tensor& x) {
  WICK_PROFILE_OP("log", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return log(ac(x));
  Tensor out = floating(UnaryOp::Log, x);
  if (record_needed(x)) record("log", {&x}, out, [sx = save(x)](Grads g) { g.in[0] = g.out[0] / sx.get(); });
  return out;
}

Tensor log1p(const Tensor& x) {
  WICK_PROFILE_OP("log1p", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return log1p(ac(x));
  Tensor out = floating(UnaryOp::Log1p, x);
  if (record_needed(x)) record("log1p", {&x}, out, [sx = save(x)](Grads g) { g.in[0] = g.out[0] / (sx.get() + 1); });
  return out;
}

Tensor expm1(const Tensor& x) {
  WICK_PROFILE_OP("expm1", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return expm1(ac(x));
  Tensor out = floating(UnaryOp::Expm1, x);
  if (record_needed(x))
    record("expm1", {&x}, out, [so = save_output(out)](Grads g) { g.in[0] = g.out[0] * (so.get() + 1); });
  return out;
}

Tensor sqrt(const Tensor& x) {
  WICK_PROFILE_OP("sqrt", x);
  Tensor out = floating(UnaryOp::Sqrt, x);
  if (record_needed(x))
    record("sqrt", {&x}, out, [so = save_output(out)](Grads g) { g.in[0] = g.out[0] / (so.get() * 2); });
  return out;
}

Tensor rsqrt(const Tensor& x) {
  WICK_PROFILE_OP("rsqrt", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return rsqrt(ac(x));
  Tensor out = floating(UnaryOp::Rsqrt, x);
  if (record_needed(x))
    record("rsqrt", {&x}, out, [so = save_output(out)](Grads g) { g.in[0] = g.out[0] * pow(so.get(), 3) * -0.5; });
  return out;
}

Tensor reciprocal(const Tensor& x) {
  WICK_PROFILE_OP("reciprocal", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return reciprocal(ac(x));
  Tensor out = floating(UnaryOp::Reciprocal, x);
  if (record_needed(x))
    record("reciprocal", {&x}, out, [so = save_output(out)](Grads g) {
      const Tensor y = so.get();
      g.in[0] = -g.out[0] * y * y;
    });
  return out;
}

Tensor square(const Tensor& x) {
  WICK_PROFILE_OP("square", x);
  return pow(x.dtype() == kBool ? x.to(kInt64) : x, 2);  // bool -> int64, as torch
}

Tensor sin(const Tensor& x) {
  WICK_PROFILE_OP("sin", x);
  Tensor out = floating(UnaryOp::Sin, x);
  if (record_needed(x)) record("sin", {&x}, out, [sx = save(x)](Grads g) { g.in[0] = g.out[0] * cos(sx.get()); });
  return out;
}

Tensor cos(const Tensor& x) {
  WICK_PROFILE_OP("cos", x);
  Tensor out = floating(UnaryOp::Cos, x);
  if (record_needed(x)) record("cos", {&x}, out, [sx = save(x)](Grads g) { g.in[0] = -g.out[0] * sin(sx.get()); });
  return out;
}

Tensor tanh(const Tensor& x) {
  WICK_PROFILE_OP("tanh", x);
  Tensor out = floating(UnaryOp::Tanh, x);
  if (record_needed(x))
    record("tanh", {&x}, out, [so = save_output(out)](Grads g) {
      const Tensor y = so.get();
      g.in[0] = g.out[0] * (1 - y * y);
    });
  return out;
}

Tensor sigmoid(const Tensor& x) {
  WICK_PROFILE_OP("sigmoid", x);
  Tensor out = floating(UnaryOp::Sigmoid, x);
  if (record_needed(x))
    record("sigmoid", {&x}, out, [so = save_output(out)](Grads g) {
      const Tensor y = so.get();
      g.in[0] = g.out[0] * y * (1 - y);
    });
  return out;
}

Tensor erf(const Tensor& x) {
  WICK_PROFILE_OP("erf", x);
  Tensor out = floating(UnaryOp::Erf, x);
  if (record_needed(x))
    record("erf", {&x}, out, [sx = save(x)](Grads g) {
      const Tensor v = sx.get();
      g.in[0] = g.out[0] * exp(-(v * v)) * k2InvSqrtPi;
    });
  return out;
}

Tensor relu(const Tensor& x) {
  WICK_PROFILE_OP("relu", x);
  Tensor out = same_type("relu", UnaryOp::Relu, x);
  if (record_needed(x))
    record("relu", {&x}, out, [so = save_output(out)](Grads g) { g.in[0] = where(so.get() > 0, g.out[0], 0); });
  return out;
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  WICK_PROFILE_OP("gelu", x);
  WICK_CHECK(approximate == "none" || approximate == "tanh", "gelu", "approximate must be 'none' or 'tanh', got '",
             approximate, "'");
  const bool tanh_form = approximate == "tanh";
  Tensor out = activation("gelu", tanh_form ? UnaryOp::GeluTanh : UnaryOp::GeluErf, x);
  if (record_needed(x))
    record("gelu", {&x}, out, [sx = save(x), tanh_form](Grads g) {
      const Tensor v = sx.get();
      if (!tanh_form) {
        const Tensor cdf = (erf(v * kSqrt1_2) + 1) * 0.5;
        const Tensor pdf = exp(v * v * -0.5) * kInvSqrt2Pi;
        g.in[0] = g.out[0] * (cdf + v * pdf);
      } else {  // PyTorch's GeluBackward for approximate='tanh'
        const double beta = std::sqrt(2.0) * k2InvSqrtPi * 0.5, kappa = 0.044715;
        const Tensor inner = (v + v * v * v * kappa) * beta;
        const Tensor t = tanh(inner);
        const Tensor left_derivative = (t + 1) * 0.5;
        const Tensor right_derivative = v * 0.5 * (1 - t * t) * beta * (v * v * (3 * kappa) + 1);
        g.in[0] = g.out[0] * (left_derivative + right_derivative);
      }
    });
  return out;
}

Tensor silu(const Tensor& x) {
  WICK_PROFILE_OP("silu", x);
  Tensor out = activation("silu", UnaryOp::Silu, x);
  if (record_needed(x))
    record("silu", {&x}, out, [sx = save(x)](Grads g) {
      const Tensor v = sx.get();
      const Tensor s = sigmoid(v);
      g.in[0] = g.out[0] * s * (1 + v * (1 - s));
    });
  return out;
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  WICK_PROFILE_OP("softplus", x);
  if (detail::AutocastOp ac{detail::autocast_lists::float32_math, x.device()}) return softplus(ac(x), beta, threshold);
  Tensor out = activation("softplus", UnaryOp::Softplus, x, beta, threshold);
  if (record_needed(x))
    record("softplus", {&x}, out, [sx = save(x), beta, threshold](Grads g) {
      const Tensor bx = sx.get() * beta;
      g.in[0] = where(bx > threshold, g.out[0], g.out[0] * sigmoid(bx));
    });
  return out;
}

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  WICK_PROFILE_OP("leaky_relu", x);
  Tensor out = activation("leaky_relu", UnaryOp::LeakyRelu, x, negative_slope);
  if (record_needed(x))
    record("leaky_relu", {&x}, out, [sx = save(x), negative_slope](Grads g) {
      g.in[0] = where(sx.get() > 0, g.out[0], g.out[0] * negative_slope);
    });
  return out;
}

Tensor elu(const Tensor& x, double alpha) {
  WICK_PROFILE_OP("elu", x);
  Tensor out = activation("elu", UnaryOp::Elu, x, alpha);
  if (record_needed(x))
    record("elu", {&x}, out, [sx = save(x), alpha](Grads g) {
      const Tensor v = sx.get();
      g.in[0] = where(v > 0, g.out[0], g.out[0] * exp(v) * alpha);
    });
  return out;
}

namespace {
// hardtanh and relu6: x clamped to [lo, hi] in x's own dtype (integer bounds truncate, as PyTorch casts them).
// The gradient is PyTorch's hardtanh_backward: zero at and beyond the bounds, passed through inside and at NaN.
// Errors name the op called; the tape entry is hardtanh's for both, as PyTorch's relu6 (HardtanhBackward0).
Tensor clamp_activation(const char* name, const Tensor& x, double lo, double hi) {
  WICK_CHECK(x.dtype() != kBool, name, "not supported on bool tensors");
  WICK_CHECK(!std::isnan(lo) && !std::isnan(hi), name, "min_val and max_val must not be NaN (got ", lo, " and ", hi,
             ")");
  WICK_CHECK(x.dtype() != kUInt8 || (lo >= 0 && hi >= 0), name,
             "cannot clamp a uint8 tensor to negative limits (min_val ", lo, ", max_val ", hi, ")");
  Tensor out = unary_kernel(UnaryOp::Clamp, x, x.dtype(), lo, hi);
  if (record_needed(x))
    record("hardtanh", {&x}, out, [sx = save(x), lo, hi](Grads g) {
      const Tensor v = sx.get();
      g.in[0] = where(logical_or(v <= lo, v >= hi), 0, g.out[0]);
    });
  return out;
}
}  // namespace

Tensor hardtanh(const Tensor& x, Scalar min_val, Scalar max_val) {
  WICK_PROFILE_OP("hardtanh", x);
  return clamp_activation("hardtanh", x, min_val.to_double(), max_val.to_double());
}
Tensor relu6(const Tensor& x) {
  WICK_PROFILE_OP("relu6", x);
  return clamp_activation("relu6", x, 0, 6);
}

namespace {
Tensor rounding(UnaryOp op, const char* name, const Tensor& x) {
  WICK_PROFILE_OP(name, x);  // floor, ceil, round and trunc are this function, whole
  WICK_CHECK(x.dtype() != kBool, name, "not supported on bool tensors");
  Tensor out = is_floating_point(x.dtype()) ? unary_kernel(op, x, x.dtype()) : x.clone();
  if (record_needed(x)) record(name, {&x}, out, [](Grads g) { g.in[0] = zeros_like(g.out[0]); });
  return out;
}
}  // namespace

Tensor floor(const Tensor& x) { return rounding(UnaryOp::Floor, "floor", x); }
Tensor ceil(const Tensor& x) { return rounding(UnaryOp::Ceil, "ceil", x); }
Tensor round(const Tensor& x) { return rounding(UnaryOp::Round, "round", x); }
Tensor trunc(const Tensor& x) { return rounding(UnaryOp::Trunc, "trunc", x); }

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  WICK_PROFILE_OP("clamp", x);
  WICK_CHECK(min || max, "clamp", "at least one of 'min' or 'max' must not be None");
  const ScalarType dtype = result_type(x, min ? *min : *max);
  const double lo = min ? min->to_double() : -INFINITY, hi = max ? max->to_double() : INFINITY;
  // A NaN bound gives NaN everywhere, as clamp_min, clamp_max and two-bound clamp do in PyTorch 1.13 (and the
  // tensor-bound clamp here, through maximum/minimum); 1.13's one-bound clamp alone passes x through.
  Tensor out = std::isnan(lo) || std::isnan(hi) ? full(x.sizes(), NAN, TensorOptions().dtype(dtype).device(x.device()))
                                                : unary_kernel(UnaryOp::Clamp, x, dtype, lo, hi);
  // LibTorch's nodes: ClampBackward1 (clamp with Scalar bounds), ClampMinBackward0, ClampMaxBackward0.
  const detail::OpName node = min && max ? detail::OpName("clamp", 1) : min ? "clamp_min" : "clamp_max";
  if (record_needed(x))
    record(node, {&x}, out, [sx = save(x), lo, hi](Grads g) {
      const Tensor v = sx.get();
      g.in[0] = where(logical_and(v >= lo, v <= hi), g.out[0], 0);
    });
  return out;
}

Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max) {
  WICK_PROFILE_OP("clamp", x, min, max);
  WICK_CHECK(min || max, "clamp", "at least one of 'min' or 'max' must not be None");
  Tensor out = x;
  if (min) out = maximum(out, *min);
  if (max) out = minimum(out, *max);
  return out;
}

Tensor clamp_min(const Tensor& x, Scalar min) {
  WICK_PROFILE_OP("clamp_min", x);
  return clamp(x, min, std::nullopt);
}
Tensor clamp_max(const Tensor& x, Scalar max) {
  WICK_PROFILE_OP("clamp_max", x);
  return clamp(x, std::nullopt, max);
}

Tensor logical_not(const Tensor& x) {
  WICK_PROFILE_OP("logical_not", x);
  return unary_kernel(UnaryOp::LogicalNot, x, x.dtype());
}
Tensor isnan(const Tensor& x) {
  WICK_PROFILE_OP("isnan", x);
  return unary_kernel(UnaryOp::IsNan, x, x.dtype());
}
Tensor isinf(const Tensor& x) {
  WICK_PROFILE_OP("isinf", x);
  return unary_kernel(UnaryOp::IsInf, x, x.dtype());
}
Tensor isfinite(const Tensor& x) {
  WICK_PROFILE_OP("isfinite", x);
  return logical_not(logical_or(isnan(x), isinf(x)));
}

}  // namespace wick
