// Built with -ffp-contract=off (kernels/meson.build): see deterministic_math.h for why each step is written out.
#include "deterministic_math.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace wick::cpu::deterministic {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// ln 2 split as fdlibm does: kLn2Hi has 32 significant bits, so n * kLn2Hi is exact for |n| < 2^21.
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;
constexpr double kSqrtHalf = 0.70710678118654752440;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

// Past these exp overflows to infinity or underflows to zero in double.
constexpr double kExpMax = 709.782712893383973096;
constexpr double kExpMin = -745.133219101941108420;

// 1 / k! for k = 0..19, rounded once by the compiler.
constexpr std::array<double, 20> kInverseFactorial = [] {
  std::array<double, 20> c{};
  double f = 1.0;  // k! is exact in double up to 22!
  for (int k = 0; k < 20; ++k) {
    if (k > 0) f *= k;
    c[k] = 1.0 / f;
  }
  return c;
}();

// e^r for |r| <= ln2 / 2 + a little: the Taylor series to r^13 / 13! (the rest is below 4e-18 relative), by Horner.
double exp_reduced(double r) {
  double p = kInverseFactorial[13];
  for (int k = 12; k >= 0; --k) p = p * r + kInverseFactorial[k];
  return p;
}

// 2^e for e in [-1022, 1023], from its bits.
double power_of_two(int e) {
  const uint64_t bits = uint64_t(e + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// p 2^n for p in [1/2, 2] and n in [-1076, 1024], rounded once as ldexp would (without its library call): every
// multiplication but the last is exact.
double scale(double p, int n) {
  if (n > 1023) return p * power_of_two(1023) * power_of_two(n - 1023);
  if (n < -1022) return p * power_of_two(n + 54) * power_of_two(-54);
  return p * power_of_two(n);
}

// x * x as hi + lo exactly (Dekker's product without a fused multiply-add).
void exact_square(double x, double& hi, double& lo) {
  const double c = 134217729.0 * x;  // 2^27 + 1 splits x into two 26-bit halves
  const double xh = c - (c - x);
  const double xl = x - xh;
  hi = x * x;
  lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
}

}  // namespace

double exp(double x) {
  if (x != x) return x;
  if (x > kExpMax) return kInf;
  if (x < kExpMin) return 0.0;
  // x = n ln2 + r with |r| <= ln2 / 2: e^x = 2^n e^r, scaled exactly (rounding once into subnormals).
  const double n = std::nearbyint(x * kInvLn2);
  const double r = (x - n * kLn2Hi) - n * kLn2Lo;
  return scale(exp_reduced(r), static_cast<int>(n));
}

double expm1(double x) {
  if (x != x) return x;
  if (x > kExpMax) return kInf;
  if (x < -40.0) return -1.0;                    // e^-40 is below half an ULP of 1
  if (x > 0.5 || x < -0.5) return exp(x) - 1.0;  // no cancellation: |e^x - 1| >= 0.39
  // x + x^2/2! + ... + x^19/19! (the rest is below 1e-24 relative for |x| <= 1/2), x factored out so that a tiny x
  // comes back exactly.
  double p = kInverseFactorial[19];
  for (int k = 18; k >= 1; --k) p = p * x + kInverseFactorial[k];
  return x * p;
}

double log(double x) {
  if (x != x) return x;
  if (x < 0.0) return kNaN;
  if (x == 0.0) return -kInf;
  if (x == kInf) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [1/2, 1), exact (subnormals included)
  if (m < kSqrtHalf) {
    m *= 2.0;
    --e;
  }
  // log m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.1716: s (1 + s^2/3 + ... + s^24/25), the rest below 1e-20.
  const double f = m - 1.0;  // exact: m is within a factor of 2 of 1
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double q = 1.0 / 25.0;
  for (int k = 23; k >= 1; k -= 2) q = q * s2 + 1.0 / k;  // 1.0 / k: an exact int, one correctly rounded division
  const double log_m = 2.0 * s * q;
  const double n = static_cast<double>(e);
  return n * kLn2Hi + (n * kLn2Lo + log_m);
}

double log1p(double x) {
  if (x != x) return x;
  if (x < -1.0) return kNaN;
  if (x == -1.0) return -kInf;
  if (x == kInf) return x;
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  // Goldberg's correction: log(u) * x / (u - 1) cancels the rounding of 1 + x to first order.
  return log(u) * (x / (u - 1.0));
}

double tanh(double x) {
  if (x != x) return x;
  const double a = std::fabs(x);
  // tanh a = (e^2a - 1) / (e^2a + 1), through expm1 so that a small a keeps its digits; past 22 it rounds to 1.
  double t = 1.0;
  if (a <= 22.0) {
    const double e = expm1(2.0 * a);
    t = e / (e + 2.0);
  }
  return std::copysign(t, x);  // tanh(-0) = -0
}

double erf(double x) {
  if (x != x) return x;
  const double a = std::fabs(x);
  double r = 1.0;  // erf(6) is 1 - 2e-17: 1 in double
  if (a < 6.0) {
    // erf a = 2/sqrt(pi) e^(-a^2) sum_n (2a^2)^n a / (1 3 5 ... (2n+1)): every term positive, so no cancellation at
    // any a; it stops when a term no longer changes the sum (at most ~130 terms, at a near 6).
    double hi = 0.0, lo = 0.0;
    exact_square(a, hi, lo);
    const double two_a2 = 2.0 * hi;
    double term = a, sum = a;
    for (int n = 1; n < 200; ++n) {
      term = term * two_a2 / (2.0 * n + 1.0);
      const double next = sum + term;
      if (next == sum) break;
      sum = next;
    }
    // e^-(hi + lo) = e^-hi (1 - lo) to well below an ULP: |lo| <= 2^-53 hi.
    r = kTwoOverSqrtPi * (exp(-hi) * (1.0 - lo)) * sum;
  }
  return std::copysign(r, x);
}

}  // namespace wick::cpu::deterministic
