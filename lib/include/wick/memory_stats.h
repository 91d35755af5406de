// How much tensor memory a program holds, per device: torch.cuda's memory_allocated, max_memory_allocated and
// reset_peak_memory_stats, for the CPU as well. What counts: the storage of every tensor wick allocates, and a
// compiled plan's arena. What does not: memory a tensor borrows (from_blob), the caching allocator's free blocks
// (memory the process keeps for reuse, which its resident set still shows), and what libraries allocate for
// themselves (oneDNN's scratch, cuBLAS's workspace).
//
// Counting costs an atomic add on every allocation and release, about a tenth of a small op's time, so it runs
// only while a MemoryStatsGuard exists (on any thread), as LibTorch counts CPU memory only when asked to. The
// counters then see what is allocated and released meanwhile: memory_allocated() is the net bytes since counting
// began (negative if more was released than allocated), max_memory_allocated() its high-water mark.
//
//   wick::MemoryStatsGuard counting;
//   wick::reset_peak_memory_stats();
//   const int64_t before = wick::memory_allocated();
//   step();
//   std::cout << (wick::max_memory_allocated() - before) << " bytes at the step's peak\n";
#pragma once

#include <atomic>
#include <cstdint>

#include "wick/device.h"

namespace wick {

int64_t memory_allocated(Device device = kCPU);      // net bytes counted
int64_t max_memory_allocated(Device device = kCPU);  // the highest memory_allocated() since the last reset
void reset_peak_memory_stats(Device device = kCPU);  // the peak starts again from memory_allocated()

class MemoryStatsGuard {
 public:
  MemoryStatsGuard();
  ~MemoryStatsGuard();
  MemoryStatsGuard(const MemoryStatsGuard&) = delete;
  MemoryStatsGuard& operator=(const MemoryStatsGuard&) = delete;
};

namespace detail {
extern std::atomic<int> g_memory_stats_guards;
void count_tensor_memory_now(Device device, int64_t delta);
// Tensor memory of `delta` bytes came to life (> 0) or was released (< 0) on `device`.
inline void count_tensor_memory(Device device, int64_t delta) {
  if (g_memory_stats_guards.load(std::memory_order_relaxed) > 0) count_tensor_memory_now(device, delta);
}
}  // namespace detail

}  // namespace wick
