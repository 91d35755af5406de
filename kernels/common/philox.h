// Counter-based random numbers (Philox 4x32-10, Salmon et al. 2011) and the transforms after it, shared by
// both backends: element i of a random() call is a pure function of (seed, offset + i), computed by this code
// on either device, so one seed gives the same tensor on the CPU and the GPU whatever the threading.
#pragma once

#include <cmath>
#include <cstdint>

#include "backend.h"
#include "host_device.h"

namespace wick::kernels {

// Philox 4x32-10's constants: the two round multipliers and the two Weyl increments of the key.
inline constexpr uint32_t kPhiloxM0 = 0xD2511F53u;
inline constexpr uint32_t kPhiloxM1 = 0xCD9E8D57u;
inline constexpr uint32_t kPhiloxW0 = 0x9E3779B9u;
inline constexpr uint32_t kPhiloxW1 = 0xBB67AE85u;
inline constexpr int kPhiloxRounds = 10;

// Four 32-bit words for counter `n` under key `seed`. kernels/cpu/simd/simd_philox.h computes the same words for
// many counters at once, one per vector lane.
WICK_HOST_DEVICE void philox4x32_10(uint64_t seed, uint64_t n, uint32_t out[4]) {
  uint32_t c[4] = {uint32_t(n), uint32_t(n >> 32), 0, 0};
  uint32_t k[2] = {uint32_t(seed), uint32_t(seed >> 32)};
  for (int r = 0; r < kPhiloxRounds; ++r) {
    const uint64_t p0 = uint64_t(kPhiloxM0) * c[0];
    const uint64_t p1 = uint64_t(kPhiloxM1) * c[2];
    const uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    const uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c[0] = hi1 ^ c[1] ^ k[0];
    c[1] = lo1;
    c[2] = hi0 ^ c[3] ^ k[1];
    c[3] = lo0;
    k[0] += kPhiloxW0;
    k[1] += kPhiloxW1;
  }
  for (int i = 0; i < 4; ++i) out[i] = c[i];
}

// The 53 random bits of a double draw: hi's 32 above lo's top 21.
WICK_HOST_DEVICE uint64_t bits53(uint32_t hi, uint32_t lo) { return (uint64_t(hi) << 21) ^ (lo >> 11); }

// [0, 1) with 53 random bits.
WICK_HOST_DEVICE double uniform53(uint32_t hi, uint32_t lo) {
  return double(bits53(hi, lo)) * (1.0 / 9007199254740992.0);
}

// The Bernoulli draw uniform53(hi, lo) < p as one integer comparison, bits53(hi, lo) < bernoulli_threshold(p): X *
// 2^-53 < p exactly when X < p * 2^53 (a power-of-two scaling, exact), and for an integer X that is X < ceil(p *
// 2^53). p <= 0 (or NaN) never draws 1, p >= 1 always does, as the comparison in doubles.
WICK_HOST_DEVICE uint64_t bernoulli_threshold(double p) {
  if (!(p > 0)) return 0;
  if (p >= 1) return uint64_t(1) << 53;
  return uint64_t(::ceil(p * 9007199254740992.0));
}

// The Integer kind's draw in [a, b), exact for every int64 range.
WICK_HOST_DEVICE int64_t random_integer(double a, double b, const uint32_t w[4]) {
  const uint64_t range = uint64_t(int64_t(b) - int64_t(a));
  const uint64_t r = (uint64_t(w[0]) << 32) | w[1];
  return int64_t(a) + int64_t(r % range);
}

// The significand bits a uniform draw for `dtype` uses, PyTorch's numeric_limits<T>::digits: with that many
// random bits every value of [0, 1) is exact in the dtype, so none rounds up to 1 (a float16 draw from 24 bits
// could). Integer outputs keep the float32 or float64 draw of their width.
inline constexpr int random_digits(ScalarType dtype) {
  switch (dtype) {
    case ScalarType::Half: return 11;
    case ScalarType::BFloat16: return 8;
    case ScalarType::Double:
    case ScalarType::Int64: return 53;
    default: return 24;
  }
}

// v rounded to a `digits`-bit significand, as converting it to a dtype with that many digits rounds (to nearest
// even; subnormals aside, which cannot be an upper bound here).
WICK_HOST_DEVICE double round_to_digits(double v, int digits) {
  if (v == 0 || digits >= 53) return v;
  int e = 0;
  const double m = ::frexp(v, &e);
  return ::ldexp(::nearbyint(::ldexp(m, digits)), e - digits);
}

// One element of a random() call as a double, before conversion to the output's dtype, whose significand has
// `digits` bits (random_digits).
WICK_HOST_DEVICE double random_value(RandomKind kind, double a, double b, const uint32_t w[4], int digits) {
  switch (kind) {
    case RandomKind::Uniform: {
      if (digits >= 53) {
        const double v = a + (b - a) * uniform53(w[0], w[1]);
        return v >= b ? a : v;
      }
      const double unit = 1.0 / double(uint64_t(1) << digits);  // 2^-digits, exact
      const double v = a + (b - a) * (double(w[0] >> (32 - digits)) * unit);
      // Rounding to the dtype must not reach the open end (uniform_(2.9, 3) in float32 can round 3 - 0.1 * 2^-24
      // up to 3). Only a value within half an ulp of b, at most |b| * 2^-digits, can: the rounding is done for
      // those alone, so the common draw costs a multiply and a compare.
      if (b - v > ::fabs(b) * unit) return v;
      return round_to_digits(v, digits) >= b ? a : v;
    }
    case RandomKind::Normal: {                        // Box-Muller on two independent uniforms
      const double u1 = 1.0 - uniform53(w[0], w[1]);  // (0, 1]
      const double u2 = uniform53(w[2], w[3]);
      return a + b * ::sqrt(-2.0 * ::log(u1)) * ::cos(6.283185307179586 * u2);
    }
    case RandomKind::Integer: return double(random_integer(a, b, w));
    case RandomKind::Bernoulli: return bits53(w[0], w[1]) < bernoulli_threshold(a) ? 1.0 : 0.0;
  }
  return 0.0;
}

}  // namespace wick::kernels
