#!/usr/bin/env python3
"""Pairs the outputs of gpu_bench (wick) and gpu_bench_torch (LibTorch), both from tools/bench/gpu_workloads.inc,
by key and prints one markdown table: each value, wick's ratio to LibTorch and issue 19's target for the row.

  tools/bench/gpu_compare.py WICK_OUTPUT TORCH_OUTPUT [--peak-gbs GB/s]

Ratios are wick/LibTorch for times (below 1: wick is faster) and for throughputs (above 1: wick is faster).
With --peak-gbs (the device's memory bandwidth), the bandwidth rows also show the fraction of it wick reached.
Exit status: 0 when every row with a target met it, 1 otherwise, 2 on unreadable input.
"""
import argparse
import sys

def read(path):
    """key -> (value, unit) from lines "key value unit"; other lines (device, allocator) are skipped."""
    values = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            try:
                values[parts[0]] = (float(parts[1]), parts[2])
            except ValueError:
                continue
    return values


def target(key):
    """(comparison, bound) on wick/LibTorch, as issue 19 sets them."""
    if key.startswith("matmul_"):
        return (">=", 0.95)
    if key == "add_1":
        return ("<=", 1.0)
    if key in ("add_16m", "sum_16m"):
        return (">=", 0.9)
    return ("<=", 1.0)  # training steps and the sequence models


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wick")
    parser.add_argument("torch")
    parser.add_argument("--peak-gbs", type=float, default=0.0)
    args = parser.parse_args()
    try:
        wick, torch = read(args.wick), read(args.torch)
    except OSError as e:
        print(f"gpu_compare: {e}", file=sys.stderr)
        return 2
    if not wick or not torch:
        print("gpu_compare: no measurements in " + (args.wick if not wick else args.torch), file=sys.stderr)
        return 2
    print("| workload | unit | wick | LibTorch | wick/LibTorch | target | | of peak |")
    print("|---|---|--:|--:|--:|---|---|--:|")
    missed = 0
    for key, (value, unit) in wick.items():
        if key not in torch:
            print(f"| {key} | {unit} | {value:.4g} | (missing) | | | | |")
            continue
        torch_value = torch[key][0]
        ratio = value / torch_value if torch_value else float("inf")
        op, bound = target(key)
        met = ratio >= bound if op == ">=" else ratio <= bound
        missed += not met
        peak = ""
        if unit == "GB/s" and args.peak_gbs > 0:
            peak = f"{100 * value / args.peak_gbs:.0f}%"
            if value < 0.8 * args.peak_gbs:
                peak += " (< 80%)"
                missed += 1
        print(f"| {key} | {unit} | {value:.4g} | {torch_value:.4g} | {ratio:.3f} | {op} {bound} | "
              f"{'met' if met else 'NOT met'} | {peak} |")
    return 0 if missed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
