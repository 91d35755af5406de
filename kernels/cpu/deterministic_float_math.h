// float32 exp, log, tanh and erf for deterministic numerics mode, written once over an operation vocabulary Ops, so
// that the scalar loops (V = float, ScalarFloatOps below) and every vector kernel set (V = an xsimd float batch,
// simd/simd_deterministic.h) run the same IEEE operations in the same order, lane by lane: the bits cannot depend
// on the vector width. Cephes' single-precision algorithms (Moshier's expf, logf and tanhf, as sse_mathfun.h
// vectorised them) and an erf fitted for this file: range reduction, a short polynomial in + and *, an exponent
// built from bits. Within 1 ULP of the correctly rounded value (tests/kernels/cpu/deterministic_math_test.cpp
// measures it), subnormal results included. No fused multiply-add anywhere (-ffp-contract=off, and Ops never calls
// one).
//
// Ops provides select(mask, a, b), floor, div (correctly rounded: xsimd's NEON division is an estimate), and
// pow2(n): 2^n for an integral n in [-126, 127], built from its bits; and exponent_bits(x) / from_bits(i) to split a
// positive normal float into its exponent and mantissa.
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

namespace wick::cpu::deterministic {

// e^x.
template <class Ops, class V>
V exp_float(const V& x) {
  // Past 89 the result overflows and below -104 it rounds to 0: clamping gives both. A NaN is swapped for 0 so that
  // no float-to-int conversion sees it, and put back at the end.
  V xs = Ops::select(x > V(89.0f), V(89.0f), x);
  xs = Ops::select(xs < V(-104.0f), V(-104.0f), xs);
  xs = Ops::select(x == x, xs, V(0.0f));
  // x = n ln2 + r, |r| <= ln2 / 2, with ln2 split so that n * kC1 is exact.
  const V n = Ops::floor(xs * V(1.44269504088896341f) + V(0.5f));
  V r = xs - n * V(0.693359375f);
  r = r - n * V(-2.12194440e-4f);
  const V z = r * r;
  V y = V(1.9875691500e-4f);
  y = y * r + V(1.3981999507e-3f);
  y = y * r + V(8.3334519073e-3f);
  y = y * r + V(4.1665795894e-2f);
  y = y * r + V(1.6666665459e-1f);
  y = y * r + V(5.0000001201e-1f);
  y = y * z + r;
  y = y + V(1.0f);
  // y 2^n in two exact-range steps (n in [-150, 128]): the first product is exact, the second rounds once, into
  // the subnormals or to infinity when the result lies there.
  const V n1 = Ops::floor(n * V(0.5f));
  const V result = y * Ops::pow2(n1) * Ops::pow2(n - n1);
  return Ops::select(x == x, result, x);
}

// The natural logarithm.
template <class Ops, class V>
V log_float(const V& x) {
  const float inf = std::numeric_limits<float>::infinity();
  const auto finite_positive = (x > V(0.0f)) & (x < V(inf));
  V xs = Ops::select(finite_positive, x, V(1.0f));
  // Subnormals scaled into the normal range first.
  const auto tiny = xs < V(std::numeric_limits<float>::min());
  xs = Ops::select(tiny, xs * V(33554432.0f), xs);  // 2^25
  const auto bits = Ops::exponent_bits(xs);
  V e = Ops::exponent(bits) - Ops::select(tiny, V(25.0f), V(0.0f));
  V m = Ops::mantissa(bits);  // [1/2, 1)
  // m in [sqrt(1/2), sqrt(2)) by doubling the small ones; then log(1 + f) = f - f^2/2 + f^3 P(f).
  const auto small = m < V(0.707106781186547524f);
  e = e - Ops::select(small, V(1.0f), V(0.0f));
  const V f = Ops::select(small, m + m, m) - V(1.0f);
  const V z = f * f;
  V y = V(7.0376836292e-2f);
  y = y * f + V(-1.1514610310e-1f);
  y = y * f + V(1.1676998740e-1f);
  y = y * f + V(-1.2420140846e-1f);
  y = y * f + V(1.4249322787e-1f);
  y = y * f + V(-1.6668057665e-1f);
  y = y * f + V(2.0000714765e-1f);
  y = y * f + V(-2.4999993993e-1f);
  y = y * f + V(3.3333331174e-1f);
  y = y * f;
  y = y * z;
  y = y + e * V(-2.12194440e-4f);
  y = y - z * V(0.5f);
  V r = f + y;
  r = r + e * V(0.693359375f);
  // log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, NaN stays NaN.
  r = Ops::select(x == V(0.0f), V(-inf), r);
  r = Ops::select(x < V(0.0f), V(std::numeric_limits<float>::quiet_NaN()), r);
  r = Ops::select(x == V(inf), x, r);
  return Ops::select(x == x, r, x);
}

// The hyperbolic tangent.
template <class Ops, class V>
V tanh_float(const V& x) {
  const V a = Ops::select(x < V(0.0f), V(0.0f) - x, x);
  // |x| < 0.625: x + x^3 P(x^2).
  const V z = x * x;
  V p = V(-5.70498872745e-3f);
  p = p * z + V(2.06390887954e-2f);
  p = p * z + V(-5.37397155531e-2f);
  p = p * z + V(1.33314422036e-1f);
  p = p * z + V(-3.33332819422e-1f);
  p = p * z;
  p = p * x;
  const V small = p + x;
  // Otherwise 1 - 2 / (e^2|x| + 1), with the sign of x (1 from |x| = 9 on).
  const V t = V(1.0f) - Ops::div(V(2.0f), exp_float<Ops>(a + a) + V(1.0f));
  const V large = Ops::select(x < V(0.0f), V(0.0f) - t, t);
  const V r = Ops::select(a < V(0.625f), small, large);
  return Ops::select(x == V(0.0f), x, r);  // tanh(-0) = -0
}

// c[0] x^(N-1) + c[1] x^(N-2) + ... + c[N-1], by Horner's rule.
template <class V, int N>
V polynomial(const V& x, const float (&c)[N]) {
  V y = V(c[0]);
  for (int i = 1; i < N; ++i) y = y * x + V(c[i]);
  return y;
}

// The error function: two near-minimax polynomials fitted for this file by tools/fit_erf_float.py, which says how. |x|
// < 1: x + x P(x^2), P(0) = 2/sqrt(pi) - 1, so that the last add is a correction to x; then 1 - e^(-x^2) R(1/|x| -
// shift), erfc(x) e^(x^2) being smooth in 1/x, with the sign of x; 1 from |x| = 3.95 on. Within 1 ULP of the correctly
// rounded value on every float (checked exhaustively).
template <class Ops, class V>
V erf_float(const V& x) {
  static constexpr float kP[] = {-9.680138591334205e-06f, 0.0001127054525050325f, -0.0008484711552639242f,
                                 0.0052210748850902875f,  -0.02686544582383119f,  0.1128378274724085f,
                                 -0.3761263848381155f,    0.12837916706315852f};
  static constexpr float kR[] = {-0.03616965582257742f,  0.02531216233143621f, 0.005985284771386501f,
                                 -0.026808736402633468f, 0.0428001459807951f,  -0.0465390888447487f,
                                 0.022967013547862337f,  0.04391360789214171f, -0.17218677517074993f,
                                 0.38173854600063906f,   0.3065574405922751f};
  const V a = Ops::select(x < V(0.0f), V(0.0f) - x, x);
  const V z = x * x;
  const V small = x + x * polynomial(z, kP);
  // 1/|x| on [1, 3.95] only, so that R stays on its fitted range whatever the lane holds.
  V clamped = Ops::select(a < V(1.0f), V(1.0f), a);
  clamped = Ops::select(clamped < V(3.95f), clamped, V(3.95f));
  const V r = polynomial(Ops::div(V(1.0f), clamped) - V(0.6265822784810127f), kR);
  V large = Ops::select(a < V(3.95f), V(1.0f) - exp_float<Ops>(V(0.0f) - z) * r, V(1.0f));
  large = Ops::select(x < V(0.0f), V(0.0f) - large, large);
  const V result = Ops::select(a < V(1.0f), small, large);  // erf(-0) = -0: x + x P(0) keeps the sign
  return Ops::select(x == x, result, x);
}

// The vocabulary for plain floats (the scalar loops).
struct ScalarFloatOps {
  static float select(bool m, float a, float b) { return m ? a : b; }
  static float floor(float x) { return __builtin_floorf(x); }
  static float div(float a, float b) { return a / b; }
  static float pow2(float n) {
    const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  static int32_t exponent_bits(float x) {
    int32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return bits;
  }
  static float exponent(int32_t bits) { return static_cast<float>((bits >> 23) - 126); }
  static float mantissa(int32_t bits) {
    const int32_t m = (bits & 0x007FFFFF) | 0x3F000000;  // the mantissa with the exponent of [1/2, 1)
    float f;
    std::memcpy(&f, &m, sizeof f);
    return f;
  }
};

}  // namespace wick::cpu::deterministic
