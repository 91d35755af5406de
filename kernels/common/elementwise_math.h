// Each elementwise primitive's math, written once: the CPU's vector kernels, the CUDA kernels and the tests'
// scalar reference all instantiate these. Their rules are PyTorch's: NaN propagates through maximum/minimum,
// relu and clamp pass it through, sign(NaN) = 0 and -0 keeps its sign, remainder takes the divisor's sign, round
// is half to even, integers wrap, x ** 0 = 1.
//
// Floating-point ops are templates over a math vocabulary M (a struct of static functions), so one definition
// serves a scalar (ScalarMath below: host and device) and an xsimd batch (VectorMath in
// kernels/cpu/simd/simd_kernels.h). M provides select(mask, a, b), isnan, neg, div, max, min (NaN-free operands), the C
// library's functions (copysign included), and fmod, pow and atan2 exact in every IEEE special case. Masks combine with
// & and |.
//
// Integer ops report a fault instead of throwing (kernels cannot throw): each backend turns it into its error.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "host_device.h"
#include "ops.h"
#include "wrapping.h"

namespace wick::kernels {
// ISA-specific copies (one per instruction set the CPU backend compiles) must not be merged by the linker.
#ifdef WICK_SIMD_NAMESPACE
inline namespace WICK_SIMD_NAMESPACE {
#endif

// ---- floating point ----------------------------------------------------------------------------------------
template <class M, class V>
WICK_HOST_DEVICE V sigmoid(const V& x) {
  return M::div(V(1), V(1) + M::exp(-x));
}

template <BinaryOp op, class M, class V>
WICK_HOST_DEVICE V float_binary(const V& a, const V& b) {
  static_assert(!produces_bool(op), "comparisons and logical ops are compare<op>");
  if constexpr (op == BinaryOp::Add)
    return a + b;
  else if constexpr (op == BinaryOp::Sub)
    return a - b;
  else if constexpr (op == BinaryOp::Mul)
    return a * b;
  else if constexpr (op == BinaryOp::Div)
    return M::div(a, b);
  else if constexpr (op == BinaryOp::Remainder) {  // Python's modulo: the result takes the divisor's sign
    const V m = M::fmod(a, b);
    // Where m's sign differs from b's (copysign(m, b) != m, which also leaves m = +-0 alone), add b. Written
    // without logic on masks: xsimd's batch_bool != is wrong on SSE (it compares all-ones masks as floats,
    // NaNs) and its ^ is wrong on AVX-512.
    return M::select(M::copysign(m, b) != m, m + b, m);
  } else if constexpr (op == BinaryOp::Pow)
    return M::select(b == V(0), V(1), M::pow(a, b));
  else if constexpr (op == BinaryOp::Maximum)
    return M::select(M::isnan(a) || M::isnan(b), a + b, M::max(a, b));
  else if constexpr (op == BinaryOp::Minimum)
    return M::select(M::isnan(a) || M::isnan(b), a + b, M::min(a, b));
  else if constexpr (op == BinaryOp::Atan2)
    return M::atan2(a, b);
  else
    static_assert(op == BinaryOp::Add, "a binary op without its math");
}

template <UnaryOp op, class M, class V>
WICK_HOST_DEVICE V float_unary(const V& x, const V& p0, const V& p1) {
  static_assert(!produces_bool(op), "predicates are predicate<op>");
  if constexpr (op == UnaryOp::Neg)
    return M::neg(x);
  else if constexpr (op == UnaryOp::Abs)
    return M::abs(x);
  else if constexpr (op == UnaryOp::Sign)  // as torch.sign: NaN gives 0 (NumPy keeps NaN); -0 stays -0
    return M::select(x > V(0), V(1), M::select(x < V(0), V(-1), M::select(x == x, x, V(0))));
  else if constexpr (op == UnaryOp::Exp)
    return M::exp(x);
  else if constexpr (op == UnaryOp::Log)
    return M::log(x);
  else if constexpr (op == UnaryOp::Log1p)
    return M::log1p(x);
  else if constexpr (op == UnaryOp::Expm1)
    return M::expm1(x);
  else if constexpr (op == UnaryOp::Sqrt)
    return M::sqrt(x);
  else if constexpr (op == UnaryOp::Rsqrt)
    return M::div(V(1), M::sqrt(x));
  else if constexpr (op == UnaryOp::Reciprocal)
    return M::div(V(1), x);
  else if constexpr (op == UnaryOp::Sin)
    return M::sin(x);
  else if constexpr (op == UnaryOp::Cos)
    return M::cos(x);
  else if constexpr (op == UnaryOp::Tanh)
    return M::tanh(x);
  else if constexpr (op == UnaryOp::Sigmoid)
    return sigmoid<M>(x);
  else if constexpr (op == UnaryOp::Erf)
    return M::erf(x);
  else if constexpr (op == UnaryOp::Relu)
    return M::select(x < V(0), V(0), x);  // relu(NaN) = NaN
  else if constexpr (op == UnaryOp::GeluErf)
    return V(0.5) * x * (V(1) + M::erf(x * V(0.70710678118654752440)));
  else if constexpr (op == UnaryOp::GeluTanh) {
    const V inner = V(0.79788456080286535588) * (x + V(0.044715) * x * x * x);
    return V(0.5) * x * (V(1) + M::tanh(inner));
  } else if constexpr (op == UnaryOp::Silu)
    return x * sigmoid<M>(x);
  else if constexpr (op == UnaryOp::Softplus) {  // p0 = beta, p1 = threshold: linear above it, as PyTorch
    const V bx = x * p0;
    return M::select(bx > p1, x, M::div(M::log1p(M::exp(bx)), p0));
  } else if constexpr (op == UnaryOp::LeakyRelu)
    return M::select(x < V(0), x * p0, x);
  else if constexpr (op == UnaryOp::Elu)
    return M::select(x > V(0), x, p0 * M::expm1(x));
  else if constexpr (op == UnaryOp::Floor)
    return M::floor(x);
  else if constexpr (op == UnaryOp::Ceil)
    return M::ceil(x);
  else if constexpr (op == UnaryOp::Round)
    return M::rint(x);  // half to even, as torch.round
  else if constexpr (op == UnaryOp::Trunc)
    return M::trunc(x);
  else if constexpr (op == UnaryOp::Clamp) {  // comparisons with NaN are false, so NaN passes through
    const V lo = M::select(x < p0, p0, x);
    return M::select(lo > p1, p1, lo);
  } else if constexpr (op == UnaryOp::PowScalar)
    return float_binary<BinaryOp::Pow, M>(x, p0);
  else
    static_assert(op == UnaryOp::Neg, "a unary op without its math");
}

// x ** p for the exponents PyTorch computes with an exact, cheaper form: x * x, x and sqrt(x). Every backend takes
// them first; their special cases are sqrt's, not pow's (pow(-inf, 0.5) = +inf, sqrt(-inf) = NaN, as PyTorch).
WICK_HOST_DEVICE bool pow_scalar_has_shortcut(double p) { return p == 2.0 || p == 1.0 || p == 0.5; }

template <class M, class V>
WICK_HOST_DEVICE V pow_scalar_shortcut(const V& x, double p) {
  if (p == 2.0) return x * x;
  if (p == 1.0) return x;
  return M::sqrt(x);
}

// ---- every dtype: comparisons, logical ops, predicates --------------------------------------------------------
template <BinaryOp op, class T>
WICK_HOST_DEVICE bool compare(T a, T b) {
  static_assert(produces_bool(op), "arithmetic ops are float_binary<op> and int_binary<op>");
  if constexpr (op == BinaryOp::Eq)
    return a == b;
  else if constexpr (op == BinaryOp::Ne)
    return a != b;
  else if constexpr (op == BinaryOp::Lt)
    return a < b;
  else if constexpr (op == BinaryOp::Le)
    return a <= b;
  else if constexpr (op == BinaryOp::Gt)
    return a > b;
  else if constexpr (op == BinaryOp::Ge)
    return a >= b;
  else if constexpr (op == BinaryOp::LogicalAnd)
    return (a != T(0)) && (b != T(0));
  else if constexpr (op == BinaryOp::LogicalOr)
    return (a != T(0)) || (b != T(0));
  else if constexpr (op == BinaryOp::LogicalXor)
    return (a != T(0)) != (b != T(0));
  else
    static_assert(op == BinaryOp::Eq, "a comparison without its math");
}

template <UnaryOp op, class T>
WICK_HOST_DEVICE bool predicate(T x) {
  static_assert(produces_bool(op), "value ops are float_unary<op> and int_unary<op>");
  if constexpr (op == UnaryOp::LogicalNot)
    return x == T(0);
  else if constexpr (op == UnaryOp::IsNan)
    return x != x;
  // Only an infinity is equal to itself and has x - x = NaN (integers: never).
  else if constexpr (op == UnaryOp::IsInf)
    return x == x && !(x - x == x - x);
  else
    static_assert(op == UnaryOp::LogicalNot, "a predicate without its math");
}

// ---- integers and bool ------------------------------------------------------------------------------------
enum class IntFault : uint8_t { None, DivisionByZero, NegativePower };

template <class T>
WICK_HOST_DEVICE T int_pow(T base, T exponent) {
  T result = 1;
  for (uint64_t e = uint64_t(exponent); e; e >>= 1) {
    if (e & 1) result = wrapping_mul(result, base);
    base = wrapping_mul(base, base);
  }
  return result;
}

// On a fault the result is 0 and `fault` says why (the caller reports it with the operand that caused it).
template <BinaryOp op, class T>
WICK_HOST_DEVICE T int_binary(T a, T b, IntFault& fault) {
  static_assert(takes_integers(op) && !produces_bool(op), "not an integer arithmetic op");
  if constexpr (op == BinaryOp::Add)
    return wrapping_add(a, b);
  else if constexpr (op == BinaryOp::Sub)
    return wrapping_sub(a, b);
  else if constexpr (op == BinaryOp::Mul)
    return wrapping_mul(a, b);
  else if constexpr (op == BinaryOp::Div || op == BinaryOp::Remainder) {
    if (b == T(0)) {
      fault = IntFault::DivisionByZero;
      return T(0);
    }
    if constexpr (std::is_same_v<T, bool>)
      return a;
    else {
      if constexpr (std::is_signed_v<T>)
        if (b == T(-1)) return op == BinaryOp::Div ? wrapping_sub(T(0), a) : T(0);  // min / -1 traps on x86
      if constexpr (op == BinaryOp::Div) return T(a / b);
      T r = T(a % b);
      if constexpr (std::is_signed_v<T>)
        if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);  // Python's modulo
      return r;
    }
  } else if constexpr (op == BinaryOp::Pow) {
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) {
        fault = IntFault::NegativePower;
        return T(0);
      }
    }
    return int_pow(a, b);
  } else if constexpr (op == BinaryOp::Maximum)
    return a < b ? b : a;
  else if constexpr (op == BinaryOp::Minimum)
    return b < a ? b : a;
  else
    static_assert(op == BinaryOp::Add, "an integer op without its math");
}

