// GPU benchmark of wick's CUDA backend; tools/bench/gpu_bench_torch.py measures the same with PyTorch on the
// same GPU, so the two outputs give ratios (wick / torch) line by line.
//   matmul N x N x N in float32 (TF32 off, as PyTorch's default) and bfloat16: TFLOP/s
//   add of two small tensors: the per-op cost (host overhead + launch), microseconds per op
//   add of two 16M-element tensors, sum of 16M elements, softmax over rows of [8192, 4096], a transposed
//   [4096, 4096] copy: effective bandwidth, GB/s (bytes read + written once)
//   training steps (zero_grad, forward, cross-entropy, backward, step) of an MLP 784-256-10 with SGD-momentum
//   and of LeNet-5 with Adam, batch 64 and 512: milliseconds per step
//
// Built as build/tools/bench/gpu_bench when wick is built with CUDA; then, on the GPU machine:
//   build/tools/bench/gpu_bench && python3 tools/bench/gpu_bench_torch.py
#include <wick/cuda.h>
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

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

// One training step per call, everything on the GPU; the step ends with the optimizer's update queued.
template <class Model, class Optimizer>
void bench_training_step(const char* name, Model& model, Optimizer& optimizer, int64_t batch, IntArrayRef shape) {
  std::vector<int64_t> input_shape{batch};
  input_shape.insert(input_shape.end(), shape.begin(), shape.end());
  const Tensor x = randn(input_shape, device(kCUDA));
  const Tensor y = randint(10, {batch}, TensorOptions().dtype(kInt64).device(kCUDA));
  const double s = best_seconds_per_call([&] {
    optimizer.zero_grad();
    nn::functional::cross_entropy(model->forward(x), y).backward();
    optimizer.step();
  }, 50, 5);
  std::printf("%-24s batch %4lld: %9.3f ms/step\n", name, (long long)batch, s * 1e3);
}

void bench_training() {
  for (int64_t batch : {64, 512}) {
    nn::Sequential mlp(nn::Flatten(), nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10));
    mlp->to(kCUDA);
    optim::SGD sgd(mlp->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    bench_training_step("mlp 784-256-10 sgd", mlp, sgd, batch, {784});
  }
  for (int64_t batch : {64, 512}) {
    nn::Sequential lenet(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                         nn::Conv2d(nn::Conv2dOptions(6, 16, 5)), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                         nn::Linear(400, 120), nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
    lenet->to(kCUDA);
    optim::Adam adam(lenet->parameters(), optim::AdamOptions(1e-3));
    bench_training_step("lenet-5 adam", lenet, adam, batch, {1, 28, 28});
  }
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
  bench_training();
  const cuda::MemoryStats s = cuda::memory_stats();
  std::printf("allocator: %llu allocations, %llu cache hits, %llu cudaMalloc calls\n",
              (unsigned long long)s.allocations, (unsigned long long)s.cache_hits,
              (unsigned long long)s.device_mallocs);
  return 0;
}
