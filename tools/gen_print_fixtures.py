#!/usr/bin/python3
"""Writes tests/fixtures/print_cases.txt: PyTorch's repr() of tensors that tests/lib/print_test.cpp builds in wick.

Run with a Python that has torch (Debian's /usr/bin/python3 here):  /usr/bin/python3 tools/gen_print_fixtures.py
Each case is a line "@@ name" followed by the exact repr; the repr ends where the next "@@ " line (or the file) starts.
Values are built from arange and exact arithmetic only, so wick holds bit-identical data.
"""
import math
import os
import sys

import torch
from torch._tensor_str import _add_suffixes, _tensor_str

f32, f64, f16, bf16 = torch.float32, torch.float64, torch.float16, torch.bfloat16
i32, i64, u8, b = torch.int32, torch.int64, torch.uint8, torch.bool
nan, inf = math.nan, math.inf


def ar(*args, **kw):
    return torch.arange(*args, **kw)


def leaf(t):
    return t.requires_grad_(True)


class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def elided_spike():
    x = torch.ones(2000)
    x[1000] = 1e10  # not among the printed edge items, so it must not switch to scientific notation
    return x


def on_cuda(t, *extra):
    # This torch has no CUDA; compose the repr PyTorch gives a cuda:0 tensor from its own pieces.
    suffixes = ["device='cuda:0'"]
    if t.dtype not in (f32, i64, b):
        suffixes.append("dtype=" + str(t.dtype))
    suffixes += list(extra)
    return _add_suffixes("tensor(" + _tensor_str(t, 7), suffixes, 7, force_newline=False)


