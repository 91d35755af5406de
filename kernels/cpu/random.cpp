// Counter-based random numbers: kernels/common/philox.h, the generator and transforms both backends run, so
// results do not depend on thread count and the CUDA backend reproduces them.
#include <type_traits>

#include "common/philox.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "thread_pool.h"

namespace wick::cpu {

void CpuBackend::random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) {
  const int digits = kernels::random_digits(out.dtype);
  dispatch_all(out.dtype, "random", [&]<class T>() {
    T* o = static_cast<T*>(out.data);
    parallel_for(0, out.numel(), 16384, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        uint32_t w[4];
        kernels::philox4x32_10(seed, offset + uint64_t(i), w);
        if constexpr (std::is_same_v<T, int64_t>) {
          if (kind == RandomKind::Integer) {
            o[i] = kernels::random_integer(a, b, w);
            continue;
          }
        }
        const double v = kernels::random_value(kind, a, b, w, digits);
        if constexpr (std::is_same_v<T, bool>)
          o[i] = v != 0;
        else
          o[i] = T(v);
      }
    });
  });
}

}  // namespace wick::cpu