// C++ leaves a float that is NaN or outside the integer type's range without a conversion (UB, which UBSan
// reports). Such values give the type's minimum, as x86's truncating instructions do, so results match PyTorch
// on x86 CPUs; uint8 goes through int64 and wraps (-3.0 gives 253), as PyTorch's c10::convert does.
template <class To, class From>
WICK_HOST_DEVICE To float_to_integer(From v) {
  if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<To, uint8_t>) {
    return static_cast<uint8_t>(float_to_integer<int64_t>(v));
  } else {
    // The bounds round to powers of two in From, so "> min - 1" and "< max + 1" are exact (NaN fails both).
    if (v > From(std::numeric_limits<To>::min()) - 1 && v < From(std::numeric_limits<To>::max()) + 1)
      return static_cast<To>(v);
    return std::numeric_limits<To>::min();
  }
}

template <UnaryOp op, class T>
WICK_HOST_DEVICE T int_unary(T x, double p0, double p1, IntFault& fault) {
  static_assert(takes_integers(op) && !produces_bool(op), "not an integer value op");
  if constexpr (op == UnaryOp::Neg)
    return wrapping_sub(T(0), x);
  else if constexpr (op == UnaryOp::Abs) {
    if constexpr (std::is_signed_v<T>)
      return x < 0 ? wrapping_sub(T(0), x) : x;
    else
      return x;
  } else if constexpr (op == UnaryOp::Sign)
    return T((T(0) < x) - (x < T(0)));
  else if constexpr (op == UnaryOp::Relu)
    return x < T(0) ? T(0) : x;
  else if constexpr (op == UnaryOp::Floor || op == UnaryOp::Ceil || op == UnaryOp::Round || op == UnaryOp::Trunc)
    return x;
  else if constexpr (op == UnaryOp::Clamp) {
    double v = double(x);  // the bounds may lie outside T
    if (v < p0) v = p0;
    if (v > p1) v = p1;
    return float_to_integer<T>(v);
  } else if constexpr (op == UnaryOp::PowScalar)
    return int_binary<BinaryOp::Pow, T>(x, float_to_integer<T>(p0), fault);
  else
    static_assert(op == UnaryOp::Neg, "an integer op without its math");
}

