#!/usr/bin/python3
"""PyTorch reference values for wick's numerical-robustness and bad-input tests. Run with Debian's python (torch 1.13):

    /usr/bin/python3 tools/gen_robust_fixtures.py

It writes, deterministically:

  robust_numerics.safetensors  (tests/nn/robust_numerics_test.cpp) log_softmax, logsumexp, cross_entropy, sigmoid,
      softplus, binary_cross_entropy_with_logits and layer_norm at inputs of +-1e4, mixed rows such as
      [1e4, -1e4, 0, 3] and rows near 1e4 that break a naive E[x^2] - E[x]^2 variance. Per function and dtype
      (float64, float32, float16, bfloat16): "<fn>.<dtype>.x" (and ".target", ".weight", ".bias"), ".gy" (the
      upstream gradient), ".y" (output) and ".dx" (and ".dweight", ".dbias"): gradients of sum(y * gy).
      Inputs and gy are rounded to the dtype first; the reference is then computed in float64 from those rounded
      values, so a low-precision result is judged against the exact answer to its own inputs, not against
      PyTorch's CPU half kernels (which 1.13 lacks for several of these ops). Everything is stored as float64.
  special_values.safetensors  (tests/lib/bad_input_sweep_test.cpp) PyTorch's results on NaN, +-inf, signed
      zeros and huge values, in float32 and float64 ("<dtype>" below; results stored as float64 or bool):
      "unary.<op>.<dtype>"   op(S) for the special vector S ("S" holds it)
      "binary.<op>.<dtype>"  op(S[:, None], S[None, :]): every pair, through broadcasting
      "reduce.<op>.<dtype>"  op(R, dim=1) for the special rows R ("R" holds them); max/min store ".values" and
                             ".indices"; "full.<op>.<dtype>" is the reduction over all of R; sort (stable, as
                             wick's) and sort_descending store ".values" and ".indices", topk (k = 2) ".values"
                             only (which of tied elements it picks is unspecified)
"""
import torch
import torch.nn.functional as F

from fixture_writer import save

