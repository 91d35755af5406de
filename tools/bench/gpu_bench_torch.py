#!/usr/bin/env python3
"""PyTorch counterpart of tools/bench/gpu_bench.cpp: the same measurements, printed in the same format, so
the two outputs compare line by line (ratio = wick / torch for times, torch / wick for throughput)."""
import time

import torch


def best_seconds_per_call(f, iters, reps):
    for _ in range(iters):
        f()
    torch.cuda.synchronize()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(iters):
            f()
        torch.cuda.synchronize()
        best = min(best, (time.perf_counter() - t0) / iters)
    return best


def bench_matmul(n, dtype, name):
    a = torch.randn(n, n, device="cuda", dtype=dtype)
    b = torch.randn(n, n, device="cuda", dtype=dtype)
    iters = 10 if n >= 8192 else 30
    s = best_seconds_per_call(lambda: a.mm(b), iters, 3)
    print(f"matmul {name:<8} {n:5d}: {s * 1e3:9.3f} ms  {2.0 * n ** 3 / s / 1e12:8.1f} TFLOP/s")


def bench_small_add(n):
    a = torch.randn(n, device="cuda")
    b = torch.randn(n, device="cuda")
    s = best_seconds_per_call(lambda: a + b, 20000, 5)
    print(f"add float32 {n:9d} elements: {s * 1e6:9.2f} us/op")


def bench_large_add(n):
    a = torch.randn(n, device="cuda")
    b = torch.randn(n, device="cuda")
    s = best_seconds_per_call(lambda: a + b, 50, 5)
    print(f"add float32 {n:9d} elements: {s * 1e6:9.2f} us/op  {3.0 * 4 * n / s / 1e9:8.1f} GB/s")


def bench_bandwidth(name, nbytes, f):
    s = best_seconds_per_call(f, 50, 5)
    print(f"{name:<32} {s * 1e6:9.2f} us/op  {nbytes / s / 1e9:8.1f} GB/s")


def bench_memory_bound():
    n = 16 << 20
    x = torch.randn(n, device="cuda")
    bench_bandwidth("sum float32 16M", 4.0 * n, lambda: x.sum())
    logits = torch.randn(8192, 4096, device="cuda")
    bench_bandwidth("softmax float32 [8192, 4096]", 8.0 * 8192 * 4096, lambda: torch.softmax(logits, 1))
    sq = torch.randn(4096, 4096, device="cuda")
    bench_bandwidth("transpose copy float32 4096^2", 8.0 * 4096 * 4096, lambda: sq.t().contiguous())


def main():
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to measure")
        return
    torch.backends.cuda.matmul.allow_tf32 = False  # PyTorch's default, and wick's
    print(f"device: {torch.cuda.get_device_name(0)} (torch {torch.__version__})")
    torch.manual_seed(0)
    for n in (4096, 8192):
        bench_matmul(n, torch.float32, "float32")
        bench_matmul(n, torch.bfloat16, "bfloat16")
    bench_small_add(1024)
    bench_small_add(16)
    bench_large_add(16 << 20)
    bench_memory_bound()


if __name__ == "__main__":
    main()
