// The scalar definitions of the elementwise ops, shared by unary.cu and binary.cu. They follow the CPU
// backend (kernels/cpu/simd/simd_kernels.h, kernels/cpu/elementwise.cpp) case by case: NaN handling of
// maximum/minimum/relu/clamp, Python's remainder, round half to even, integer rules.
#pragma once

#include <type_traits>

#include "common.cuh"

namespace wick::cuda {

// ---- floating point (A is float or double) ------------------------------------------------------------
template <class A>
__device__ __forceinline__ A sigmoid(A x) {
  return A(1) / (A(1) + exp(-x));
}

template <UnaryOp op, class A>
__device__ __forceinline__ A float_unary(A x, A p0, A p1) {
  if constexpr (op == UnaryOp::Neg)
    return -x;
  else if constexpr (op == UnaryOp::Abs)
    return fabs(x);
  else if constexpr (op == UnaryOp::Sign)
    return x > A(0) ? A(1) : (x < A(0) ? A(-1) : (x == x ? x : A(0)));  // as torch.sign: NaN -> 0, -0 kept
  else if constexpr (op == UnaryOp::Exp)
    return exp(x);
  else if constexpr (op == UnaryOp::Log)
    return log(x);
  else if constexpr (op == UnaryOp::Log1p)
    return log1p(x);
  else if constexpr (op == UnaryOp::Expm1)
    return expm1(x);
  else if constexpr (op == UnaryOp::Sqrt)
    return sqrt(x);
  else if constexpr (op == UnaryOp::Rsqrt)
    return A(1) / sqrt(x);
  else if constexpr (op == UnaryOp::Reciprocal)
    return A(1) / x;
  else if constexpr (op == UnaryOp::Sin)
    return sin(x);
  else if constexpr (op == UnaryOp::Cos)
    return cos(x);
  else if constexpr (op == UnaryOp::Tanh)
    return tanh(x);
  else if constexpr (op == UnaryOp::Sigmoid)
    return sigmoid(x);
  else if constexpr (op == UnaryOp::Erf)
    return erf(x);
  else if constexpr (op == UnaryOp::Relu)
    return x < A(0) ? A(0) : x;  // relu(NaN) = NaN
  else if constexpr (op == UnaryOp::GeluErf)
    return A(0.5) * x * (A(1) + erf(x * A(0.70710678118654752440)));
  else if constexpr (op == UnaryOp::GeluTanh) {
    const A inner = A(0.79788456080286535588) * (x + A(0.044715) * x * x * x);
    return A(0.5) * x * (A(1) + tanh(inner));
  } else if constexpr (op == UnaryOp::Silu)
    return x * sigmoid(x);
  else if constexpr (op == UnaryOp::Softplus) {  // p0 = beta, p1 = threshold: linear above it
    const A bx = x * p0;
    return bx > p1 ? x : log1p(exp(bx)) / p0;
  } else if constexpr (op == UnaryOp::LeakyRelu)
    return x < A(0) ? x * p0 : x;
  else if constexpr (op == UnaryOp::Elu)
    return x > A(0) ? x : p0 * expm1(x);
  else if constexpr (op == UnaryOp::Floor)
    return floor(x);
  else if constexpr (op == UnaryOp::Ceil)
    return ceil(x);
  else if constexpr (op == UnaryOp::Round)
    return rint(x);  // half to even, as torch.round
  else if constexpr (op == UnaryOp::Trunc)
    return trunc(x);
  else if constexpr (op == UnaryOp::Clamp) {  // comparisons with NaN are false: NaN passes through
    const A lo = x < p0 ? p0 : x;
    return lo > p1 ? p1 : lo;
  } else if constexpr (op == UnaryOp::PowScalar) {
    if (p0 == A(2)) return x * x;  // the exact, cheap forms the CPU uses too
    if (p0 == A(0.5)) return sqrt(x);
    if (p0 == A(1)) return x;
    return pow(x, p0);
  } else {
    static_assert(op == UnaryOp::Neg, "not a floating point unary op");
  }
}

template <BinaryOp op, class A>
__device__ __forceinline__ A float_binary(A a, A b) {
  if constexpr (op == BinaryOp::Add)
    return a + b;
  else if constexpr (op == BinaryOp::Sub)
    return a - b;
  else if constexpr (op == BinaryOp::Mul)
    return a * b;
  else if constexpr (op == BinaryOp::Div)
    return a / b;
  else if constexpr (op == BinaryOp::Remainder) {  // Python's modulo: the result takes the divisor's sign
    A m = fmod(a, b);
    if (m != A(0) && ((b < A(0)) != (m < A(0)))) m += b;
    return m;
  } else if constexpr (op == BinaryOp::Pow)
    return pow(a, b);
  else if constexpr (op == BinaryOp::Maximum)
    return (isnan(a) || isnan(b)) ? a + b : (a < b ? b : a);
  else if constexpr (op == BinaryOp::Minimum)
    return (isnan(a) || isnan(b)) ? a + b : (b < a ? b : a);
  else if constexpr (op == BinaryOp::Atan2)
    return atan2(a, b);
  else
    static_assert(op == BinaryOp::Add, "not an arithmetic binary op");
}

// Comparisons and logical ops, for every type (A is the compute type).
template <BinaryOp op, class A>
__device__ __forceinline__ bool compare(A a, A b) {
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
    return (a != A(0)) && (b != A(0));
  else if constexpr (op == BinaryOp::LogicalOr)
    return (a != A(0)) || (b != A(0));
  else if constexpr (op == BinaryOp::LogicalXor)
    return (a != A(0)) != (b != A(0));
  else
    static_assert(op == BinaryOp::Eq, "not a comparison");
}

// ---- integers (and bool) ---------------------------------------------------------------------------
template <class T>
__device__ __forceinline__ T int_pow(T base, T exponent) {
  T result = 1;
  for (uint64_t e = uint64_t(exponent); e; e >>= 1) {
    if (e & 1) result = T(result * base);
    base = T(base * base);
  }
  return result;
}

template <BinaryOp op, class T>
__device__ __forceinline__ T int_binary(T a, T b, FaultRecord* faults) {
  if constexpr (op == BinaryOp::Add)
    return T(a + b);
  else if constexpr (op == BinaryOp::Sub)
    return T(a - b);
  else if constexpr (op == BinaryOp::Mul)
    return T(a * b);
  else if constexpr (op == BinaryOp::Div) {
    if (b == T(0)) {
      report_fault(faults, KernelFault::IntegerDivisionByZero, FaultOp::Div, 0, 0, 0);
      return T(0);
    }
    return T(a / b);
  } else if constexpr (op == BinaryOp::Remainder) {
    if (b == T(0)) {
      report_fault(faults, KernelFault::IntegerDivisionByZero, FaultOp::Remainder, 0, 0, 0);
      return T(0);
    }
    if constexpr (std::is_same_v<T, bool>)
      return a;
    else {
      T r = T(a % b);
      if constexpr (std::is_signed_v<T>)
        if (r != 0 && ((r < 0) != (b < 0))) r = T(r + b);
      return r;
    }
  } else if constexpr (op == BinaryOp::Pow) {
    if constexpr (std::is_signed_v<T>) {
      if (b < 0) {
        report_fault(faults, KernelFault::NegativeIntegerPower, FaultOp::Pow, 0, (long long)b, 0);
        return T(0);
      }
    }
    return int_pow(a, b);
  } else if constexpr (op == BinaryOp::Maximum)
    return a < b ? b : a;
  else if constexpr (op == BinaryOp::Minimum)
    return b < a ? b : a;
  else
    static_assert(op == BinaryOp::Add, "not an integer binary op");
}

template <UnaryOp op, class T>
__device__ __forceinline__ T int_unary(T x, double p0, double p1) {
  if constexpr (op == UnaryOp::Neg)
    return T(-x);
  else if constexpr (op == UnaryOp::Abs) {
    if constexpr (std::is_signed_v<T>)
      return x < 0 ? T(-x) : x;
    else
      return x;
  } else if constexpr (op == UnaryOp::Sign)
    return T((T(0) < x) - (x < T(0)));
  else if constexpr (op == UnaryOp::Relu)
    return x < T(0) ? T(0) : x;
  else if constexpr (op == UnaryOp::Floor || op == UnaryOp::Ceil || op == UnaryOp::Round || op == UnaryOp::Trunc)
    return x;
  else if constexpr (op == UnaryOp::Clamp) {
    double v = double(x);
    if (v < p0) v = p0;
    if (v > p1) v = p1;
    return T(v);
  } else if constexpr (op == UnaryOp::PowScalar)
    return int_pow(x, T(p0));  // the host rejected negatives
  else
    static_assert(op == UnaryOp::Neg, "not an integer unary op");
}

template <UnaryOp op>
inline constexpr bool defined_for_integers =
    op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign || op == UnaryOp::Relu || op == UnaryOp::Floor ||
    op == UnaryOp::Ceil || op == UnaryOp::Round || op == UnaryOp::Trunc || op == UnaryOp::Clamp ||
    op == UnaryOp::PowScalar;

// Calls f(std::integral_constant<Enum, value>) for the run-time `op` among the first `count` enumerators.
template <class Enum, class F, int... I>
void dispatch_enum(Enum op, F&& f, std::integer_sequence<int, I...>) {
  ((int(op) == I ? (f(std::integral_constant<Enum, Enum(I)>{}), 0) : 0), ...);
}

}  // namespace wick::cuda
