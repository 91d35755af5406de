#!/usr/bin/python3
"""PyTorch's results for the calls of the bad-input sweep (tests/lib/bad_input_sweep_test.cpp) that must work and
whose result the sweep compares: tests/fixtures/sweep_results.safetensors. Run with Debian's python (torch 1.13):

    /usr/bin/python3 tools/gen_sweep_fixtures.py

Each key "<op>.<case>" is the output of the very call the test makes (same inputs, dtypes and arguments; wave()
is the test's), stored in the dtype PyTorch returns, which the test checks too. The special-value sweeps over
every unary, binary and reduction op read special_values.safetensors (tools/gen_robust_fixtures.py) instead.
"""
import math

import torch
import torch.nn.functional as F

from fixture_writer import save

nan, inf = float("nan"), float("inf")
I64_MIN, I64_MAX = -2**63, 2**63 - 1


def wave(shape, dtype=torch.float32):
    """The test's wave(): deterministic values in [-1, 2) (only its empty tensors' shapes matter here)."""
    x = (torch.arange(math.prod(shape), dtype=torch.float64) * 0.37).remainder(3.0).sub(1.0).reshape(shape)
    if dtype == torch.bool:
        return x.gt(0.5)
    return x.to(dtype) if dtype.is_floating_point else x.mul(3).to(dtype)


def longs(values):
    return torch.tensor(values, dtype=torch.int64)


def fused_lstm_cell(input_gates, hidden_gates, cx):
    """ATen's _thnn_fused_lstm_cell without biases (CUDA-only in 1.13), as its kernel computes: gates i, f, g, o."""
    i, f, g, o = (input_gates + hidden_gates).chunk(4, 1)
    cy = f.sigmoid() * cx + i.sigmoid() * g.tanh()
    return o.sigmoid() * cy.tanh(), cy


