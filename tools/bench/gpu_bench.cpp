// wick's side of the GPU benchmark (tools/bench/gpu_workloads.inc); tools/bench/gpu_bench_torch.cpp is LibTorch's,
// from the same source. Built as build/tools/bench/gpu_bench with the CUDA backend; tools/gpu_check runs both on
// the GPU machine and tools/bench/gpu_compare.py prints their ratios.
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

namespace lib = wick;
#define BENCH_SIDE "wick"
#include "gpu_workloads.inc"

int main() {
  if (wick::cuda::is_available()) std::printf("device: %s\n", wick::cuda::device_name(0).c_str());
  if (!gpu_bench::run_all()) return 0;
  // Where the allocator's time goes: a cache that works serves nearly every allocation without cudaMalloc.
  const wick::cuda::MemoryStats s = wick::cuda::memory_stats();
  std::printf("allocator: %llu allocations, %llu cache hits, %llu cudaMalloc calls\n",
              (unsigned long long)s.allocations, (unsigned long long)s.cache_hits,
              (unsigned long long)s.device_mallocs);
  return 0;
}
