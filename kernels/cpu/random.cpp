// Counter-based random numbers: kernels/common/philox.h, the generator and transforms both backends run, so
// results do not depend on thread count and the CUDA backend reproduces them. The Philox words come from the kernel
// set's vector generator (simd/simd_philox.h, the same bits) a block at a time; the transforms run per element.
#include <algorithm>
#include <type_traits>

#include "common/philox.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {

void CpuBackend::random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) {
  const int digits = kernels::random_digits(out.dtype);
  const SimdTable& table = simd_table();
  dispatch_all(out.dtype, "random", [&]<class T>() {
    T* o = static_cast<T*>(out.data);
    parallel_for(0, out.numel(), 16384, [&](int64_t begin, int64_t end) {
      if constexpr (std::is_same_v<T, float>) {
        if (kind == RandomKind::Bernoulli) {  // dropout's masks: generator and comparison in one vector loop
          table.bernoulli_float(seed, offset + uint64_t(begin), end - begin, kernels::bernoulli_threshold(a),
                                o + begin);
          return;
        }
      }
      constexpr int64_t kBlock = 256;  // 4 KB of words, in the L1 cache between generator and transform
      uint32_t words[4 * kBlock];
      for (int64_t start = begin; start < end; start += kBlock) {
        const int64_t n = std::min(kBlock, end - start);
        table.philox(seed, offset + uint64_t(start), n, words);
        T* block = o + start;
        for (int64_t i = 0; i < n; ++i) {
          const uint32_t w[4] = {words[i], words[n + i], words[2 * n + i], words[3 * n + i]};
          if constexpr (std::is_same_v<T, int64_t>) {
            if (kind == RandomKind::Integer) {
              block[i] = kernels::random_integer(a, b, w);
              continue;
            }
          }
          const double v = kernels::random_value(kind, a, b, w, digits);
          if constexpr (std::is_same_v<T, bool>)
            block[i] = v != 0;
          else
            block[i] = T(v);
        }
      }
    });
  });
}

}  // namespace wick::cpu
