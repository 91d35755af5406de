// Deterministic numerics mode's vector kernels (deterministic_numerics.h): the float32 unary ops whose math calls
// exp, log, tanh or erf (deterministic_math.h's vectorised_deterministic_math), over DeterministicVectorMath: those are
// deterministic_float_math.h's algorithms on this instruction set's vectors, so each lane computes what the scalar
// loop computes.
#pragma once

#include "deterministic_float_math.h"
#include "simd/simd_kernels.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

struct DeterministicVectorOps {
  using V = Vec<float>;
  using I = Vec<int32_t>;
  template <class Mask>
  static V select(const Mask& m, const V& a, const V& b) {
    return xsimd::select(m, a, b);
  }
  static V floor(const V& x) { return xsimd::floor(x); }
  static V div(const V& a, const V& b) { return VectorMath::div(a, b); }
  static V pow2(const V& n) { return xsimd::bitwise_cast<V>((xsimd::to_int(n) + I(127)) << 23); }
  static I exponent_bits(const V& x) { return xsimd::bitwise_cast<I>(x); }
  static V exponent(const I& bits) { return xsimd::to_float((bits >> 23) - I(126)); }
  static V mantissa(const I& bits) { return xsimd::bitwise_cast<V>((bits & I(0x007FFFFF)) | I(0x3F000000)); }
};

struct DeterministicVectorMath : VectorMath {
  using V = Vec<float>;
  static V exp(const V& x) { return deterministic::exp_float<DeterministicVectorOps>(x); }
  static V log(const V& x) { return deterministic::log_float<DeterministicVectorOps>(x); }
  static V tanh(const V& x) { return deterministic::tanh_float<DeterministicVectorOps>(x); }
  static V erf(const V& x) { return deterministic::erf_float<DeterministicVectorOps>(x); }
};

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
