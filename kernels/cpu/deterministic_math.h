// The transcendental functions of deterministic numerics mode (set_deterministic_numerics): one implementation,
// so that exp, log, tanh, erf and what is built from them (sigmoid, GELU, SiLU, softplus, ELU) give the same bits on
// every CPU. The C library's functions differ between x86-64 and AArch64 (and between library versions), and the
// vector kernels' polynomials differ between instruction sets.
//
// float32 exp, log, tanh and erf are deterministic_float_math.h's, which every vector kernel set runs too (those are
// the hot ones: sigmoid, tanh, softmax, GELU). The rest, and every float64 function, are below: scalar, evaluated in
// double. Each function evaluates in double with + - * / and operations that are exact by definition (frexp, scaling by
// 2^n, nearbyint, copysign, comparisons), in a fixed order. IEEE 754 makes each such operation's result the same on
// every conforming CPU; the build uses -ffp-contract=off, so no compiler fuses a multiply-add on one target and not
// on another. A float32 argument is widened, evaluated, and rounded once, so those float results are within 1 ULP of
// the correctly rounded value (tests/kernels/cpu/deterministic_math_test.cpp measures it); float64 results are
// within a few ULPs (erf near +-6: within 1e-14 relative).
//
// DeterministicMath is ScalarMath (kernels/common/elementwise_math.h) with these six replaced: the op table's
// scalar definitions instantiated over it are the deterministic kernels.
#pragma once

#include "common/elementwise_math.h"
#include "deterministic_float_math.h"

namespace wick::cpu {
namespace deterministic {

double exp(double x);
double expm1(double x);
double log(double x);
double log1p(double x);
double tanh(double x);
double erf(double x);

}  // namespace deterministic

struct DeterministicMath : kernels::ScalarMath {
  // float32 exp, log, tanh and erf: deterministic_float_math.h's algorithms, which the vector kernel sets run too.
  static float exp(float x) { return deterministic::exp_float<deterministic::ScalarFloatOps>(x); }
  static float log(float x) { return deterministic::log_float<deterministic::ScalarFloatOps>(x); }
  static float tanh(float x) { return deterministic::tanh_float<deterministic::ScalarFloatOps>(x); }
  static float erf(float x) { return deterministic::erf_float<deterministic::ScalarFloatOps>(x); }
#define WICK_DETERMINISTIC_FN(fn)                                               \
  static float fn(float x) { return static_cast<float>(deterministic::fn(x)); } \
  static double fn(double x) { return deterministic::fn(x); }
  WICK_DETERMINISTIC_FN(expm1)
  WICK_DETERMINISTIC_FN(log1p)
#undef WICK_DETERMINISTIC_FN
  static double exp(double x) { return deterministic::exp(x); }
  static double log(double x) { return deterministic::log(x); }
  static double tanh(double x) { return deterministic::tanh(x); }
  static double erf(double x) { return deterministic::erf(x); }
};

// The unary ops whose definitions call one of the functions above (the others are the same in both maths).
constexpr bool uses_deterministic_math(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Log1p:
    case UnaryOp::Expm1:
    case UnaryOp::Tanh:
    case UnaryOp::Sigmoid:
    case UnaryOp::Erf:
    case UnaryOp::GeluErf:
    case UnaryOp::GeluTanh:
    case UnaryOp::Silu:
    case UnaryOp::Softplus:
    case UnaryOp::Elu: return true;
    default: return false;
  }
}

// Those whose functions (exp, log, tanh, erf) the vector kernel sets run on vectors; the others call a double
// function per element, which the vector sets would only repeat lane by lane.
constexpr bool vectorised_deterministic_math(UnaryOp op) {
  switch (op) {
    case UnaryOp::Exp:
    case UnaryOp::Log:
    case UnaryOp::Tanh:
    case UnaryOp::Erf:
    case UnaryOp::GeluErf:
    case UnaryOp::Sigmoid:
    case UnaryOp::GeluTanh:
    case UnaryOp::Silu: return true;
    default: return false;
  }
}

}  // namespace wick::cpu
