// Counter-based random numbers (Philox 4x32-10, Salmon et al. 2011). Element i of a call is a pure function
// of (seed, offset + i), so results do not depend on thread count and the CUDA backend can reproduce them.
#include <cmath>

#include "cpu_backend.h"
#include "dispatch.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

struct Philox {
  static void round(uint32_t c[4], const uint32_t k[2]) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c[0];
    const uint64_t p1 = uint64_t(0xCD9E8D57u) * c[2];
    const uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    const uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c[0] = hi1 ^ c[1] ^ k[0];
    c[1] = lo1;
    c[2] = hi0 ^ c[3] ^ k[1];
    c[3] = lo0;
  }
  // Four 32-bit words for counter `n` under key `seed`.
  static void generate(uint64_t seed, uint64_t n, uint32_t out[4]) {
    uint32_t c[4] = {uint32_t(n), uint32_t(n >> 32), 0, 0};
    uint32_t k[2] = {uint32_t(seed), uint32_t(seed >> 32)};
    for (int r = 0; r < 10; ++r) {
      round(c, k);
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    for (int i = 0; i < 4; ++i) out[i] = c[i];
  }
};

inline double uniform53(uint32_t hi, uint32_t lo) {  // [0, 1) with 53 random bits
  return double((uint64_t(hi) << 21) ^ (lo >> 11)) * (1.0 / 9007199254740992.0);
}

}  // namespace

void CpuBackend::random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) {
  dispatch_all(out.dtype, "random", [&]<class T>() {
    T* o = static_cast<T*>(out.data);
    parallel_for(0, out.numel(), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        uint32_t w[4];
        Philox::generate(seed, offset + uint64_t(i), w);
        double v = 0;
        switch (kind) {
          case RandomKind::Uniform: {
            const double u = sizeof(T) <= 4 ? double(w[0] >> 8) * (1.0 / 16777216.0) : uniform53(w[0], w[1]);
            v = a + (b - a) * u;
            if (v >= b) v = a;  // rounding to float must not reach the open end
            break;
          }
          case RandomKind::Normal: {  // Box-Muller on two independent uniforms
            const double u1 = 1.0 - uniform53(w[0], w[1]);  // (0, 1]
            const double u2 = uniform53(w[2], w[3]);
            v = a + b * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
            break;
          }
          case RandomKind::Integer: {
            const uint64_t range = uint64_t(int64_t(b) - int64_t(a));
            const uint64_t r = (uint64_t(w[0]) << 32) | w[1];
            v = double(int64_t(a) + int64_t(r % range));
            if constexpr (sizeof(T) == 8 && !std::is_floating_point_v<T>) {
              o[i] = T(int64_t(a) + int64_t(r % range));
              continue;
            }
            break;
          }
          case RandomKind::Bernoulli:
            v = uniform53(w[0], w[1]) < a ? 1.0 : 0.0;
            break;
        }
        if constexpr (std::is_same_v<T, bool>) o[i] = v != 0;
        else o[i] = T(v);
      }
    });
  });
}

}  // namespace wick::cpu