// ---- the scalar vocabulary: float and double on the host and in CUDA kernels ---------------------------------
struct ScalarMath {
  template <class T>
  WICK_HOST_DEVICE static T select(bool c, T a, T b) {
    return c ? a : b;
  }
  template <class T>
  WICK_HOST_DEVICE static bool isnan(T x) {
    return x != x;
  }
  template <class T>
  WICK_HOST_DEVICE static T neg(T x) {
    return -x;
  }
  template <class T>
  WICK_HOST_DEVICE static T div(T a, T b) {
    return a / b;
  }
  // Of two equal operands (+0 and -0) the second, as x86's maxps/minps (NEON's fmax prefers +0: the sign of a
  // zero maximum is the hardware's, as in PyTorch).
  template <class T>
  WICK_HOST_DEVICE static T max(T a, T b) {
    return a > b ? a : b;
  }
  template <class T>
  WICK_HOST_DEVICE static T min(T a, T b) {
    return a < b ? a : b;
  }
#define WICK_SCALAR_FN1(fn)                                        \
  WICK_HOST_DEVICE static float fn(float x) { return ::fn##f(x); } \
  WICK_HOST_DEVICE static double fn(double x) { return ::fn(x); }
#define WICK_SCALAR_FN2(fn)                                                    \
  WICK_HOST_DEVICE static float fn(float x, float y) { return ::fn##f(x, y); } \
  WICK_HOST_DEVICE static double fn(double x, double y) { return ::fn(x, y); }
  WICK_SCALAR_FN1(exp)
  WICK_SCALAR_FN1(log)
  WICK_SCALAR_FN1(log1p)
  WICK_SCALAR_FN1(expm1)
  WICK_SCALAR_FN1(sqrt)
  WICK_SCALAR_FN1(sin)
  WICK_SCALAR_FN1(cos)
  WICK_SCALAR_FN1(tanh)
  WICK_SCALAR_FN1(erf)
  WICK_SCALAR_FN1(floor)
  WICK_SCALAR_FN1(ceil)
  WICK_SCALAR_FN1(rint)
  WICK_SCALAR_FN1(trunc)
  WICK_SCALAR_FN2(fmod)
  WICK_SCALAR_FN2(pow)
  WICK_SCALAR_FN2(atan2)
  WICK_SCALAR_FN2(copysign)
#undef WICK_SCALAR_FN1
#undef WICK_SCALAR_FN2
  WICK_HOST_DEVICE static float abs(float x) { return ::fabsf(x); }
  WICK_HOST_DEVICE static double abs(double x) { return ::fabs(x); }
};

#ifdef WICK_SIMD_NAMESPACE
}  // inline namespace WICK_SIMD_NAMESPACE
#endif
}  // namespace wick::kernels
