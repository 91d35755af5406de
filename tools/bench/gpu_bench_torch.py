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


def bench_training_step(name, model, optimizer, batch, shape):
    x = torch.randn(batch, *shape, device="cuda")
    y = torch.randint(10, (batch,), device="cuda")

    def step():
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    s = best_seconds_per_call(step, 50, 5)
    print(f"{name:<24} batch {batch:4d}: {s * 1e3:9.3f} ms/step")


def bench_training():
    nn = torch.nn
    for batch in (64, 512):
        mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)).cuda()
        sgd = torch.optim.SGD(mlp.parameters(), lr=0.01, momentum=0.9)
        bench_training_step("mlp 784-256-10 sgd", mlp, sgd, batch, (784,))
    for batch in (64, 512):
        lenet = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                              nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                              nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)).cuda()
        adam = torch.optim.Adam(lenet.parameters(), lr=1e-3)
        bench_training_step("lenet-5 adam", lenet, adam, batch, (1, 28, 28))


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
    bench_training()


if __name__ == "__main__":
    main()
