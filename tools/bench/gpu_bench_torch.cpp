// LibTorch's side of the GPU benchmark (tools/bench/gpu_workloads.inc), from the same source as gpu_bench.cpp.
// Not built by meson (Debian's LibTorch has no CUDA): tools/gpu_check compiles it on the GPU machine against the
// LibTorch inside its PyTorch package (torch/include, torch/lib).
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

namespace lib = torch;
#define BENCH_SIDE "torch"
#include "gpu_workloads.inc"

int main() {
  gpu_bench::run_all();
  return 0;
}