# (name, thunk returning a tensor, or a string for composed cases); options set before the case, reset after.
CASES = [
    ("float_2x2", lambda: torch.tensor([[1.0, 2.0], [3.0, 4.0]])),
    ("float_quarters", lambda: ar(6, dtype=f32).reshape(2, 3) / 4),
    ("float_negative_fractions", lambda: (ar(6, dtype=f32) - 2.5) / 3),
    ("float_negative_ints", lambda: ar(-3, 3, dtype=f32)),
    ("float_one_element", lambda: torch.tensor([5.0])),
    ("float_zeros", lambda: torch.zeros(3)),
    ("float_negative_zero", lambda: torch.tensor([-0.0, 0.0, 2.0])),
    ("float_negative_zero_fraction", lambda: torch.tensor([-0.0, 0.5])),
    ("float64", lambda: ar(4, dtype=f64) / 3),
    ("float64_ints", lambda: ar(3, dtype=f64)),
    ("float16", lambda: (ar(5, dtype=f32) / 3).to(f16)),
    ("bfloat16", lambda: (ar(5, dtype=f32) / 3).to(bf16)),
    ("int64", lambda: ar(10)),
    ("int64_widths", lambda: torch.tensor([1, -1000000, 3])),
    ("int32", lambda: ar(-5, 5, dtype=i32)),
    ("uint8", lambda: ar(250, 256).to(u8)),
    ("bool", lambda: ar(5) % 2 == 0),
    ("bool_2d", lambda: (ar(6) % 3 == 0).reshape(2, 3)),
    ("int64_2d", lambda: ar(12).reshape(3, 4) - 5),
    ("int_4d", lambda: ar(16).reshape(2, 2, 2, 2)),
    ("float_3d", lambda: ar(12, dtype=f32).reshape(2, 3, 2) / 8),
    ("scalar_float_int", lambda: torch.tensor(3.0)),
    ("scalar_float", lambda: torch.tensor(3.5)),
    ("scalar_float_negative", lambda: torch.tensor(-0.25)),
    ("scalar_float64", lambda: torch.tensor(0.1, dtype=f64)),
    ("scalar_int64", lambda: torch.tensor(7)),
    ("scalar_int32", lambda: torch.tensor(7, dtype=i32)),
    ("scalar_bool", lambda: torch.tensor(True)),
    ("scalar_sci", lambda: torch.tensor(1e-5, dtype=f64).to(f32)),
    ("scalar_nan", lambda: torch.tensor(nan)),
    ("empty_float", lambda: torch.zeros(0)),
    ("empty_2d", lambda: torch.zeros(0, 3)),
    ("empty_int64", lambda: torch.zeros(0, dtype=i64)),
    ("empty_3d_float64", lambda: torch.zeros(2, 0, 3, dtype=f64)),
    ("empty_bool", lambda: torch.zeros(0, dtype=b)),
    ("elided_1d_float", lambda: ar(2000, dtype=f32)),
    ("elided_1d_int", lambda: ar(1001)),
    ("elided_1d_bool", lambda: ar(2000) % 3 == 0),
    ("elided_2d", lambda: ar(1600, dtype=f32).reshape(40, 40) / 7),
    ("elided_2d_wide", lambda: ar(1200, dtype=f32).reshape(2, 600)),
    ("elided_3d", lambda: ar(1728).reshape(12, 12, 12)),
    ("elided_spike_ignored", elided_spike),
    ("sci_small", lambda: torch.tensor([1e-5, 1.0, 1000.0], dtype=f64).to(f32)),
    ("sci_large", lambda: torch.tensor([1.5e9, 2.0], dtype=f64).to(f32)),
    ("sci_int_ratio", lambda: torch.tensor([1.0, 10000.0])),
    ("sci_float64", lambda: torch.tensor([[1e-10, -2.5], [3e20, 0.0]], dtype=f64)),
    ("sci_with_nan", lambda: torch.tensor([1e-8, nan, -inf, 0.0], dtype=f64)),
    ("nan_inf", lambda: torch.tensor([nan, inf, -inf, 1.5])),
    ("nan_inf_ints", lambda: torch.tensor([nan, 1.0, -inf])),
    ("all_nan", lambda: torch.full((3,), nan)),
    ("wrap_1d", lambda: ar(30, dtype=f32) / 7),
    ("wrap_2d", lambda: ar(60, dtype=f32).reshape(3, 20) / 3),
    ("wrap_int", lambda: ar(40) * 1000),
    ("noncontiguous_t", lambda: ar(6, dtype=f32).reshape(2, 3).t()),
    ("noncontiguous_step", lambda: ar(10)[::2]),
    ("noncontiguous_expand", lambda: ar(3, dtype=f32).expand(2, 3)),
    ("requires_grad", lambda: leaf(torch.tensor([1.0, 2.0]))),
    ("requires_grad_float64", lambda: leaf(ar(3, dtype=f64) / 4)),
    ("requires_grad_scalar", lambda: leaf(torch.tensor(2.0))),
    ("grad_fn_mul", lambda: leaf(torch.tensor([1.0, 2.0])) * 2),
    ("grad_fn_add", lambda: leaf(ar(3, dtype=f64)) + leaf(ar(3, dtype=f64))),
    ("grad_fn_sum", lambda: leaf(torch.tensor([1.0, 2.0])).sum()),
    ("grad_fn_custom", lambda: Twice.apply(leaf(torch.tensor([1.0, 2.0])))),
    ("suffix_wraps", lambda: ar(8, dtype=f64) / 3),
    ("suffix_wraps_2d", lambda: leaf(ar(16, dtype=f64).reshape(2, 8) / 3) * 1),
    ("opts_precision2", lambda: ar(5, dtype=f32) / 3, dict(precision=2)),
    ("opts_precision2_ties", lambda: torch.tensor([0.125, 0.375, 0.625, 1.5]), dict(precision=2)),
    ("opts_precision0", lambda: torch.tensor([0.5, 1.5, 2.25]), dict(precision=0)),
    ("opts_precision6_sci", lambda: torch.tensor([1e-7, 0.5], dtype=f64), dict(precision=6)),
    ("opts_threshold_edge", lambda: ar(10), dict(threshold=5, edgeitems=2)),
    ("opts_threshold_2d", lambda: ar(64, dtype=f32).reshape(8, 8) / 2, dict(threshold=10, edgeitems=1)),
    ("opts_linewidth", lambda: ar(20, dtype=f32) / 3, dict(linewidth=40)),
    ("opts_linewidth_tiny", lambda: ar(4), dict(linewidth=5)),
    ("cuda_float", lambda: on_cuda(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))),
    ("cuda_int32", lambda: on_cuda(ar(3, dtype=i32))),
    ("cuda_grad", lambda: on_cuda(ar(3, dtype=f32) / 2, "requires_grad=True")),
]


def main():
    folder = os.environ.get("WICK_FIXTURES_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                 "tests", "fixtures")
    out = os.path.join(folder, "print_cases.txt")
    lines = ["# Generated by tools/gen_print_fixtures.py with torch " + torch.__version__ + "; do not edit."]
    for case in CASES:
        name, make = case[0], case[1]
        opts = case[2] if len(case) > 2 else {}
        torch.set_printoptions(**opts)
        value = make()
        text = value if isinstance(value, str) else repr(value)
        torch.set_printoptions(profile="default")
        assert not any(line.startswith("@@ ") for line in text.split("\n")), name
        lines += ["@@ " + name, text]
    with open(os.path.normpath(out), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(CASES)} cases to {os.path.normpath(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
