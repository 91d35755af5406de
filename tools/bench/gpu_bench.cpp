// GPU benchmark of wick's CUDA backend; tools/bench/gpu_bench_torch.py measures the same with PyTorch on the
// same GPU, so the two outputs give ratios (wick / torch) line by line.
//   matmul N x N x N in float32 (TF32 off, as PyTorch's default) and bfloat16: TFLOP/s
//   add of two small tensors: the per-op cost (host overhead + launch), microseconds per op
//   add of two 16M-element tensors, sum of 16M elements, softmax over rows of [8192, 4096], a transposed
//   [4096, 4096] copy: effective bandwidth, GB/s (bytes read + written once)
//
// Build against a CUDA build of wick, e.g.
//   c++ -O2 -std=c++20 tools/bench/gpu_bench.cpp -Ilib/include -Iautograd/include -Inn/include -Ioptim/include \
//       -Lbuild-gpu -lwick -Wl,-rpath,$PWD/build-gpu -o gpu_bench && ./gpu_bench
#include <wick/cuda.h>
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <string>

using namespace wick;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Median-free but robust enough: one warm-up batch, then the best of `reps` timed batches of `iters` calls.
template <class F>
double best_seconds_per_call(F&& f, int iters, int reps) {
  for (int i = 0; i < iters; ++i) f();
  cuda::synchronize();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iters; ++i) f();
    cuda::synchronize();
    const double s = seconds_since(t0) / iters;
    if (s < best) best = s;
  }
  return best;
}

void bench_matmul(int64_t n, ScalarType dt) {
  const Tensor a = randn({n, n}, TensorOptions().dtype(dt).device(kCUDA));
  const Tensor b = randn({n, n}, TensorOptions().dtype(dt).device(kCUDA));
  Tensor c;
  const int iters = n >= 8192 ? 10 : 30;
  const double s = best_seconds_per_call([&] { c = a.mm(b); }, iters, 3);
  const double tflops = 2.0 * double(n) * double(n) * double(n) / s / 1e12;
  std::printf("matmul %-8s %5lld: %9.3f ms  %8.1f TFLOP/s\n", dtype_name(dt), (long long)n, s * 1e3, tflops);
}

void bench_small_add(int64_t n) {
  const Tensor a = randn({n}, device(kCUDA)), b = randn({n}, device(kCUDA));
  Tensor c;
  // Ops are queued asynchronously: the time per call is the host-side cost while the GPU keeps up.
  const double s = best_seconds_per_call([&] { c = a + b; }, 20000, 5);
  std::printf("add float32 %9lld elements: %9.2f us/op\n", (long long)n, s * 1e6);
}

void bench_large_add(int64_t n) {
  const Tensor a = randn({n}, device(kCUDA)), b = randn({n}, device(kCUDA));
  Tensor c;
  const double s = best_seconds_per_call([&] { c = a + b; }, 50, 5);
  std::printf("add float32 %9lld elements: %9.2f us/op  %8.1f GB/s\n", (long long)n, s * 1e6, 3.0 * 4 * n / s / 1e9);
}

// Effective bandwidth of a memory-bound op that moves `bytes` per call.
template <class F>
void bench_bandwidth(const char* name, double bytes, F&& f) {
  const double s = best_seconds_per_call(f, 50, 5);
  std::printf("%-32s %9.2f us/op  %8.1f GB/s\n", name, s * 1e6, bytes / s / 1e9);
}

void bench_memory_bound() {
  const int64_t n = int64_t(16) << 20;
  const Tensor x = randn({n}, device(kCUDA));
  Tensor r;
  bench_bandwidth("sum float32 16M", 4.0 * n, [&] { r = x.sum(); });
  const Tensor logits = randn({8192, 4096}, device(kCUDA));
  bench_bandwidth("softmax float32 [8192, 4096]", 8.0 * 8192 * 4096, [&] { r = wick::softmax(logits, 1); });
  const Tensor sq = randn({4096, 4096}, device(kCUDA));
  bench_bandwidth("transpose copy float32 4096^2", 8.0 * 4096 * 4096, [&] { r = sq.t().contiguous(); });
}

}  // namespace

int main() {
  if (!cuda::is_available()) {
    std::printf("no CUDA device: nothing to measure\n");
    return 0;
  }
  std::printf("device: %s\n", cuda::device_name(0).c_str());
  manual_seed(0);
  for (int64_t n : {4096, 8192}) {
    bench_matmul(n, kFloat);
    bench_matmul(n, kBFloat16);
  }
  bench_small_add(1024);
  bench_small_add(16);
  bench_large_add(int64_t(16) << 20);
  bench_memory_bound();
  const cuda::MemoryStats s = cuda::memory_stats();
  std::printf("allocator: %llu allocations, %llu cache hits, %llu cudaMalloc calls\n",
              (unsigned long long)s.allocations, (unsigned long long)s.cache_hits,
              (unsigned long long)s.device_mallocs);
  return 0;
}
