// The non-library baselines: oneDNN's own sgemm called directly (what wick's matmul should reach) and
// memcpy (what a memory-bound elementwise op should reach).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#ifdef WICK_HAVE_ONEDNN
#include <dnnl.h>
#endif

#include "bench.h"

namespace {

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using Buffer = std::shared_ptr<float>;

// Page-aligned (the baseline's best case), every page touched (no first-touch page faults inside the loop),
// values in [-0.5, 0.5): the numbers do not matter, only that they are ordinary floats.
Buffer filled_buffer(size_t count) {
  auto* p = static_cast<float*>(std::aligned_alloc(4096, (count * sizeof(float) + 4095) / 4096 * 4096));
  for (size_t i = 0; i < count; ++i) p[i] = float(uint32_t(i * 2654435761u) >> 8) / float(1 << 24) - 0.5f;
  return Buffer(p, FreeDeleter{});
}

}  // namespace

void bench::add_reference_workloads(Workloads& out) {
#ifdef WICK_HAVE_ONEDNN
  for (int64_t size : {256, 1024}) {
    out["mm_" + std::to_string(size) + ".dnnl"] = [size] {
      const size_t count = size_t(size * size);
      Buffer a = filled_buffer(count), b = filled_buffer(count), c = filled_buffer(count);
      return Loop([a, b, c, size](int64_t n) {
        for (int64_t i = 0; i < n; ++i)
          dnnl_sgemm('N', 'N', size, size, size, 1.0f, a.get(), size, b.get(), size, 0.0f, c.get(), size);
      });
    };
  }
#endif
  out["copy_16m.memcpy"] = [] {
    const size_t count = size_t(16) << 20;
    Buffer src = filled_buffer(count), dst = filled_buffer(count);
    return Loop([src, dst, count](int64_t n) {
      for (int64_t i = 0; i < n; ++i) std::memcpy(dst.get(), src.get(), count * sizeof(float));
    });
  };
}