torch.manual_seed(0)
nan, inf = float("nan"), float("inf")
DTYPES = {"float64": torch.float64, "float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def rounded(t, dtype):
    """t rounded to dtype and back to float64: the exact value a tensor of that dtype holds."""
    return t.to(dtype).to(torch.float64)


# Rows at the scale where exp overflows, mixed signs, and constant rows (zero variance).
BIG = torch.tensor([[1e4, -1e4, 0.0, 3.0],
                    [1e4, 1e4, 1e4, 1e4],
                    [-1e4, -1e4, -1e4, -1e4],
                    [1e4, 1e4, -1e4, -1e4],
                    [-1e4, 2.0, -3.0, 1e4]], dtype=torch.float64)
# Near 1e4 with a small spread: E[x^2] - E[x]^2 loses it in float32. Multiples of 64 survive bfloat16 rounding.
NEAR = torch.tensor([[1e4, 1e4 + 1, 1e4 + 2, 1e4 + 3],
                     [9984.0, 10048.0, 10112.0, 10176.0],
                     [-10176.0, -10112.0, -10048.0, -9984.0]], dtype=torch.float64)


def robust_cases():
    tensors = {}

    def add(fn_name, dtype_name, fn, inputs, grads):
        """inputs: name -> float64 tensor (rounded to the dtype here); grads: the names differentiated."""
        dt = DTYPES[dtype_name]
        leaves = {}
        for k, v in inputs.items():
            v = rounded(v, dt) if v.is_floating_point() else v.clone()
            if k in grads:
                v.requires_grad_(True)
            leaves[k] = v
        y = fn(**leaves)
        gy = rounded(torch.randn(y.shape, dtype=torch.float64), dt)
        prefix = f"{fn_name}.{dtype_name}"
        for k, v in leaves.items():
            tensors[f"{prefix}.{k}"] = v.detach()
        tensors[f"{prefix}.y"] = y.detach()
        tensors[f"{prefix}.gy"] = gy
        gs = torch.autograd.grad((y * gy).sum(), [leaves[k] for k in grads])
        for k, g in zip(grads, gs):
            tensors[f"{prefix}.d{k}"] = g

    rows = torch.cat([BIG, NEAR])
    flat = torch.cat([BIG.flatten(), torch.tensor([-88.0, 88.0, -710.0, 710.0, 30.0, -30.0], dtype=torch.float64)])
    targets = torch.tensor([0, 1, 2, 3, 0, 3, 1, 2])
    probs = torch.tensor([0.0, 1.0, 0.25, 1.0] * 8, dtype=torch.float64).reshape(8, 4)
    for name in DTYPES:
        add("log_softmax", name, lambda x: F.log_softmax(x, dim=1), {"x": rows}, ["x"])
        add("logsumexp", name, lambda x: torch.logsumexp(x, dim=1), {"x": rows}, ["x"])
        add("cross_entropy", name, lambda x, target: F.cross_entropy(x, target), {"x": rows, "target": targets}, ["x"])
        add("sigmoid", name, torch.sigmoid, {"x": flat}, ["x"])
        add("softplus", name, F.softplus, {"x": flat}, ["x"])
        add("binary_cross_entropy_with_logits", name, F.binary_cross_entropy_with_logits,
            {"input": rows, "target": probs}, ["input"])
        add("layer_norm", name, lambda x, weight, bias: F.layer_norm(x, [4], weight, bias),
            {"x": rows, "weight": torch.tensor([1.0, -2.0, 0.5, 3.0]), "bias": torch.tensor([0.0, 1.0, -1.0, 2.0])},
            ["x", "weight", "bias"])
    return tensors


# ---- special values --------------------------------------------------------------------------------------------
S = torch.tensor([nan, inf, -inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 1e4, -1e4, 1e-30, 88.8, -104.0],
                 dtype=torch.float64)
R = torch.tensor([[1.0, nan, 3.0, nan],
                  [inf, -inf, 0.0, 1.0],
                  [inf, 1.0, 2.0, inf],
                  [-inf, -inf, -inf, -1.0],
                  [-inf, -inf, -inf, -inf],
                  [nan, inf, -inf, 2.0],
                  [1e4, -1e4, 3.0, 0.0],
                  [-0.0, 0.0, -0.0, 0.0]], dtype=torch.float64)

UNARY = {
    "neg": torch.neg, "abs": torch.abs, "sign": torch.sign, "exp": torch.exp, "log": torch.log,
    "log1p": torch.log1p, "expm1": torch.expm1, "sqrt": torch.sqrt, "rsqrt": torch.rsqrt,
    "reciprocal": torch.reciprocal, "square": torch.square, "sin": torch.sin, "cos": torch.cos, "tanh": torch.tanh,
    "sigmoid": torch.sigmoid, "erf": torch.erf, "relu": torch.relu, "gelu": F.gelu, "silu": F.silu,
    "softplus": F.softplus, "leaky_relu": F.leaky_relu, "elu": F.elu, "floor": torch.floor, "ceil": torch.ceil,
    "round": torch.round, "trunc": torch.trunc, "clamp": lambda x: torch.clamp(x, -1.0, 2.0),
    "logical_not": torch.logical_not, "isnan": torch.isnan, "isinf": torch.isinf, "isfinite": torch.isfinite,
    "hardtanh": F.hardtanh, "relu6": F.relu6,
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "remainder": torch.remainder,
    "pow": torch.pow, "maximum": torch.maximum, "minimum": torch.minimum, "atan2": torch.atan2,
    "lerp": lambda a, b: torch.lerp(a, b, 0.25),
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
    "logical_and": torch.logical_and, "logical_or": torch.logical_or, "logical_xor": torch.logical_xor,
}
REDUCE = {
    "sum": lambda x: x.sum(1), "mean": lambda x: x.mean(1), "prod": lambda x: x.prod(1),
    "amax": lambda x: x.amax(1), "amin": lambda x: x.amin(1), "argmax": lambda x: x.argmax(1),
    "argmin": lambda x: x.argmin(1), "var": lambda x: x.var(1), "std": lambda x: x.std(1),
    "norm": lambda x: x.norm(dim=1), "logsumexp": lambda x: x.logsumexp(1), "all": lambda x: x.all(1),
    "any": lambda x: x.any(1), "softmax": lambda x: x.softmax(1), "log_softmax": lambda x: x.log_softmax(1),
    "cumsum": lambda x: x.cumsum(1),
}
FULL = {"sum": torch.sum, "max": torch.max, "min": torch.min, "argmax": torch.argmax, "argmin": torch.argmin,
        "amax": torch.amax, "amin": torch.amin, "mean": torch.mean, "prod": torch.prod, "all": torch.all,
        "any": torch.any}


def stored(t):
    return t if t.dtype == torch.bool else t.to(torch.float64) if t.is_floating_point() else t.to(torch.int64)


def special_cases():
    tensors = {"S": S, "R": R}
    for name in ("float32", "float64"):
        dt = DTYPES[name]
        s, r = S.to(dt), R.to(dt)
        for op, fn in UNARY.items():
            tensors[f"unary.{op}.{name}"] = stored(fn(s))
        for op, fn in BINARY.items():
            tensors[f"binary.{op}.{name}"] = stored(fn(s[:, None], s[None, :]))
        for op, fn in REDUCE.items():
            tensors[f"reduce.{op}.{name}"] = stored(fn(r))
        for op in ("max", "min"):
            values, indices = getattr(r, op)(1)
            tensors[f"reduce.{op}.{name}.values"] = stored(values)
            tensors[f"reduce.{op}.{name}.indices"] = stored(indices)
        for op, fn in FULL.items():
            tensors[f"full.{op}.{name}"] = stored(fn(r))
        for op, descending in (("sort", False), ("sort_descending", True)):
            values, indices = torch.sort(r, stable=True, dim=1, descending=descending)
            tensors[f"reduce.{op}.{name}.values"] = stored(values)
            tensors[f"reduce.{op}.{name}.indices"] = stored(indices)
        tensors[f"reduce.topk.{name}.values"] = stored(torch.topk(r, 2, 1).values)
    return tensors


if __name__ == "__main__":
    save("robust_numerics.safetensors", robust_cases(),
         {"generator": "tools/gen_robust_fixtures.py", "torch": torch.__version__})
    save("special_values.safetensors", special_cases(),
         {"generator": "tools/gen_robust_fixtures.py", "torch": torch.__version__})