def fused_gru_cell(input_gates, hidden_gates, hx):
    """ATen's _thnn_fused_gru_cell without biases (CUDA-only in 1.13): gates r, z, n."""
    ir, iz, in_ = input_gates.chunk(3, 1)
    hr, hz, hn = hidden_gates.chunk(3, 1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return n + z * (hx - n)


def nan_filled(shape):
    return wave(shape).fill_(nan)


def reductions(out):
    """Reductions of empty tensors: PyTorch's identity values (the ops without one throw, in the test too)."""
    full = {"sum": torch.sum, "mean": torch.mean, "prod": torch.prod, "var": torch.var, "std": torch.std,
            "norm": torch.norm, "all": torch.all, "any": torch.any}
    along = {"sum": lambda x, d: x.sum([d]), "mean": lambda x, d: x.mean([d]), "prod": lambda x, d: x.prod(d),
             "var": lambda x, d: x.var([d]), "std": lambda x, d: x.std([d]), "norm": lambda x, d: x.norm(2, [d]),
             "logsumexp": lambda x, d: x.logsumexp([d]), "all": lambda x, d: x.all(d), "any": lambda x, d: x.any(d)}
    for op, f in full.items():
        out[f"{op}.empty_full_0"] = f(wave([0]))
        out[f"{op}.empty_full_2x0"] = f(wave([2, 0]))
    for op, f in along.items():
        out[f"{op}.empty_3x0_dim1"] = f(wave([3, 0]), 1)


def matrix_products(out):
    """As the test's matrix_product(): inner size 0, and a NaN and an Inf against zeros."""
    ops = {"matmul": (torch.matmul, [2, 3], [3, 4]), "mm": (torch.mm, [2, 3], [3, 4]),
           "bmm": (torch.bmm, [2, 2, 3], [2, 3, 4]),
           "addmm": (lambda a, b: torch.addmm(torch.zeros(4, dtype=a.dtype), a, b), [2, 3], [3, 4]),
           "einsum": (lambda a, b: torch.einsum("ij,jk->ik", a, b), [2, 3], [3, 4])}
    for op, (f, a, b) in ops.items():
        a0, b0 = list(a), list(b)
        a0[-1] = 0
        b0[-2 if len(b) >= 2 else 0] = 0
        out[f"{op}.inner_size_0"] = f(wave(a0), wave(b0))
        x, y = torch.ones(a), torch.zeros(b)
        x.view(-1)[0] = nan
        x.view(-1)[x.numel() - 1] = inf
        out[f"{op}.nan_inf_times_0"] = f(x, y)


def spatial(out):
    """As the test's spatial(): each convolution, pooling and resampling op of an input that is all NaN."""
    ops = {
        "conv1d": (lambda x: F.conv1d(x, torch.ones(4, 3, 3)), [1, 3, 8]),
        "conv2d": (lambda x: F.conv2d(x, torch.ones(4, 3, 3, 3)), [1, 3, 5, 5]),
        "conv_transpose1d": (lambda x: F.conv_transpose1d(x, torch.ones(3, 2, 3)), [1, 3, 4]),
        "conv_transpose2d": (lambda x: F.conv_transpose2d(x, torch.ones(3, 2, 3, 3)), [1, 3, 4, 4]),
        "max_pool1d": (lambda x: F.max_pool1d(x, 2), [1, 3, 8]),
        "max_pool2d": (lambda x: F.max_pool2d(x, 2), [1, 3, 4, 4]),
        "avg_pool1d": (lambda x: F.avg_pool1d(x, 2), [1, 3, 8]),
        "avg_pool2d": (lambda x: F.avg_pool2d(x, 2), [1, 3, 4, 4]),
        "adaptive_avg_pool1d": (lambda x: F.adaptive_avg_pool1d(x, 2), [1, 3, 8]),
        "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, [2, 2]), [1, 3, 4, 4]),
        "upsample_nearest2d": (lambda x: F.interpolate(x, size=[4, 4], mode="nearest"), [1, 3, 2, 2]),
        "upsample_bilinear2d": (lambda x: F.interpolate(x, size=[4, 4], mode="bilinear", align_corners=False),
                                [1, 3, 2, 2]),
        "conv3d": (lambda x: F.conv3d(x, torch.ones(4, 3, 3, 2, 3)), [1, 3, 4, 5, 5]),
        "conv_transpose3d": (lambda x: F.conv_transpose3d(x, torch.ones(3, 2, 3, 3, 2)), [1, 3, 2, 3, 4]),
        "max_pool3d": (lambda x: F.max_pool3d(x, 2), [1, 3, 4, 4, 6]),
        "avg_pool3d": (lambda x: F.avg_pool3d(x, 2), [1, 3, 4, 4, 6]),
        "adaptive_avg_pool3d": (lambda x: F.adaptive_avg_pool3d(x, [2, 3, 2]), [1, 3, 4, 5, 4]),
        "upsample_nearest3d": (lambda x: F.interpolate(x, size=[4, 3, 4], mode="nearest"), [1, 3, 2, 2, 2]),
        "upsample_trilinear3d": (lambda x: F.interpolate(x, size=[4, 3, 4], mode="trilinear", align_corners=False),
                                 [1, 3, 2, 2, 2]),
    }
    for op, (f, shape) in ops.items():
        out[f"{op}.nan_input"] = f(nan_filled(shape))


def single_cases(out):
    """The calls the test writes out one by one, in its order."""
    out["linspace.nan_start"] = torch.linspace(nan, 1, 3, dtype=torch.float64)
    out["tensor.nan_inf"] = torch.tensor([nan, inf, -inf])
    out["clone.nan_inf"] = torch.tensor([nan, -inf]).clone()
    out["to.nan_inf_to_float16"] = torch.tensor([nan, inf, -inf, 1e5], dtype=torch.float64).to(torch.float16)
    out["to.nan_to_bool"] = torch.tensor([nan, 0.0, -0.0]).to(torch.bool)
    out["where.nan_not_chosen"] = torch.where(torch.tensor([True, False]), torch.tensor([1.0, nan]),
                                              torch.tensor([nan, inf]))
    out["masked_fill.nan"] = torch.ones(2).masked_fill(torch.tensor([True, False]), nan)
    out["linear.in_features_0"] = F.linear(wave([2, 0]), wave([4, 0]), torch.ones(4))
    out["linear.inf_times_0"] = F.linear(torch.tensor([[inf, 1.0]]), torch.tensor([[0.0, 1.0]]))
    out["outer.inf_times_0"] = torch.outer(torch.tensor([inf]), torch.tensor([0.0, 1.0]))
    out["dot.empty"] = torch.dot(wave([0]), wave([0]))
    out["dot.inf_times_0"] = torch.dot(torch.tensor([inf, 1.0]), torch.tensor([0.0, 1.0]))
    out["diagonal.nan"] = torch.full([2, 2], nan).diagonal()
    out["tril.diagonal_int64_min"] = torch.tril(torch.ones(2, 2), I64_MIN)
    out["triu.diagonal_int64_min"] = torch.triu(torch.ones(2, 2), I64_MIN)
    # At diagonal = int64 max PyTorch 1.13 overflows computing i + diagonal + 1 (tril gives zeros, triu keeps
    # rows 1..; pytorch/pytorch#153240 fixed it in 2025), so the reference is a diagonal that is past every
    # column as well but does not overflow.
    out["tril.diagonal_huge"] = torch.tril(torch.ones(2, 2), 2**62)
    out["triu.diagonal_huge"] = torch.triu(torch.ones(2, 2), 2**62)
    out["tril.nan"] = torch.tril(torch.full([2, 2], nan))
    out["pad.constant_of_empty"] = F.pad(wave([0]), [1, 2])
    out["pad.negative_crops"] = F.pad(torch.arange(5, dtype=torch.float64), [-1, -2])
    out["index_put_.empty_index"] = torch.zeros(2).index_put_((longs([]),), torch.tensor(5.0))
    out["index_put_.nan"] = torch.zeros(2).index_put_((torch.tensor(1),), torch.tensor(nan))
    out["index_add.empty_index"] = torch.ones(2, 3).index_add(0, longs([]), wave([0, 3]))
    out["index_add.nan"] = torch.zeros(2).index_add(0, longs([1]), torch.tensor([nan]))
    out["scatter.empty_index"] = torch.ones(2, 3).scatter(1, torch.zeros(0, 0, dtype=torch.int64), 5.0)
    out["scatter_add.inf_minus_inf"] = torch.zeros(1, 2).scatter_add(1, longs([0, 0]).view(1, 2),
                                                                     torch.tensor([[inf, -inf]]))
    out["nonzero.nan_inf_signed_zero"] = torch.nonzero(torch.tensor([nan, 0.0, inf, -0.0]))
    out["batch_norm.nan"] = F.batch_norm(torch.tensor([[nan, 1.0], [2.0, 3.0]]), None, None, None, None, True, 0.1,
                                         0.0)
    out["layer_norm.nan"] = F.layer_norm(torch.tensor([[nan, 1.0], [2.0, 3.0]]), [2], None, None, 0.0)
    out["layer_norm.inf"] = F.layer_norm(torch.tensor([[inf, 1.0], [2.0, 3.0]]), [2], None, None, 0.0)
    out["group_norm.nan"] = F.group_norm(torch.tensor([[nan, 1.0], [2.0, 3.0]]).unsqueeze(2), 1, None, None, 0.0)
    hy, cy = fused_lstm_cell(torch.tensor([[nan, 0.0, 0.0, 0.0], [0.0, inf, 0.0, 0.0]]), torch.zeros(2, 4),
                             torch.ones(2, 1))
    out["fused_lstm_cell.nan_inf.hy"], out["fused_lstm_cell.nan_inf.cy"] = hy, cy
    out["fused_gru_cell.nan_inf"] = fused_gru_cell(torch.tensor([[nan, 0.0, 0.0], [0.0, 0.0, inf]]),
                                                   torch.zeros(2, 3), torch.ones(2, 1))


def main():
    out = {}
    reductions(out)
    matrix_products(out)
    spatial(out)
    single_cases(out)
    save("sweep_results.safetensors", out,
         {"generator": "tools/gen_sweep_fixtures.py", "torch": torch.__version__})


if __name__ == "__main__":
    main()
