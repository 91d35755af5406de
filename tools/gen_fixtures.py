#!/usr/bin/python3
"""PyTorch reference values for wick's op tests: tests/fixtures/ops_*.safetensors.

Run with Debian's python (it has torch 1.13; stdlib + torch only):

    /usr/bin/python3 tools/gen_fixtures.py

It writes, deterministically (fixed seed):

    ops_unary.safetensors      every elementwise unary op of wick/ops.h
    ops_binary.safetensors     every binary/ternary elementwise op, comparisons and logical ops
    ops_reduce.safetensors     sum/mean/prod/max/min/amax/amin/argmax/argmin/var/std/norm/logsumexp/all/any,
                               softmax/log_softmax, cumsum, sort and topk
    ops_linalg.safetensors     matmul (1-D/2-D/batched broadcast), mm, bmm, addmm, linear, outer, dot
    ops_promotion.safetensors  type promotion: mixed dtypes, 0-dim tensors and Python scalars; the full
                               promote_types table
    ops_composite.safetensors  composite expressions (matmul + broadcast + reduction + softmax chains):
                               values, gradients and Hessian-vector products
    ops_shape.safetensors      views and reshapes, cat/stack/split/chunk/unbind, repeat/flip/tril/triu/pad,
                               indexing (index, index_put_, index_select/add, gather, scatter(_add),
                               masked_select, nonzero), creation, conversion, and the deterministic
                               properties of the random ops (`gen_fixtures.py shape` writes only this file)
    serialize_interop.safetensors    one tensor per dtype with edge values, metadata with escapes and
    serialize_unaligned.safetensors  non-ASCII text (the second without header padding: misaligned data);
                               tests/lib/serialize_test.cpp checks them value by value

Layout of the ops_* files (safetensors: 8-byte little-endian header length, JSON header, raw data). Each
*case* is one call of one op; its tensors are keyed "<case>.<what>", its settings are strings in the
header's __metadata__:

  metadata "cases"                 the case names, comma-separated, in generation order
  metadata "<case>.op"             the op to call (a key of the test's dispatch table; the Python side is
                                   OPS below). Suffix _s: the last operand is a Python scalar ("s" arg).
  metadata "<case>.inputs"         input names in call order, comma-separated (may be empty)
  metadata "<case>.args"           "key=value;key=value": ints ("3"), floats (Python repr: "2.5", "inf"),
                                   bools ("True"), int lists ("0,2" - a 1-element list is written "1,"),
                                   dtypes ("float64"), None ("None"), strings
                                   Indexing cases take an index expression "idx": "|"-separated items
                                   "i:<int>", "s:<start>:<stop>:<step>" ("n" = open), "none", "ell",
                                   "b:0"/"b:1", "t:<k>" (index tensor = input 1 + k)
  metadata "<case>.view.<in>"      optional view applied to the stored base before the call, "|"-separated
                                   steps: "T" (transpose the last two dims), "step2" (every 2nd element of
                                   the last dim), "perm:2,0,1", "expand:3,4,5", "slice:dim,start,stop,step"
  metadata "<case>.gen.<in>"       optional: the input is not stored but generated, identically in C++:
                                   "wave:<shape>:<dtype>:<seed>:<lo>:<hi>" (shape "400x300") gives element i
                                   (row-major) = float64(((i * 7919 + seed * 104729) % 10007) / 10007.0
                                   * (hi - lo) + lo), then cast to dtype (C-style truncation for ints)
  metadata "<case>.grad"           inputs whose gradients are stored, comma-separated
  metadata "<case>.nout"           number of outputs (max/min with a dim return values and indices)
  metadata "<case>.sample"         k: outputs and gradients are stored as flatten()[::k] plus "<...>_sum"
                                   = [sum, sum of |x|] in float64; the upstream gradient is then all ones.
                                   Gradients of generated inputs are always stored that way (k = 97).
  metadata "<case>.rtol", ".atol"  tolerance overrides for this case
  metadata "<case>.error"          "1": PyTorch rejects the call; wick must throw wick::Error
  metadata "<case>.hvp"            "1" (composites): Hessian-vector products are stored

  tensor "<case>.in.<in>"          input (the base, before the view), in the dtype under test
  tensor "<case>.out", ".out1"...  outputs (dtype = PyTorch's result dtype: tests check it exactly)
  tensor "<case>.gout"             upstream gradient; the stored gradients are those of sum(out * gout)
                                   with respect to the base inputs (composites return a scalar loss and
                                   store no gout)
  tensor "<case>.grad.<in>"        gradient with respect to the base input
  tensor "<case>.v.<in>", ".hvp.<in>"  a direction v and d/d<in> of sum_j <grad_j, v_j> (composites)

ops_promotion also holds "promote_types": int64 [8, 8] of codes (BOOL, U8, I32, I64, F16, BF16, F32, F64 = 0..7,
ORDER below; int8's promotions are in tools/gen_quantization_fixtures.py) with torch.promote_types(row, col).

The C++ side (tests/support/fixtures.h/.cpp) runs every case, on the CPU and, in the [cuda_reference] test,
on CUDA; cases where wick knowingly differs from PyTorch are listed with reasons in known_deviations().

float16 values PyTorch 1.13 cannot compute on the CPU are computed in float32 and rounded to float16, which
is what a float16 kernel that widens internally (as wick's and PyTorch's CUDA ones do) returns.
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

# WICK_FIXTURES_OUT redirects the output (tools/check_fixtures regenerates into a temporary folder and compares).
OUT = os.environ.get("WICK_FIXTURES_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                                          "fixtures")
SAMPLE = 97

CODES = {torch.bool: "BOOL", torch.uint8: "U8", torch.int32: "I32", torch.int64: "I64", torch.float16: "F16",
         torch.bfloat16: "BF16", torch.float32: "F32", torch.float64: "F64"}
ORDER = [torch.bool, torch.uint8, torch.int32, torch.int64, torch.float16, torch.bfloat16, torch.float32,
         torch.float64]
f64, f32, f16, bf16 = torch.float64, torch.float32, torch.float16, torch.bfloat16
i32, i64, u8, b8 = torch.int32, torch.int64, torch.uint8, torch.bool


def to_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def save(name, tensors, metadata, align=True):
    """Writes a safetensors file as huggingface's safetensors does: data ordered by element size (largest
    first) then name, so every tensor is aligned when the header is padded to 8 bytes (unless align=False)."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors, key=lambda k: (-tensors[k].element_size(), k)):
        t = tensors[key]
        data = to_bytes(t)
        header[key] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = dict(sorted(metadata.items()))
    raw = json.dumps(header, separators=(",", ":")).encode()
    if align:
        raw += b" " * (-len(raw) % 8)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    print(f"wrote {os.path.relpath(path)}: {len(tensors)} tensors, {os.path.getsize(path)} bytes")
    return len(raw)


# ---- argument formatting (parsed by tests/support/fixtures.h) ---------------------------------------------
def fmt(v):
    if v is None:
        return "None"
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, torch.dtype):
        return str(v).replace("torch.", "")
    if isinstance(v, (list, tuple)):
        return ",".join(str(int(x)) for x in v) + ("," if len(v) == 1 else "")
    return str(v)


# ---- views and generated inputs (mirrored in tests/support/fixtures.h) ------------------------------------
def apply_view(t, spec):
    if not spec:
        return t
    for step in spec.split("|"):
        if step == "T":
            t = t.transpose(-1, -2)
        elif step == "step2":
            t = t[..., ::2]
        elif step.startswith("perm:"):
            t = t.permute(*[int(x) for x in step[5:].split(",")])
        elif step.startswith("expand:"):
            t = t.expand(*[int(x) for x in step[7:].split(",")])
        elif step.startswith("slice:"):
            d, a, b, s = [int(x) for x in step[6:].split(",")]
            index = [slice(None)] * t.dim()
            index[d] = slice(a, b, s)
            t = t[tuple(index)]
        else:
            raise ValueError(step)
    return t


def wave(shape, dtype, seed=0, lo=-3.0, hi=3.0):
    n = math.prod(shape)
    vals = [((i * 7919 + seed * 104729) % 10007) / 10007.0 * (hi - lo) + lo for i in range(n)]
    t = torch.tensor(vals, dtype=torch.float64).reshape(shape)
    return t.to(dtype)  # float -> int truncates toward zero, as a C++ cast


def gen_spec(shape, dtype, seed=0, lo=-3.0, hi=3.0):
    return f"wave:{'x'.join(str(s) for s in shape)}:{fmt(dtype)}:{seed}:{fmt(float(lo))}:{fmt(float(hi))}"


# ---- the ops, by the names the C++ dispatch tables use ----------------------------------------------------
def _dims(a):
    return a.get("dims")


def _reduce(fn_all, fn_dims):
    return lambda xs, a: fn_dims(xs[0], a) if "dims" in a or "dim" in a else fn_all(xs[0], a)


def _kw_dtype(a):
    return {"dtype": a["dtype"]} if a.get("dtype") is not None else {}


OPS = {
    # unary
    "neg": lambda x, a: torch.neg(x[0]),
    "abs": lambda x, a: torch.abs(x[0]),
    "sign": lambda x, a: torch.sign(x[0]),
    "exp": lambda x, a: torch.exp(x[0]),
    "log": lambda x, a: torch.log(x[0]),
    "log1p": lambda x, a: torch.log1p(x[0]),
    "expm1": lambda x, a: torch.expm1(x[0]),
    "sqrt": lambda x, a: torch.sqrt(x[0]),
    "rsqrt": lambda x, a: torch.rsqrt(x[0]),
    "reciprocal": lambda x, a: torch.reciprocal(x[0]),
    "square": lambda x, a: torch.square(x[0]),
    "sin": lambda x, a: torch.sin(x[0]),
    "cos": lambda x, a: torch.cos(x[0]),
    "tanh": lambda x, a: torch.tanh(x[0]),
    "sigmoid": lambda x, a: torch.sigmoid(x[0]),
    "erf": lambda x, a: torch.erf(x[0]),
    "relu": lambda x, a: torch.relu(x[0]),
    "gelu": lambda x, a: F.gelu(x[0], approximate=a["approximate"]),
    "silu": lambda x, a: F.silu(x[0]),
    "softplus": lambda x, a: F.softplus(x[0], beta=a["beta"], threshold=a["threshold"]),
    "leaky_relu": lambda x, a: F.leaky_relu(x[0], a["negative_slope"]),
    "elu": lambda x, a: F.elu(x[0], a["alpha"]),
    "floor": lambda x, a: torch.floor(x[0]),
    "ceil": lambda x, a: torch.ceil(x[0]),
    "round": lambda x, a: torch.round(x[0]),
    "trunc": lambda x, a: torch.trunc(x[0]),
    "clamp": lambda x, a: torch.clamp(x[0], a["min"], a["max"]),
    "clamp_t": lambda x, a: torch.clamp(x[0], x[1] if a["has_min"] else None,
                                        x[-1] if a["has_max"] else None),
    "clamp_min": lambda x, a: torch.clamp_min(x[0], a["min"]),
    "clamp_max": lambda x, a: torch.clamp_max(x[0], a["max"]),
    "hardtanh": lambda x, a: F.hardtanh(x[0], a["min_val"], a["max_val"]),
    "relu6": lambda x, a: F.relu6(x[0]),
    "logical_not": lambda x, a: torch.logical_not(x[0]),
    "isnan": lambda x, a: torch.isnan(x[0]),
    "isinf": lambda x, a: torch.isinf(x[0]),
    "isfinite": lambda x, a: torch.isfinite(x[0]),
    # binary: tensor (op) tensor
    "add": lambda x, a: torch.add(x[0], x[1], alpha=a.get("alpha", 1)),
    "sub": lambda x, a: torch.sub(x[0], x[1], alpha=a.get("alpha", 1)),
    "mul": lambda x, a: torch.mul(x[0], x[1]),
    "div": lambda x, a: torch.div(x[0], x[1]),
    "remainder": lambda x, a: torch.remainder(x[0], x[1]),
    "pow": lambda x, a: torch.pow(x[0], x[1]),
    "maximum": lambda x, a: torch.maximum(x[0], x[1]),
    "minimum": lambda x, a: torch.minimum(x[0], x[1]),
    "atan2": lambda x, a: torch.atan2(x[0], x[1]),
    "eq": lambda x, a: torch.eq(x[0], x[1]),
    "ne": lambda x, a: torch.ne(x[0], x[1]),
    "lt": lambda x, a: torch.lt(x[0], x[1]),
    "le": lambda x, a: torch.le(x[0], x[1]),
    "gt": lambda x, a: torch.gt(x[0], x[1]),
    "ge": lambda x, a: torch.ge(x[0], x[1]),
    "logical_and": lambda x, a: torch.logical_and(x[0], x[1]),
    "logical_or": lambda x, a: torch.logical_or(x[0], x[1]),
    "logical_xor": lambda x, a: torch.logical_xor(x[0], x[1]),
    "max_t": lambda x, a: torch.max(x[0], x[1]),  # the elementwise overloads: maximum/minimum
    "min_t": lambda x, a: torch.min(x[0], x[1]),
    # binary: tensor (op) scalar, scalar (op) tensor
    "add_s": lambda x, a: torch.add(x[0], a["s"], alpha=a.get("alpha", 1)),
    "sub_s": lambda x, a: torch.sub(x[0], a["s"], alpha=a.get("alpha", 1)),
    "mul_s": lambda x, a: torch.mul(x[0], a["s"]),
    "div_s": lambda x, a: torch.div(x[0], a["s"]),
    "remainder_s": lambda x, a: torch.remainder(x[0], a["s"]),
    "pow_s": lambda x, a: torch.pow(x[0], a["s"]),
    "rpow_s": lambda x, a: torch.pow(a["s"], x[0]),
    "rsub_s": lambda x, a: a["s"] - x[0],
    "rdiv_s": lambda x, a: a["s"] / x[0],
    "eq_s": lambda x, a: torch.eq(x[0], a["s"]),
    "ne_s": lambda x, a: torch.ne(x[0], a["s"]),
    "lt_s": lambda x, a: torch.lt(x[0], a["s"]),
    "le_s": lambda x, a: torch.le(x[0], a["s"]),
    "gt_s": lambda x, a: torch.gt(x[0], a["s"]),
    "ge_s": lambda x, a: torch.ge(x[0], a["s"]),
    # ternary
    "where": lambda x, a: torch.where(x[0], x[1], x[2]),
    "where_s": lambda x, a: torch.where(x[0], x[1], a["s"]),
    "where_sa": lambda x, a: torch.where(x[0], a["s"], x[1]),
    "masked_fill_s": lambda x, a: x[0].masked_fill(x[1], a["s"]),
    "masked_fill_t": lambda x, a: x[0].masked_fill(x[1], x[2]),
    "lerp": lambda x, a: torch.lerp(x[0], x[1], x[2] if len(x) == 3 else a["weight"]),
    # reductions
    "sum": _reduce(lambda x, a: torch.sum(x, **_kw_dtype(a)),
                   lambda x, a: torch.sum(x, a["dims"], a.get("keepdim", False), **_kw_dtype(a))),
    "mean": _reduce(lambda x, a: torch.mean(x, **_kw_dtype(a)),
                    lambda x, a: torch.mean(x, a["dims"], a.get("keepdim", False), **_kw_dtype(a))),
    "prod": _reduce(lambda x, a: torch.prod(x, **_kw_dtype(a)),
                    lambda x, a: torch.prod(x, a["dim"], a.get("keepdim", False), **_kw_dtype(a))),
    "max": lambda x, a: torch.max(x[0]),
    "min": lambda x, a: torch.min(x[0]),
    "max_dim": lambda x, a: tuple(torch.max(x[0], a["dim"], a.get("keepdim", False))),
    "min_dim": lambda x, a: tuple(torch.min(x[0], a["dim"], a.get("keepdim", False))),
    "amax": lambda x, a: torch.amax(x[0], a.get("dims", ()), a.get("keepdim", False)),
    "amin": lambda x, a: torch.amin(x[0], a.get("dims", ()), a.get("keepdim", False)),
    "argmax": lambda x, a: torch.argmax(x[0], a.get("dim"), a.get("keepdim", False)),
    "argmin": lambda x, a: torch.argmin(x[0], a.get("dim"), a.get("keepdim", False)),
    "var": _reduce(lambda x, a: torch.var(x, unbiased=a["unbiased"]),
                   lambda x, a: torch.var(x, a["dims"], unbiased=a["unbiased"], keepdim=a.get("keepdim", False))),
    "std": _reduce(lambda x, a: torch.std(x, unbiased=a["unbiased"]),
                   lambda x, a: torch.std(x, a["dims"], unbiased=a["unbiased"], keepdim=a.get("keepdim", False))),
    "norm": _reduce(lambda x, a: torch.norm(x, a["p"]),
                    lambda x, a: torch.norm(x, a["p"], a["dims"], a.get("keepdim", False))),
    "logsumexp": lambda x, a: torch.logsumexp(x[0], a["dims"], a.get("keepdim", False)),
    "all": _reduce(lambda x, a: torch.all(x), lambda x, a: torch.all(x, a["dim"], a.get("keepdim", False))),
    "any": _reduce(lambda x, a: torch.any(x), lambda x, a: torch.any(x, a["dim"], a.get("keepdim", False))),
    "softmax": lambda x, a: torch.softmax(x[0], a["dim"], **_kw_dtype(a)),
    "log_softmax": lambda x, a: torch.log_softmax(x[0], a["dim"], **_kw_dtype(a)),
    "cumsum": lambda x, a: torch.cumsum(x[0], a["dim"], **_kw_dtype(a)),
    # wick's sort is always stable: PyTorch's stable=True (its default sort is stable only up to 16 elements)
    "sort": lambda x, a: tuple(torch.sort(x[0], stable=True, dim=a["dim"], descending=a.get("descending", False))),
    "topk": lambda x, a: tuple(torch.topk(x[0], a["k"], a["dim"], a.get("largest", True), True)),
    # ties: which of equal elements topk returns is unspecified in PyTorch, so only the values are compared
    "topk_values": lambda x, a: torch.topk(x[0], a["k"], a["dim"], a.get("largest", True), True).values,
    # linear algebra
    "matmul": lambda x, a: torch.matmul(x[0], x[1]),
    "mm": lambda x, a: torch.mm(x[0], x[1]),
    "bmm": lambda x, a: torch.bmm(x[0], x[1]),
    "addmm": lambda x, a: torch.addmm(x[0], x[1], x[2], beta=a.get("beta", 1), alpha=a.get("alpha", 1)),
    "linear": lambda x, a: F.linear(x[0], x[1], x[2] if len(x) > 2 else None),
    "outer": lambda x, a: torch.outer(x[0], x[1]),
    "dot": lambda x, a: torch.dot(x[0], x[1]),
}


class Group:
    """The cases of one fixture file."""

    def __init__(self, filename):
        self.filename = filename
        self.tensors, self.meta, self.names = {}, {}, []

    def _name(self, name):
        assert name not in self.names, f"duplicate case {name}"
        assert all(c not in name for c in ",;=|"), name
        self.names.append(name)
        return name

    def case(self, name, op, inputs, args=None, views=None, gens=None, grad=None, rtol=None, atol=None,
             sample=False, error=False):
        """inputs: list of (name, tensor); a tensor of None is generated from gens[name].
        grad: input names that get gradients (default: every float32/float64 input)."""
        name = self._name(name)
        args, views, gens = dict(args or {}), dict(views or {}), dict(gens or {})
        m = self.meta
        m[f"{name}.op"] = op
        m[f"{name}.inputs"] = ",".join(k for k, _ in inputs)
        if args:
            m[f"{name}.args"] = ";".join(f"{k}={fmt(v)}" for k, v in args.items())
        for k, v in views.items():
            m[f"{name}.view.{k}"] = v
        if rtol is not None:
            m[f"{name}.rtol"] = repr(float(rtol))
        if atol is not None:
            m[f"{name}.atol"] = repr(float(atol))
        bases = {}
        for k, t in inputs:
            if t is None:
                spec = gens[k]
                m[f"{name}.gen.{k}"] = spec
                _, shape, dt, seed, lo, hi = spec.split(":")
                t = wave([int(s) for s in shape.split("x")], getattr(torch, dt), int(seed), float(lo), float(hi))
            else:
                self.tensors[f"{name}.in.{k}"] = t.detach().clone()
            bases[k] = t.detach().clone()
        if error:
            m[f"{name}.error"] = "1"
            try:
                OPS[op]([apply_view(bases[k], views.get(k)) for k, _ in inputs], args)
            except (RuntimeError, ValueError, IndexError, TypeError):
                return
            raise AssertionError(f"{name}: PyTorch accepted a case marked as an error")
        if grad is None:
            grad = [k for k, t in bases.items() if t.dtype in (torch.float32, torch.float64)]
        leaves = {}
        for k, t in bases.items():
            leaves[k] = t.clone().requires_grad_(k in grad)
        call = [apply_view(leaves[k], views.get(k)) for k, _ in inputs]
        try:
            outs = OPS[op](call, args)
        except RuntimeError as e:
            if "not implemented for 'Half'" not in str(e):
                raise
            # PyTorch 1.13 lacks this float16 CPU kernel: compute in float32, round the result once
            outs = OPS[op]([c.float() if c.dtype == f16 else c for c in call], args)
            outs = tuple(o.to(f16) if o.is_floating_point() else o for o in (outs if isinstance(outs, tuple) else (outs,)))
        outs = outs if isinstance(outs, tuple) else (outs,)
        if len(outs) > 1:
            m[f"{name}.nout"] = str(len(outs))
        y = outs[0]
        wants = [k for k in grad if leaves[k].requires_grad] if y.requires_grad else []
        if sample:
            m[f"{name}.sample"] = str(SAMPLE)
            gout = torch.ones_like(y)
        else:
            gout = torch.randn(y.shape, dtype=torch.float64).to(y.dtype) if wants else None
        grads = {}
        if wants:
            gs = torch.autograd.grad((y * gout).sum(), [leaves[k] for k in wants], allow_unused=True)
            for k, g in zip(wants, gs):
                grads[k] = torch.zeros_like(leaves[k]) if g is None else g
            m[f"{name}.grad"] = ",".join(wants)
            if not sample:
                self.tensors[f"{name}.gout"] = gout
        for i, o in enumerate(outs):
            self._store(f"{name}.out" + (str(i) if i else ""), o.detach(), sample)
        for k, g in grads.items():
            self._store(f"{name}.grad.{k}", g.detach(), sample or k in gens)

    def _store(self, key, t, sample):
        if not sample:
            self.tensors[key] = t
            return
        flat = t.reshape(-1)
        self.tensors[key] = flat[::SAMPLE].clone()
        d = t.double()
        self.tensors[key + "_sum"] = torch.stack([d.sum(), d.abs().sum()])

    def composite(self, name, fn, inputs, const=(), hvp=False, rtol=None, atol=None, gout=False):
        """fn(**inputs) -> tensor; gradients of its sum(out * gout) (or of the scalar) w.r.t. the non-const
        floating inputs, and optionally Hessian-vector products."""
        name = self._name(name)
        m = self.meta
        m[f"{name}.op"] = name
        m[f"{name}.inputs"] = ",".join(k for k, _ in inputs)
        if rtol is not None:
            m[f"{name}.rtol"] = repr(float(rtol))
        if atol is not None:
            m[f"{name}.atol"] = repr(float(atol))
        leaves = {}
        for k, t in inputs:
            self.tensors[f"{name}.in.{k}"] = t.detach().clone()
            leaves[k] = t.detach().clone().requires_grad_(t.is_floating_point() and k not in const)
        wants = [k for k, t in leaves.items() if t.requires_grad]
        y = fn(**leaves)
        self.tensors[f"{name}.out"] = y.detach()
        if y.dim() > 0 or gout:
            g = torch.randn(y.shape, dtype=torch.float64).to(y.dtype)
            self.tensors[f"{name}.gout"] = g
            loss = (y * g).sum()
        else:
            loss = y
        m[f"{name}.grad"] = ",".join(wants)
        grads = torch.autograd.grad(loss, [leaves[k] for k in wants], create_graph=hvp)
        for k, gk in zip(wants, grads):
            self.tensors[f"{name}.grad.{k}"] = gk.detach()
        if hvp:
            m[f"{name}.hvp"] = "1"
            vs = [torch.randn(leaves[k].shape, dtype=torch.float64).to(leaves[k].dtype) for k in wants]
            dot = sum((gk * v).sum() for gk, v in zip(grads, vs))
            hv = torch.autograd.grad(dot, [leaves[k] for k in wants], allow_unused=True)
            for k, v, h in zip(wants, vs, hv):
                self.tensors[f"{name}.v.{k}"] = v
                self.tensors[f"{name}.hvp.{k}"] = torch.zeros_like(v) if h is None else h.detach()

    def write(self):
        self.meta["cases"] = ",".join(self.names)
        save(self.filename, self.tensors, self.meta)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple) else tuple(shape)


def r(*shape, dtype=f64):
    return torch.randn(_shape(shape), dtype=torch.float64).to(dtype)


def u(lo, hi, *shape, dtype=f64):
    return (torch.rand(_shape(shape), dtype=torch.float64) * (hi - lo) + lo).to(dtype)


def away_from_zero(*shape, lo=0.2, hi=2.0, dtype=f64):
    mag = u(lo, hi, *shape)
    sign = torch.where(torch.rand(_shape(shape)) < 0.5, -1.0, 1.0).to(torch.float64)
    return (mag * sign).to(dtype)


def ints(lo, hi, *shape, dtype=i64):
    return torch.randint(lo, hi, _shape(shape), dtype=torch.int64).to(dtype)


class own_seed:
    """Cases added to a file after it was first written draw from their own seed and restore the shared
    generator afterwards, so neither the cases before them nor the files written after them change."""

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        self.state = torch.get_rng_state()
        torch.manual_seed(self.seed)

    def __exit__(self, *exc):
        torch.set_rng_state(self.state)


# ---- unary ------------------------------------------------------------------------------------------------
UNARY_DOMAIN = {  # inputs for which the op and its derivative are smooth
    "log": lambda *s, dtype=f64: u(0.1, 3.0, *s, dtype=dtype),
    "sqrt": lambda *s, dtype=f64: u(0.1, 3.0, *s, dtype=dtype),
    "rsqrt": lambda *s, dtype=f64: u(0.1, 3.0, *s, dtype=dtype),
    "log1p": lambda *s, dtype=f64: u(-0.7, 3.0, *s, dtype=dtype),
    "reciprocal": lambda *s, dtype=f64: away_from_zero(*s, dtype=dtype),
}
UNARY_ARGS = {
    "gelu": [("", {"approximate": "none"}), ("_tanh", {"approximate": "tanh"})],
    "softplus": [("", {"beta": 1.0, "threshold": 20.0}), ("_beta2_thr1", {"beta": 2.0, "threshold": 1.0})],
    "leaky_relu": [("", {"negative_slope": 0.01}), ("_slope02", {"negative_slope": 0.2})],
    "elu": [("", {"alpha": 1.0}), ("_alpha05", {"alpha": 0.5})],
    "clamp": [("", {"min": -0.5, "max": 0.75}), ("_min_only", {"min": -0.25, "max": None}),
              ("_max_only", {"min": None, "max": 0.5})],
    "clamp_min": [("", {"min": -0.3})],
    "clamp_max": [("", {"max": 0.3})],
}
FLOAT_UNARY = ["exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tanh", "sigmoid",
               "erf", "gelu", "silu", "softplus", "leaky_relu", "elu"]
KEEP_UNARY = ["neg", "abs", "sign", "square", "relu", "floor", "ceil", "round", "trunc", "clamp", "clamp_min",
              "clamp_max"]
PRED_UNARY = ["logical_not", "isnan", "isinf", "isfinite"]


def gen_unary():
    g = Group("ops_unary.safetensors")
    for op in FLOAT_UNARY + KEEP_UNARY + PRED_UNARY:
        dom = UNARY_DOMAIN.get(op, lambda *s, dtype=f64: r(*s, dtype=dtype))
        for suffix, args in UNARY_ARGS.get(op, [("", {})]):
            base = f"{op}{suffix}"
            g.case(f"{base}.f64", op, [("x", dom(3, 4))], args)
            g.case(f"{base}.f32", op, [("x", dom(2, 5, dtype=f32))], args)
            if suffix:
                continue
            # non-contiguous inputs: a transposed and a strided view
            g.case(f"{base}.f64_T", op, [("x", dom(5, 3))], args, views={"x": "T"})
            g.case(f"{base}.f64_step2", op, [("x", dom(2, 3, 8))], args, views={"x": "perm:1,0,2|step2"})
            g.case(f"{base}.f64_0dim", op, [("x", dom())], args)
            g.case(f"{base}.f64_empty", op, [("x", dom(0, 3))], args)
            # reduced precision: values only
            x16 = dom(9, dtype=f32)
            g.case(f"{base}.f16", op, [("x", x16.to(f16))], args, grad=[])
            g.case(f"{base}.bf16", op, [("x", x16.to(bf16))], args, grad=[])
    # integer and bool inputs: integers keep their dtype for neg/abs/sign/relu/rounding/clamp; the floating
    # functions return float32; predicates return bool
    iv = torch.tensor([[-7, -2, 0], [1, 3, 100]], dtype=i64)
    for dt in (i32, i64):
        for op in KEEP_UNARY + PRED_UNARY + ["exp", "sqrt", "sin", "sigmoid", "reciprocal"]:
            for suffix, args in UNARY_ARGS.get(op, [("", {})])[:1]:
                if op in ("clamp", "clamp_min", "clamp_max"):
                    args = {k: (None if v is None else int(v * 8)) for k, v in args.items()}
                g.case(f"{op}{suffix}.{fmt(dt)}", op, [("x", iv.to(dt))], args)
    uv = torch.tensor([0, 1, 7, 200, 255], dtype=u8)
    for op in ["neg", "abs", "sign", "square", "relu", "floor", "exp", "logical_not", "isnan"]:
        g.case(f"{op}.uint8", op, [("x", uv)])
    bv = torch.tensor([True, False, True])
    for op in ["sign", "exp", "sqrt", "square", "logical_not", "isnan", "isinf", "isfinite", "sigmoid", "floor"]:
        g.case(f"{op}.bool", op, [("x", bv)], error=op in ("floor",))
    g.case("neg.bool", "neg", [("x", bv)], error=True)
    g.case("abs.bool", "abs", [("x", bv)], error=True)
    # special values: zeros of both signs, infinities, NaN, tiny and huge magnitudes
    special = torch.tensor([0.0, -0.0, math.inf, -math.inf, math.nan, 1e-30, -1e30, 88.8, -104.0, 0.5, -2.5],
                           dtype=f64)
    for op in FLOAT_UNARY + KEEP_UNARY + PRED_UNARY:
        args = UNARY_ARGS.get(op, [("", {})])[0][1]
        for dt in (f64, f32):
            g.case(f"{op}.special_{fmt(dt)}", op, [("x", special.to(dt))], args, grad=[])
    # derivative conventions at kinks
    kinks = torch.tensor([-1.0, -0.0, 0.0, 0.5, -0.75, 0.75, 1.5, 2.5, -0.5], dtype=f64)
    for op in ["abs", "relu", "clamp", "leaky_relu", "elu", "sign", "floor", "round", "gelu", "silu"]:
        args = UNARY_ARGS.get(op, [("", {})])[0][1]
        g.case(f"{op}.kinks", op, [("x", kinks)], args)
    g.case("round.half_even", "round", [("x", torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 3.5, 1e16 + 2, 0.49999999999999994]))])
    # clamp with tensor bounds (broadcast), and min > max
    g.case("clamp_t.both", "clamp_t", [("x", r(3, 4)), ("lo", r(4) - 0.5), ("hi", r(3, 1) + 0.5)],
           {"has_min": True, "has_max": True})
    g.case("clamp_t.min_only", "clamp_t", [("x", r(3, 4)), ("lo", r(4))], {"has_min": True, "has_max": False})
    g.case("clamp.min_gt_max", "clamp", [("x", r(6))], {"min": 0.5, "max": -0.5})
    # large tensors: the multi-threaded path (sampled outputs)
    g.case("exp.large_f32", "exp", [("x", None)], gens={"x": gen_spec([400, 300], f32)}, sample=True)
    g.case("tanh.large_f64_T", "tanh", [("x", None)], gens={"x": gen_spec([300, 400], f64, 1)}, views={"x": "T"},
           sample=True)
    g.case("gelu.large_f32_step2", "gelu", [("x", None)], {"approximate": "none"},
           gens={"x": gen_spec([300, 802], f32, 2)}, views={"x": "step2"}, sample=True)
    g.case("sigmoid.large_f32", "sigmoid", [("x", None)], gens={"x": gen_spec([130001], f32, 3)}, sample=True)
    g.case("relu.large_i32", "relu", [("x", None)], gens={"x": gen_spec([120007], i32, 4, -100, 100)}, sample=True)
    g.case("sqrt.large_i64", "sqrt", [("x", None)], gens={"x": gen_spec([120007], i64, 5, 0, 1000)}, sample=True)
    g.case("neg.large_f16", "neg", [("x", None)], gens={"x": gen_spec([120001], f16, 6)}, sample=True)
    g.case("log.large_bf16", "log", [("x", None)], gens={"x": gen_spec([120001], bf16, 7, 0.01, 5)}, sample=True)
    with own_seed(20250310):
        gen_hardtanh_relu6(g)
    g.write()


def gen_hardtanh_relu6(g):
    """hardtanh and relu6: values in x's dtype, the gradient 0 at and beyond the limits (PyTorch's
    hardtanh_backward), passed through at NaN; integer limits truncate; uint8 refuses negative limits."""
    ht = {"min_val": -1.0, "max_val": 1.0}
    for op, args, scale in [("hardtanh", ht, 1.5), ("relu6", {}, 5.0)]:
        g.case(f"{op}.f64", op, [("x", r(3, 4) * scale)], args)
        g.case(f"{op}.f32", op, [("x", r(2, 5, dtype=f32) * scale)], args)
        g.case(f"{op}.f64_T", op, [("x", r(5, 3) * scale)], args, views={"x": "T"})
        g.case(f"{op}.f64_step2", op, [("x", r(2, 3, 8) * scale)], args, views={"x": "perm:1,0,2|step2"})
        g.case(f"{op}.f64_0dim", op, [("x", r(()) * scale)], args)
        g.case(f"{op}.f64_empty", op, [("x", r(0, 3))], args)
        x16 = r(9) * scale
        g.case(f"{op}.f16", op, [("x", x16.to(f16))], args, grad=[])
        g.case(f"{op}.bf16", op, [("x", x16.to(bf16))], args, grad=[])
        special = torch.tensor([0.0, -0.0, math.inf, -math.inf, math.nan, 1e-30, -1e30, 6.0, -1.0, 1.0, 0.5, 7.5])
        for dt in (f64, f32):
            g.case(f"{op}.special_{fmt(dt)}", op, [("x", special.to(dt))], args, grad=[])
        for dt in (i32, i64):
            g.case(f"{op}.{fmt(dt)}", op, [("x", torch.tensor([[-7, -1, 0], [1, 6, 100]], dtype=dt))], args)
        g.case(f"{op}.bool", op, [("x", torch.tensor([True, False]))], args, error=True)
    # exactly at the limits (gradient 0 there), just inside them, and NaN (gradient passed through)
    at_limits = torch.tensor([-1.5, -1.0, -0.999, -0.0, 0.0, 0.5, 0.999, 1.0, 2.0, 6.0, 5.999, 7.0, math.nan])
    g.case("hardtanh.limits", "hardtanh", [("x", at_limits)], ht)
    g.case("relu6.limits", "relu6", [("x", at_limits)])
    g.case("hardtanh.m05_2", "hardtanh", [("x", r(3, 4) * 2)], {"min_val": -0.5, "max_val": 2.0})
    g.case("hardtanh.min_gt_max", "hardtanh", [("x", r(6))], {"min_val": 0.5, "max_val": -0.5})
    g.case("hardtanh.int_fractional_limits", "hardtanh", [("x", torch.arange(-4, 5, dtype=i32))],
           {"min_val": -1.5, "max_val": 2.5})
    g.case("hardtanh.uint8_nonneg", "hardtanh", [("x", torch.tensor([0, 1, 7, 200], dtype=u8))],
           {"min_val": 0.0, "max_val": 6.0})
    g.case("relu6.uint8", "relu6", [("x", torch.tensor([0, 1, 7, 200], dtype=u8))])
    g.case("hardtanh.uint8_negative_limit", "hardtanh", [("x", torch.tensor([0, 1], dtype=u8))], ht, error=True)
    g.case("relu6.large_f32", "relu6", [("x", None)], gens={"x": gen_spec([400, 300], f32, 8, -3, 9)}, sample=True)


# ---- binary -----------------------------------------------------------------------------------------------
ARITH = ["add", "sub", "mul", "div", "remainder", "pow", "maximum", "minimum", "atan2"]
COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"]
LOGICAL = ["logical_and", "logical_or", "logical_xor"]


def binary_inputs(op, sa, sb, dtype=f64):
    if op == "pow":
        return u(0.2, 2.0, *sa, dtype=dtype), r(*sb, dtype=dtype)
    if op in ("div", "remainder"):
        return r(*sa, dtype=dtype) * 3, away_from_zero(*sb, lo=0.3, dtype=dtype)
    if op in COMPARE + ["maximum", "minimum"]:
        # a small value set, so equality and ties happen
        return (torch.randint(-2, 3, sa).to(dtype) / 2, torch.randint(-2, 3, sb).to(dtype) / 2)
    return r(*sa, dtype=dtype), r(*sb, dtype=dtype)


def gen_binary():
    g = Group("ops_binary.safetensors")
    shapes = [("same", (3, 4), (3, 4)), ("bcast", (3, 1, 4), (2, 4)), ("bcast_rev", (5, 1), (1, 3)),
              ("scalar0", (2, 3), ()), ("0dim_both", (), ()), ("empty", (0, 3), (3,)), ("empty_bcast", (2, 0), (1,))]
    for op in ARITH + COMPARE + LOGICAL:
        for tag, sa, sb in shapes:
            a, b = binary_inputs(op, sa, sb)
            g.case(f"{op}.{tag}", op, [("a", a), ("b", b)])
        a, b = binary_inputs(op, (2, 5), (2, 5), f32)
        g.case(f"{op}.f32", op, [("a", a), ("b", b)])
        # non-contiguous: a transposed, b a strided view broadcast against it
        a, b = binary_inputs(op, (4, 3), (3, 8))
        g.case(f"{op}.noncontig", op, [("a", a), ("b", b)], views={"a": "T", "b": "step2|expand:2,3,4"})
        a, b = binary_inputs(op, (6,), (6,), f32)
        g.case(f"{op}.f16", op, [("a", a.to(f16)), ("b", b.to(f16))], grad=[])
        g.case(f"{op}.bf16", op, [("a", a.to(bf16)), ("b", b.to(bf16))], grad=[])
    g.case("add.alpha", "add", [("a", r(3, 4)), ("b", r(4))], {"alpha": 2.5})
    g.case("sub.alpha", "sub", [("a", r(3, 4)), ("b", r(3, 1))], {"alpha": -0.5})
    g.case("add.alpha_int", "add", [("a", ints(-5, 5, 4)), ("b", ints(-5, 5, 4))], {"alpha": 3})
    # pow and its derivative conventions at a base of 0
    g.case("pow.zero_base", "pow", [("a", torch.tensor([0.0, 0.0, 0.0, 2.0, 0.5, -1.5])),
                                    ("b", torch.tensor([0.0, 2.0, 1.5, 0.0, -1.0, 2.0]))])
    g.case("maximum.ties", "maximum", [("a", torch.tensor([1.0, 2.0, 3.0, -1.0])),
                                       ("b", torch.tensor([1.0, 0.0, 3.0, 4.0]))])
    g.case("minimum.ties", "minimum", [("a", torch.tensor([1.0, 2.0, 3.0, -1.0])),
                                       ("b", torch.tensor([1.0, 0.0, 3.0, 4.0]))])
    g.case("remainder.signs", "remainder", [("a", torch.tensor([7.5, -7.5, 7.5, -7.5, 0.0, 5.0])),
                                            ("b", torch.tensor([2.0, 2.0, -2.0, -2.0, 3.0, 2.5]))], grad=[])
    g.case("maximum.nan", "maximum", [("a", torch.tensor([math.nan, 1.0, 2.0])),
                                      ("b", torch.tensor([0.0, math.nan, 1.0]))], grad=[])
    g.case("div.by_zero", "div", [("a", torch.tensor([1.0, -1.0, 0.0, 2.0])), ("b", torch.tensor([0.0, 0.0, 0.0, -0.0]))],
           grad=[])
    # integers and bools
    for dt in (i32, i64, u8):
        lo = 0 if dt == u8 else -9
        a, b = ints(lo, 10, 3, 4, dtype=dt), ints(1, 6, 3, 4, dtype=dt)
        for op in ["add", "sub", "mul", "div", "remainder", "maximum", "minimum"] + COMPARE + LOGICAL:
            g.case(f"{op}.{fmt(dt)}", op, [("a", a), ("b", b)])
        g.case(f"pow.{fmt(dt)}", "pow", [("a", a), ("b", ints(0, 4, 3, 4, dtype=dt))])
    g.case("add.uint8_wrap", "add", [("a", torch.tensor([200, 255, 3], dtype=u8)), ("b", torch.tensor([100, 1, 4], dtype=u8))])
    g.case("sub.uint8_wrap", "sub", [("a", torch.tensor([3, 0], dtype=u8)), ("b", torch.tensor([4, 1], dtype=u8))])
    g.case("mul.int32_wrap", "mul", [("a", torch.tensor([65536, -3], dtype=i32)), ("b", torch.tensor([65536, 7], dtype=i32))])
    g.case("remainder.int_signs", "remainder", [("a", torch.tensor([7, -7, 7, -7, 0], dtype=i64)),
                                                ("b", torch.tensor([3, 3, -3, -3, 5], dtype=i64))])
    bt, bf = torch.tensor([True, True, False, False]), torch.tensor([True, False, True, False])
    for op in ["add", "mul", "maximum", "minimum"] + COMPARE + LOGICAL:
        g.case(f"{op}.bool", op, [("a", bt), ("b", bf)])
    g.case("div.bool", "div", [("a", bt), ("b", torch.tensor([True, True, True, True]))])
    g.case("sub.bool", "sub", [("a", bt), ("b", bf)], error=True)
    g.case("logical_and.float", "logical_and", [("a", torch.tensor([0.0, 1.5, -0.0, math.nan])),
                                                ("b", torch.tensor([2.0, 0.0, 3.0, 1.0]))])
    g.case("logical_or.int_float", "logical_or", [("a", torch.tensor([0, 2, 0], dtype=i32)),
                                                  ("b", torch.tensor([0.0, 0.0, 0.5]))])
    g.case("add.shape_mismatch", "add", [("a", r(2, 3)), ("b", r(4))], error=True)
    g.case("mul.bcast_mismatch", "mul", [("a", r(2, 3, 1)), ("b", r(4, 2))], error=True)
    # tensor (op) Python scalar and scalar (op) tensor
    x = r(3, 4)
    for op, s in [("add_s", 2.5), ("sub_s", 1.25), ("mul_s", -3.0), ("div_s", 4.0), ("remainder_s", 0.75),
                  ("pow_s", 3.0), ("pow_s", 0.5), ("pow_s", -2.0), ("pow_s", 0.0), ("rpow_s", 2.0), ("rsub_s", 1.5),
                  ("rdiv_s", 2.0), ("eq_s", 0.0), ("ne_s", 0.0), ("lt_s", 0.25), ("le_s", 0.25), ("gt_s", -0.25),
                  ("ge_s", -0.25)]:
        xin = u(0.2, 2.0, 3, 4) if op == "pow_s" and s in (0.5, -2.0) else (away_from_zero(3, 4) if op == "rdiv_s" else x)
        tag = fmt(s).replace(".", "p").replace("-", "m")
        g.case(f"{op}.{tag}", op, [("x", xin)], {"s": s})
        g.case(f"{op}.{tag}_T", op, [("x", xin.t().contiguous())], {"s": s}, views={"x": "T"})
    g.case("add_s.alpha", "add_s", [("x", r(4))], {"s": 2.0, "alpha": -1.5})
    g.case("sub_s.int", "sub_s", [("x", ints(-5, 5, 5))], {"s": 3})
    g.case("pow_s.int", "pow_s", [("x", ints(-5, 5, 5))], {"s": 3})
    g.case("pow_s.int_neg", "pow_s", [("x", ints(1, 5, 5))], {"s": -1}, error=True)
    g.case("pow_s.int_float_exp", "pow_s", [("x", ints(0, 5, 5))], {"s": 0.5})
    g.case("rpow_s.int", "rpow_s", [("x", ints(0, 5, 5))], {"s": 2})
    g.case("remainder_s.int_neg", "remainder_s", [("x", torch.tensor([7, -7, 0, 5]))], {"s": -3})
    g.case("eq_s.int_vs_float", "eq_s", [("x", torch.tensor([1, 2, 3], dtype=i32))], {"s": 2.0})
    g.case("lt_s.int_vs_frac", "lt_s", [("x", torch.tensor([1, 2, 3], dtype=i32))], {"s": 2.5})
    g.case("mul_s.bool", "mul_s", [("x", bt)], {"s": True})
    g.case("add_s.bool_int", "add_s", [("x", bt)], {"s": 3})
    # where / masked_fill / lerp
    c = torch.rand(3, 4) < 0.5
    g.case("where.same", "where", [("c", c), ("a", r(3, 4)), ("b", r(3, 4))])
    g.case("where.bcast", "where", [("c", torch.rand(3, 1) < 0.5), ("a", r(1, 4)), ("b", r(3, 4))])
    g.case("where.cond_bcast", "where", [("c", torch.tensor([True, False, True, False])), ("a", r(3, 4)), ("b", r(()))])
    g.case("where.noncontig", "where", [("c", c), ("a", r(4, 3)), ("b", r(3, 8))], views={"a": "T", "b": "step2"})
    g.case("where.int_float", "where", [("c", c), ("a", ints(-3, 3, 3, 4, dtype=i32)), ("b", r(3, 4))])
    g.case("where.f32_f64_0dim", "where", [("c", c), ("a", r(3, 4, dtype=f32)), ("b", r((), dtype=f64))])
    g.case("where_s.float", "where_s", [("c", c), ("a", r(3, 4))], {"s": -1.5})
    g.case("where_s.int_float", "where_s", [("c", c), ("a", ints(-3, 3, 3, 4, dtype=i32))], {"s": 2.5})
    g.case("where_sa.float", "where_sa", [("c", c), ("b", r(3, 4))], {"s": 0.25})
    g.case("masked_fill_s.float", "masked_fill_s", [("x", r(3, 4)), ("mask", c)], {"s": 7.5})
    g.case("masked_fill_s.bcast", "masked_fill_s", [("x", r(3, 4)), ("mask", torch.tensor([True, False, False, True]))],
           {"s": -2.0})
    g.case("masked_fill_s.int", "masked_fill_s", [("x", ints(-5, 5, 3, 4)), ("mask", c)], {"s": 9})
    g.case("masked_fill_t.float", "masked_fill_t", [("x", r(3, 4)), ("mask", c), ("v", r(()))])
    g.case("lerp.same", "lerp", [("a", r(3, 4)), ("b", r(3, 4))], {"weight": 0.3})
    g.case("lerp.bcast", "lerp", [("a", r(3, 1)), ("b", r(4))], {"weight": 1.25})
    # Drawn from a generator of its own, so the cases after it (added later) keep their inputs.
    with torch.random.fork_rng():
        torch.manual_seed(29)
        g.case("lerp.tensor_weight", "lerp", [("a", r(3, 1)), ("b", r(4)), ("w", r(2, 1, 1))], {})
    # large tensors: threaded, broadcast and strided paths (sampled outputs)
    big = lambda seed, shape=(400, 300), dt=f32, lo=-3, hi=3: gen_spec(list(shape), dt, seed, lo, hi)
    g.case("add.large_bcast_f32", "add", [("a", None), ("b", None)], gens={"a": big(10), "b": big(11, (300,))},
           sample=True)
    g.case("mul.large_T_f32", "mul", [("a", None), ("b", None)], gens={"a": big(12, (300, 400)), "b": big(13)},
           views={"a": "T"}, sample=True)
    g.case("div.large_f64", "div", [("a", None), ("b", None)],
           gens={"a": big(14, (120011,), f64), "b": big(15, (120011,), f64, 0.5, 4)}, sample=True)
    g.case("maximum.large_col_bcast_f32", "maximum", [("a", None), ("b", None)],
           gens={"a": big(16), "b": big(17, (400, 1))}, sample=True)
    g.case("sub.large_i64", "sub", [("a", None), ("b", None)],
           gens={"a": big(18, (120011,), i64, -1000, 1000), "b": big(19, (120011,), i64, -1000, 1000)}, sample=True)
    g.case("lt.large_f32", "lt", [("a", None), ("b", None)], gens={"a": big(20), "b": big(21)}, sample=True)
    g.case("mul_s.large_f32", "mul_s", [("x", None)], {"s": 1.5}, gens={"x": big(22)}, sample=True)
    g.case("add.large_f16", "add", [("a", None), ("b", None)],
           gens={"a": big(23, (120001,), f16), "b": big(24, (120001,), f16)}, sample=True)
    g.case("where.large_f32", "where", [("c", torch.rand(400, 1) < 0.5), ("a", None), ("b", None)],
           gens={"a": big(25), "b": big(26, (300,))}, sample=True)
    with own_seed(20250311):
        gen_max_min_overloads(g)
    g.write()


def gen_max_min_overloads(g):
    """torch.max(a, b) / torch.min(a, b): maximum/minimum under LibTorch's other name (ties split the gradient)."""
    for op in ("max_t", "min_t"):
        a, b = binary_inputs("maximum", (3, 1, 4), (2, 4))
        g.case(f"{op}.bcast_ties", op, [("a", a), ("b", b)])
        a, b = binary_inputs("maximum", (4, 3), (3, 8))
        g.case(f"{op}.noncontig", op, [("a", a), ("b", b)], views={"a": "T", "b": "step2|expand:2,3,4"})
        a, b = binary_inputs("maximum", (2, 5), (2, 5), f32)
        g.case(f"{op}.f32", op, [("a", a), ("b", b)])
        g.case(f"{op}.int32", op, [("a", ints(-9, 10, 3, 4, dtype=i32)), ("b", ints(-9, 10, 4, dtype=i32))])
        g.case(f"{op}.int_float", op, [("a", ints(-3, 3, 3, dtype=i64)), ("b", r(3))])
        g.case(f"{op}.nan", op, [("a", torch.tensor([math.nan, 1.0, 2.0])), ("b", torch.tensor([0.0, math.nan, 1.0]))],
               grad=[])
        g.case(f"{op}.shape_mismatch", op, [("a", r(2, 3)), ("b", r(4))], error=True)


# ---- reductions -------------------------------------------------------------------------------------------
def gen_reduce():
    g = Group("ops_reduce.safetensors")
    x = r(3, 4, 5)
    xt = r(5, 4, 3)  # viewed as [3, 4, 5] through perm:2,1,0
    dim_variants = [("all", {}), ("d0", {"dims": [0]}), ("d1_keep", {"dims": [1], "keepdim": True}),
                    ("d02", {"dims": [0, 2]}), ("dneg1", {"dims": [-1]}), ("d12_keep", {"dims": [1, 2], "keepdim": True})]
    for op in ["sum", "mean", "amax", "amin", "logsumexp"]:
        for tag, args in dim_variants:
            if op == "logsumexp" and "dims" not in args:
                args = {"dims": [0, 1, 2]}
            g.case(f"{op}.{tag}", op, [("x", x)], args)
        g.case(f"{op}.perm", op, [("x", xt)], {"dims": [1]} if op != "sum" else {"dims": [0, 1]},
               views={"x": "perm:2,1,0"})
        g.case(f"{op}.f32", op, [("x", r(6, 7, dtype=f32))], {"dims": [1]})
        g.case(f"{op}.0dim", op, [("x", r(()))], {"dims": []} if op in ("logsumexp",) else {})
    for op in ["var", "std"]:
        for unbiased in (True, False):
            ub = "unbiased" if unbiased else "biased"
            g.case(f"{op}.all_{ub}", op, [("x", x)], {"unbiased": unbiased})
            g.case(f"{op}.d1_{ub}", op, [("x", x)], {"dims": [1], "unbiased": unbiased})
            g.case(f"{op}.d02_keep_{ub}", op, [("x", x)], {"dims": [0, 2], "unbiased": unbiased, "keepdim": True})
        g.case(f"{op}.perm", op, [("x", xt)], {"dims": [2], "unbiased": True}, views={"x": "perm:2,1,0"})
        g.case(f"{op}.f32", op, [("x", r(5, 6, dtype=f32))], {"dims": [0], "unbiased": True})
        g.case(f"{op}.single", op, [("x", r(4, 1))], {"dims": [1], "unbiased": False})
        g.case(f"{op}.int", op, [("x", ints(0, 5, 4))], {"unbiased": True}, error=True)
    for p in [2.0, 1.0, 3.0, math.inf, -math.inf, 0.0]:
        tag = fmt(p).replace(".", "p").replace("-", "m")
        g.case(f"norm.p{tag}_all", "norm", [("x", x)], {"p": p})
        g.case(f"norm.p{tag}_d1", "norm", [("x", x)], {"p": p, "dims": [1]})
        g.case(f"norm.p{tag}_d02_keep", "norm", [("x", x)], {"p": p, "dims": [0, 2], "keepdim": True})
    g.case("norm.p2_zero_row", "norm", [("x", torch.tensor([[0.0, 0.0], [3.0, 4.0]]))], {"p": 2.0, "dims": [1]})
    g.case("norm.p2_f32", "norm", [("x", r(4, 6, dtype=f32))], {"p": 2.0, "dims": [1]})
    g.case("norm.p2_int", "norm", [("x", ints(0, 5, 4))], {"p": 2.0}, error=True)
    # prod: one dim only (as torch.prod), with zeros
    for tag, args in [("all", {}), ("d1", {"dim": 1}), ("d2_keep", {"dim": 2, "keepdim": True}), ("dneg3", {"dim": -3})]:
        g.case(f"prod.{tag}", "prod", [("x", x)], args)
    xz = r(3, 4)
    xz[0, 1] = 0
    xz[2, 0] = 0
    xz[2, 3] = 0
    g.case("prod.zeros_d1", "prod", [("x", xz)], {"dim": 1})
    g.case("prod.zeros_all", "prod", [("x", xz[:2])])
    g.case("prod.f32", "prod", [("x", u(0.5, 1.5, 4, 5, dtype=f32))], {"dim": 0})
    g.case("prod.int_dtype", "prod", [("x", ints(1, 4, 3, 4, dtype=i32))], {"dim": 1})
    g.case("prod.uint8", "prod", [("x", ints(1, 4, 5, dtype=u8))])
    # max/min/argmax/argmin, with ties (full max/min and amax split the gradient; argmax returns the first)
    for op in ["max_dim", "min_dim"]:
        for tag, args in [("d0", {"dim": 0}), ("d1_keep", {"dim": 1, "keepdim": True}), ("dneg1", {"dim": -1})]:
            g.case(f"{op}.{tag}", op, [("x", x)], args)
        g.case(f"{op}.perm", op, [("x", xt)], {"dim": 0}, views={"x": "perm:2,1,0"})
        g.case(f"{op}.0dim", op, [("x", r(()))], {"dim": 0})
        g.case(f"{op}.int", op, [("x", ints(-9, 9, 3, 5, dtype=i32))], {"dim": 1})
        g.case(f"{op}.empty_dim", op, [("x", r(3, 0))], {"dim": 1}, error=True)
    for op in ["max", "min"]:
        g.case(f"{op}.all", op, [("x", x)])
        g.case(f"{op}.ties", op, [("x", torch.tensor([[1.0, 3.0], [3.0, -2.0]]))])
        g.case(f"{op}.int", op, [("x", ints(-9, 9, 4, 3))])
        g.case(f"{op}.bool", op, [("x", torch.tensor([False, True]))])
        g.case(f"{op}.empty", op, [("x", r(0, 3))], error=True)
    ties = torch.tensor([[2.0, 5.0, 5.0, 1.0], [7.0, 7.0, 7.0, 0.0], [-1.0, -1.0, -3.0, -3.0]])
    for op in ["amax", "amin"]:
        g.case(f"{op}.ties_d1", op, [("x", ties)], {"dims": [1]})
        g.case(f"{op}.ties_all", op, [("x", ties)])
        g.case(f"{op}.int", op, [("x", ints(-9, 9, 3, 5, dtype=i64))], {"dims": [0]})
        g.case(f"{op}.empty_dim", op, [("x", r(2, 0))], {"dims": [1]}, error=True)
        g.case(f"{op}.empty_other_dim", op, [("x", r(2, 0))], {"dims": [0]})
    for op in ["argmax", "argmin"]:
        g.case(f"{op}.all", op, [("x", x)])
        g.case(f"{op}.d1", op, [("x", x)], {"dim": 1})
        g.case(f"{op}.d2_keep", op, [("x", x)], {"dim": 2, "keepdim": True})
        g.case(f"{op}.ties_first", op, [("x", ties)], {"dim": 1})
        g.case(f"{op}.ties_all", op, [("x", ties)])
        g.case(f"{op}.perm", op, [("x", xt)], {"dim": 1}, views={"x": "perm:2,1,0"})
        g.case(f"{op}.int", op, [("x", ints(-3, 3, 4, 5, dtype=i32))], {"dim": 0})
        g.case(f"{op}.empty", op, [("x", r(0))], error=True)
    # sum/mean: dtypes, empty tensors
    g.case("sum.int32", "sum", [("x", ints(-9, 9, 3, 4, dtype=i32))], {"dims": [1]})
    g.case("sum.uint8_all", "sum", [("x", torch.tensor([200, 100, 255], dtype=u8))])
    g.case("sum.bool", "sum", [("x", torch.tensor([[True, False, True], [True, True, False]]))], {"dims": [0]})
    g.case("sum.dtype_f64", "sum", [("x", r(3, 4, dtype=f32))], {"dims": [1], "dtype": f64})
    g.case("sum.int_dtype_f32", "sum", [("x", ints(-9, 9, 3, 4, dtype=i32))], {"dtype": f32})
    g.case("sum.f16", "sum", [("x", r(3, 8, dtype=f16))], {"dims": [1]}, grad=[])
    g.case("sum.bf16", "sum", [("x", r(3, 8, dtype=bf16))], {"dims": [1]}, grad=[])
    g.case("sum.empty_all", "sum", [("x", r(0, 3))])
    g.case("sum.empty_d0", "sum", [("x", r(0, 3))], {"dims": [0]})
    g.case("sum.empty_d1", "sum", [("x", r(0, 3))], {"dims": [1]})
    g.case("mean.empty_all", "mean", [("x", r(0, 3))], grad=[])
    g.case("prod.empty", "prod", [("x", r(0, 3))], {"dim": 0})
    g.case("mean.dtype_f64", "mean", [("x", r(3, 4, dtype=f32))], {"dims": [0], "dtype": f64})
    g.case("mean.int", "mean", [("x", ints(0, 5, 4))], error=True)
    g.case("sum.repeated_dim", "sum", [("x", x)], {"dims": [1, 1]}, error=True)
    g.case("sum.bad_dim", "sum", [("x", x)], {"dims": [3]}, error=True)
    g.case("logsumexp.neg_inf", "logsumexp", [("x", torch.tensor([[-math.inf, -math.inf], [0.0, -math.inf], [1000.0, 1000.0]],
                                                                  dtype=f64))],
           {"dims": [1]})
    g.case("logsumexp.int", "logsumexp", [("x", ints(-3, 3, 2, 3))], {"dims": [1]})
    # all / any
    bx = torch.rand(3, 4) < 0.5
    bx[1] = True
    bx[2] = False
    for op in ["all", "any"]:
        g.case(f"{op}.all", op, [("x", bx)])
        g.case(f"{op}.d1", op, [("x", bx)], {"dim": 1})
        g.case(f"{op}.d0_keep", op, [("x", bx)], {"dim": 0, "keepdim": True})
        g.case(f"{op}.float", op, [("x", torch.tensor([[0.0, 1.0], [math.nan, -2.0]]))], {"dim": 1})
        g.case(f"{op}.int", op, [("x", torch.tensor([[0, 3], [5, 6]], dtype=i32))], {"dim": 0})
        g.case(f"{op}.uint8", op, [("x", torch.tensor([[0, 3], [5, 6]], dtype=u8))])
        g.case(f"{op}.empty", op, [("x", torch.zeros(0, dtype=torch.bool))])
        g.case(f"{op}.T", op, [("x", bx.t().contiguous())], {"dim": 1}, views={"x": "T"})
    # softmax / log_softmax
    for op in ["softmax", "log_softmax"]:
        for tag, args in [("d1", {"dim": 1}), ("d0", {"dim": 0}), ("dneg1", {"dim": -1})]:
            g.case(f"{op}.{tag}", op, [("x", x)], args)
        g.case(f"{op}.perm", op, [("x", xt)], {"dim": 2}, views={"x": "perm:2,1,0"})
        g.case(f"{op}.f32", op, [("x", r(4, 7, dtype=f32))], {"dim": 1})
        g.case(f"{op}.dtype_f64", op, [("x", r(4, 7, dtype=f32))], {"dim": 1, "dtype": f64})
        g.case(f"{op}.int_input", op, [("x", ints(-3, 3, 2, 5))], {"dim": 1}, error=True)
        g.case(f"{op}.large_values", op, [("x", torch.tensor([[1000.0, 1001.0, -1000.0], [-math.inf, 0.0, 1.0]]))],
               {"dim": 1}, grad=[])
        g.case(f"{op}.0dim", op, [("x", r(()))], {"dim": 0})
        g.case(f"{op}.empty", op, [("x", r(0, 4))], {"dim": 1})
        g.case(f"{op}.bf16", op, [("x", r(3, 6, dtype=bf16))], {"dim": 1}, grad=[])
        g.case(f"{op}.f16", op, [("x", r(3, 6, dtype=f16))], {"dim": 1}, grad=[])
        g.case(f"{op}.bad_dim", op, [("x", r(2, 3))], {"dim": 2}, error=True)
    # large: the threaded reduction paths
    big = lambda seed, shape=(400, 300), dt=f32: gen_spec(list(shape), dt, seed)
    g.case("sum.large_d0_f32", "sum", [("x", None)], {"dims": [0]}, gens={"x": big(30)}, rtol=1e-5, atol=1e-4)
    g.case("sum.large_d1_f32", "sum", [("x", None)], {"dims": [1]}, gens={"x": big(31)}, rtol=1e-5, atol=1e-4)
    g.case("sum.large_all_f64", "sum", [("x", None)], gens={"x": big(32, (130003,), f64)}, rtol=1e-10, atol=1e-8)
    g.case("sum.large_T_d1_f32", "sum", [("x", None)], {"dims": [1]}, gens={"x": big(33, (300, 400))},
           views={"x": "T"}, rtol=1e-5, atol=1e-4)
    g.case("mean.large_all_f32", "mean", [("x", None)], gens={"x": big(34)}, rtol=1e-4, atol=1e-6)
    g.case("amax.large_d0_f32", "amax", [("x", None)], {"dims": [0]}, gens={"x": big(35)})
    g.case("max_dim.large_d1_f32", "max_dim", [("x", None)], {"dim": 1}, gens={"x": big(36)})
    g.case("argmin.large_all_f32", "argmin", [("x", None)], gens={"x": big(37)})
    g.case("var.large_d0_f64", "var", [("x", None)], {"dims": [0], "unbiased": True}, gens={"x": big(38, dt=f64)})
    g.case("norm.large_all_f32", "norm", [("x", None)], {"p": 2.0}, gens={"x": big(39)}, rtol=1e-5)
    g.case("logsumexp.large_d1_f32", "logsumexp", [("x", None)], {"dims": [1]}, gens={"x": big(40)}, rtol=1e-5)
    g.case("softmax.large_d1_f32", "softmax", [("x", None)], {"dim": 1}, gens={"x": big(41)}, sample=True)
    g.case("log_softmax.large_d0_f32", "log_softmax", [("x", None)], {"dim": 0}, gens={"x": big(42)}, sample=True)
    # many short rows: the CPU kernel runs exp over blocks of rows (two blocks here), not one row at a time
    g.case("log_softmax.short_rows_f32", "log_softmax", [("x", None)], {"dim": 1}, gens={"x": big(44, (900, 5))},
           sample=True)
    g.case("softmax.short_rows_f64", "softmax", [("x", None)], {"dim": -1}, gens={"x": big(45, (700, 3), f64)},
           sample=True)
    g.case("sum.large_i32", "sum", [("x", None)], gens={"x": big(43, (120007,), i32)})
    with own_seed(20250312):
        gen_cumsum_sort_topk(g)
    g.write()


def gen_cumsum_sort_topk(g):
    """cumsum (dtypes as torch.cumsum: integers and bool sum in int64), sort (stable; NaN largest; -0 == 0) and
    topk, along every dim, on views, empty and 0-dim inputs, with ties and special values."""
    x = r(3, 4, 5)
    xt = r(5, 4, 3)  # viewed as [3, 4, 5] through perm:2,1,0
    # cumsum
    for tag, d in [("d0", 0), ("d1", 1), ("d2", 2), ("dneg1", -1), ("dneg3", -3)]:
        g.case(f"cumsum.{tag}", "cumsum", [("x", x)], {"dim": d})
    g.case("cumsum.perm", "cumsum", [("x", xt)], {"dim": 1}, views={"x": "perm:2,1,0"})
    g.case("cumsum.T", "cumsum", [("x", r(5, 3))], {"dim": 1}, views={"x": "T"})
    g.case("cumsum.step2", "cumsum", [("x", r(2, 3, 8))], {"dim": -1}, views={"x": "step2"})
    g.case("cumsum.f32", "cumsum", [("x", r(6, 7, dtype=f32))], {"dim": 1})
    g.case("cumsum.dtype_f64", "cumsum", [("x", r(3, 4, dtype=f32))], {"dim": 1, "dtype": f64})
    g.case("cumsum.dtype_f32", "cumsum", [("x", r(3, 4))], {"dim": 0, "dtype": f32})
    g.case("cumsum.f16", "cumsum", [("x", r(3, 8, dtype=f16))], {"dim": 1}, grad=[])
    g.case("cumsum.bf16", "cumsum", [("x", r(3, 8, dtype=bf16))], {"dim": 1}, grad=[])
    g.case("cumsum.int32", "cumsum", [("x", ints(-9, 9, 3, 4, dtype=i32))], {"dim": 1})
    g.case("cumsum.int64", "cumsum", [("x", ints(-9, 9, 3, 4))], {"dim": 0})
    g.case("cumsum.uint8", "cumsum", [("x", torch.tensor([200, 100, 255, 1], dtype=u8))], {"dim": 0})
    g.case("cumsum.uint8_dtype_uint8", "cumsum", [("x", torch.tensor([200, 100, 255, 1], dtype=u8))],
           {"dim": 0, "dtype": u8})
    g.case("cumsum.bool", "cumsum", [("x", torch.tensor([[True, False, True], [True, True, False]]))], {"dim": 1})
    g.case("cumsum.int_dtype_f64", "cumsum", [("x", ints(-9, 9, 5, dtype=i32))], {"dim": 0, "dtype": f64})
    g.case("cumsum.0dim", "cumsum", [("x", r(()))], {"dim": 0})
    g.case("cumsum.0dim_neg", "cumsum", [("x", r(()))], {"dim": -1})
    g.case("cumsum.empty_d0", "cumsum", [("x", r(0, 3))], {"dim": 0})
    g.case("cumsum.empty_d1", "cumsum", [("x", r(0, 3))], {"dim": 1})
    g.case("cumsum.empty_len0", "cumsum", [("x", r(3, 0))], {"dim": 1})
    g.case("cumsum.nan_inf", "cumsum", [("x", torch.tensor([[1.0, math.nan, 2.0], [math.inf, -math.inf, 1.0],
                                                             [math.inf, 1.0, 2.0]]))], {"dim": 1})
    g.case("cumsum.bad_dim", "cumsum", [("x", x)], {"dim": 3}, error=True)
    g.case("cumsum.dtype_bool", "cumsum", [("x", r(3))], {"dim": 0, "dtype": b8}, error=True)
    # sort
    for tag, d in [("d0", 0), ("d1", 1), ("dneg1", -1)]:
        for desc in (False, True):
            g.case(f"sort.{tag}{'_desc' if desc else ''}", "sort", [("x", x)], {"dim": d, "descending": desc})
    g.case("sort.perm", "sort", [("x", xt)], {"dim": 2}, views={"x": "perm:2,1,0"})
    g.case("sort.T_desc", "sort", [("x", r(6, 3))], {"dim": 1, "descending": True}, views={"x": "T"})
    g.case("sort.step2", "sort", [("x", r(3, 10))], {"dim": 1}, views={"x": "step2"})
    small = ints(0, 3, 3, 6).to(f64)
    long_ties = ints(0, 4, 3, 40).to(f64)  # slices past 16 elements: stable sort only
    for desc in (False, True):
        sfx = "_desc" if desc else ""
        g.case(f"sort.ties{sfx}", "sort", [("x", small)], {"dim": 1, "descending": desc})
        g.case(f"sort.ties_long{sfx}", "sort", [("x", long_ties)], {"dim": 1, "descending": desc})
        g.case(f"sort.ties_long_d0{sfx}", "sort", [("x", long_ties.t().contiguous())], {"dim": 0, "descending": desc})
        special = torch.tensor([[1.0, math.nan, 3.0, math.nan, -1.0], [math.inf, -math.inf, 0.0, -0.0, 0.0],
                                [-0.0, 0.0, -0.0, math.nan, 0.0]])
        g.case(f"sort.nan_zero{sfx}", "sort", [("x", special)], {"dim": 1, "descending": desc})
        g.case(f"sort.f32_special{sfx}", "sort", [("x", special.to(f32))], {"dim": 1, "descending": desc})
        for dt in (i32, i64, u8):
            g.case(f"sort.{fmt(dt)}{sfx}", "sort", [("x", ints(0, 5, 3, 20, dtype=dt))], {"dim": 1, "descending": desc})
        g.case(f"sort.bool{sfx}", "sort", [("x", torch.tensor([[True, False, True, False, True]]))],
               {"dim": 1, "descending": desc})
    g.case("sort.f32", "sort", [("x", r(4, 7, dtype=f32))], {"dim": 1})
    g.case("sort.f16", "sort", [("x", r(3, 8, dtype=f16))], {"dim": 1}, grad=[])
    g.case("sort.bf16", "sort", [("x", r(3, 8, dtype=bf16))], {"dim": 0, "descending": True}, grad=[])
    g.case("sort.0dim", "sort", [("x", r(()))], {"dim": 0})
    g.case("sort.empty_len0", "sort", [("x", r(3, 0))], {"dim": 1})
    g.case("sort.empty_other", "sort", [("x", r(0, 3))], {"dim": 1})
    g.case("sort.bad_dim", "sort", [("x", r(2, 3))], {"dim": 2}, error=True)
    # topk: distinct values, so that which of equal elements is returned does not matter ...
    distinct = torch.randperm(60).to(f64).reshape(3, 4, 5) / 4 - 7
    for tag, args in [("k2_d1", {"k": 2, "dim": 1}), ("k3_d0_smallest", {"k": 3, "dim": 0, "largest": False}),
                      ("k5_dneg1", {"k": 5, "dim": -1}), ("k1_d2_smallest", {"k": 1, "dim": 2, "largest": False}),
                      ("k0", {"k": 0, "dim": 1})]:
        g.case(f"topk.{tag}", "topk", [("x", distinct)], args)
    g.case("topk.perm", "topk", [("x", distinct.permute(2, 1, 0).contiguous())], {"k": 2, "dim": 1},
           views={"x": "perm:2,1,0"})
    g.case("topk.T", "topk", [("x", r(6, 3))], {"k": 3, "dim": 1, "largest": False}, views={"x": "T"})
    g.case("topk.f32", "topk", [("x", r(4, 7, dtype=f32))], {"k": 3, "dim": 1})
    g.case("topk.bf16", "topk", [("x", r(3, 8, dtype=bf16))], {"k": 2, "dim": 1}, grad=[])
    perm = torch.randperm(24).reshape(4, 6)
    for dt in (i32, i64, u8):
        g.case(f"topk.{fmt(dt)}", "topk", [("x", perm.to(dt))], {"k": 2, "dim": 1})
        g.case(f"topk.{fmt(dt)}_smallest", "topk", [("x", perm.to(dt))], {"k": 3, "dim": 0, "largest": False})
    g.case("topk.nan", "topk", [("x", torch.tensor([[1.0, math.nan, 3.0, 2.0], [-math.inf, 0.5, math.inf, -1.0]]))],
           {"k": 2, "dim": 1})
    g.case("topk.nan_smallest", "topk", [("x", torch.tensor([[1.0, math.nan, 3.0, 2.0]]))],
           {"k": 2, "dim": 1, "largest": False})
    g.case("topk.0dim", "topk", [("x", r(()))], {"k": 1, "dim": 0})
    g.case("topk.empty_k0", "topk", [("x", r(3, 0))], {"k": 0, "dim": 1})
    g.case("topk.empty_rows", "topk", [("x", r(0, 3))], {"k": 2, "dim": 1})
    # ... and with ties: the values only
    g.case("topk_values.ties", "topk_values", [("x", small)], {"k": 4, "dim": 1}, grad=[])
    g.case("topk_values.ties_smallest", "topk_values", [("x", long_ties)], {"k": 10, "dim": 1, "largest": False},
           grad=[])
    g.case("topk.k_too_large", "topk", [("x", r(2, 3))], {"k": 4, "dim": 1}, error=True)
    g.case("topk.k_negative", "topk", [("x", r(2, 3))], {"k": -1, "dim": 1}, error=True)
    g.case("topk.bad_dim", "topk", [("x", r(2, 3))], {"k": 1, "dim": -3}, error=True)
    g.case("topk.bool", "topk", [("x", torch.tensor([True, False]))], {"k": 1, "dim": 0}, error=True)
    # large: many slices in parallel, long slices
    big = lambda seed, shape=(400, 300), dt=f32: gen_spec(list(shape), dt, seed)
    g.case("cumsum.large_d1_f32", "cumsum", [("x", None)], {"dim": 1}, gens={"x": big(44)}, sample=True,
           rtol=1e-5, atol=1e-4)
    g.case("cumsum.large_T_d0_f64", "cumsum", [("x", None)], {"dim": 0}, gens={"x": big(45, (300, 400), f64)},
           views={"x": "T"}, sample=True)
    g.case("cumsum.large_1d_f32", "cumsum", [("x", None)], {"dim": 0}, gens={"x": big(46, (130003,))}, sample=True,
           rtol=1e-5, atol=1e-3)
    g.case("sort.large_d1_f32", "sort", [("x", None)], {"dim": 1}, gens={"x": big(47)}, sample=True)
    g.case("sort.large_d0_desc_f32", "sort", [("x", None)], {"dim": 0, "descending": True}, gens={"x": big(48)},
           sample=True)
    g.case("topk.large_d1_f32", "topk", [("x", None)], {"k": 10, "dim": 1}, gens={"x": big(49)}, sample=True)


# ---- linear algebra ---------------------------------------------------------------------------------------
def gen_linalg():
    g = Group("ops_linalg.safetensors")
    shapes = [("1d_1d", (4,), (4,)), ("2d_1d", (3, 4), (4,)), ("1d_2d", (4,), (4, 5)), ("2d_2d", (3, 4), (4, 5)),
              ("3d_2d", (2, 3, 4), (4, 5)), ("2d_3d", (3, 4), (2, 4, 5)), ("1d_3d", (4,), (2, 4, 5)),
              ("3d_1d", (2, 3, 4), (4,)), ("bcast_batch", (2, 1, 3, 4), (5, 4, 2)), ("4d_4d", (2, 3, 2, 4), (2, 3, 4, 3)),
              ("k0", (3, 0), (0, 2)), ("m0", (0, 4), (4, 2)), ("batch0", (0, 2, 3), (3, 4))]
    for tag, sa, sb in shapes:
        g.case(f"matmul.{tag}", "matmul", [("a", r(*sa)), ("b", r(*sb))])
    g.case("matmul.f32", "matmul", [("a", r(2, 5, 6, dtype=f32)), ("b", r(6, 3, dtype=f32))])
    g.case("matmul.T_both", "matmul", [("a", r(4, 3)), ("b", r(5, 4))], views={"a": "T", "b": "T"})
    g.case("matmul.batched_T", "matmul", [("a", r(2, 4, 3)), ("b", r(2, 5, 4))], views={"a": "T", "b": "T"})
    g.case("matmul.expanded", "matmul", [("a", r(1, 3, 4)), ("b", r(4, 2))], views={"a": "expand:3,3,4"})
    g.case("matmul.step2", "matmul", [("a", r(3, 8)), ("b", r(4, 2))], views={"a": "step2"})
    g.case("matmul.bf16", "matmul", [("a", r(3, 4, dtype=bf16)), ("b", r(4, 2, dtype=bf16))], grad=[])
    g.case("matmul.f16", "matmul", [("a", r(3, 4, dtype=f16)), ("b", r(4, 2, dtype=f16))], grad=[])
    g.case("matmul.mismatch", "matmul", [("a", r(3, 4)), ("b", r(5, 2))], error=True)
    g.case("matmul.0dim", "matmul", [("a", r(())), ("b", r(3))], error=True)
    g.case("matmul.int", "matmul", [("a", ints(-3, 3, 2, 3)), ("b", ints(-3, 3, 3, 2))],
           rtol=0, atol=0)
    g.case("matmul.dtype_mix", "matmul", [("a", r(2, 3, dtype=f32)), ("b", r(3, 2))], error=True)
    g.case("matmul.batch_mismatch", "matmul", [("a", r(2, 3, 4)), ("b", r(3, 4, 2))], error=True)
    g.case("mm.basic", "mm", [("a", r(3, 4)), ("b", r(4, 5))])
    g.case("mm.f32", "mm", [("a", r(7, 9, dtype=f32)), ("b", r(9, 5, dtype=f32))])
    g.case("mm.T", "mm", [("a", r(4, 3)), ("b", r(4, 5))], views={"a": "T"})
    g.case("mm.1x1", "mm", [("a", r(1, 1)), ("b", r(1, 1))])
    g.case("mm.not_2d", "mm", [("a", r(3)), ("b", r(3, 2))], error=True)
    g.case("mm.mismatch", "mm", [("a", r(3, 4)), ("b", r(3, 4))], error=True)
    g.case("bmm.basic", "bmm", [("a", r(2, 3, 4)), ("b", r(2, 4, 5))])
    g.case("bmm.T", "bmm", [("a", r(2, 4, 3)), ("b", r(2, 4, 5))], views={"a": "T"})
    g.case("bmm.perm", "bmm", [("a", r(3, 2, 4)), ("b", r(2, 4, 5))], views={"a": "perm:1,0,2"})
    g.case("bmm.f32", "bmm", [("a", r(3, 5, 6, dtype=f32)), ("b", r(3, 6, 2, dtype=f32))])
    g.case("bmm.batch_mismatch", "bmm", [("a", r(2, 3, 4)), ("b", r(3, 4, 5))], error=True)
    g.case("bmm.not_3d", "bmm", [("a", r(3, 4)), ("b", r(4, 5))], error=True)
    g.case("addmm.basic", "addmm", [("bias", r(3, 5)), ("a", r(3, 4)), ("b", r(4, 5))])
    g.case("addmm.bias_row", "addmm", [("bias", r(5)), ("a", r(3, 4)), ("b", r(4, 5))])
    g.case("addmm.beta_alpha", "addmm", [("bias", r(3, 1)), ("a", r(3, 4)), ("b", r(4, 5))],
           {"beta": 0.5, "alpha": -2.0})
    g.case("addmm.beta0_nan", "addmm", [("bias", torch.full((3, 5), math.nan, dtype=f64)), ("a", r(3, 4)), ("b", r(4, 5))],
           {"beta": 0.0, "alpha": 1.0}, grad=["a", "b"])
    g.case("addmm.f32", "addmm", [("bias", r(6, dtype=f32)), ("a", r(4, 5, dtype=f32)), ("b", r(5, 6, dtype=f32))])
    g.case("linear.2d_bias", "linear", [("x", r(4, 5)), ("w", r(3, 5)), ("bias", r(3))])
    g.case("linear.2d_nobias", "linear", [("x", r(4, 5)), ("w", r(3, 5))])
    g.case("linear.1d", "linear", [("x", r(5)), ("w", r(3, 5)), ("bias", r(3))])
    g.case("linear.3d", "linear", [("x", r(2, 4, 5)), ("w", r(3, 5)), ("bias", r(3))])
    g.case("linear.f32", "linear", [("x", r(8, 16, dtype=f32)), ("w", r(4, 16, dtype=f32)), ("bias", r(4, dtype=f32))])
    g.case("linear.T_input", "linear", [("x", r(5, 4)), ("w", r(3, 5)), ("bias", r(3))], views={"x": "T"})
    g.case("linear.w_T", "linear", [("x", r(4, 5)), ("w", r(5, 3)), ("bias", r(3))], views={"w": "T"})
    g.case("linear.mismatch", "linear", [("x", r(4, 6)), ("w", r(3, 5))], error=True)
    g.case("outer.basic", "outer", [("a", r(3)), ("b", r(4))])
    g.case("dot.basic", "dot", [("a", r(5)), ("b", r(5))])
    g.case("dot.f32", "dot", [("a", r(33, dtype=f32)), ("b", r(33, dtype=f32))])
    g.case("dot.mismatch", "dot", [("a", r(5)), ("b", r(4))], error=True)
    big = lambda seed, shape, dt=f32: gen_spec(list(shape), dt, seed, -1, 1)
    g.case("matmul.large_f32", "matmul", [("a", None), ("b", None)],
           gens={"a": big(50, (256, 512)), "b": big(51, (512, 256))}, sample=True, rtol=1e-4, atol=1e-4)
    g.case("mm.large_T_f64", "mm", [("a", None), ("b", None)],
           gens={"a": big(52, (300, 200), f64), "b": big(53, (300, 400), f64)}, views={"a": "T"}, sample=True)
    g.case("linear.large_f32", "linear", [("x", None), ("w", None), ("bias", r(128, dtype=f32))],
           gens={"x": big(54, (512, 256)), "w": big(55, (128, 256))}, sample=True, rtol=1e-4, atol=1e-4)
    g.write()


# ---- type promotion ---------------------------------------------------------------------------------------
def gen_promotion():
    g = Group("ops_promotion.safetensors")
    table = torch.tensor([[ORDER.index(torch.promote_types(a, b)) for b in ORDER] for a in ORDER], dtype=i64)
    g.tensors["promote_types"] = table

    def t(dt, shape=(3,)):
        if dt == b8:
            return torch.rand(tuple(shape)) < 0.5
        if dt.is_floating_point:
            return r(*shape, dtype=dt)
        return ints(0 if dt == u8 else -5, 6, *shape, dtype=dt)

    # tensor with tensor, over every pair of dtypes, dimensioned and 0-dim, for add, mul and div
    for a in ORDER:
        for b in ORDER:
            na, nb = fmt(a), fmt(b)
            for op in ("add", "mul"):
                g.case(f"{op}.{na}_{nb}", op, [("a", t(a, (2, 3))), ("b", t(b, (2, 3)))], grad=[])
            g.case(f"add.{na}_{nb}0", "add", [("a", t(a, (2, 3))), ("b", t(b, ()))], grad=[])
            g.case(f"div.{na}_{nb}0", "div", [("a", t(a, (2, 3))), ("b", t(b, ()))], grad=[])
            g.case(f"lt.{na}_{nb}0", "lt", [("a", t(a, (2, 3))), ("b", t(b, ()))], grad=[])
    # the classic cases, named
    g.case("int32_plus_f64_0dim", "add", [("a", t(i32)), ("b", r((), dtype=f64))])
    g.case("f64_0dim_plus_int32", "add", [("a", r((), dtype=f64)), ("b", t(i32))])
    g.case("int32_0dim_plus_f64_0dim", "add", [("a", t(i32, ())), ("b", r((), dtype=f64))])
    g.case("uint8_plus_int64_scalar", "add_s", [("x", torch.tensor([250, 3, 7], dtype=u8))], {"s": 10})
    g.case("uint8_plus_int64_0dim", "add", [("a", torch.tensor([250, 3, 7], dtype=u8)), ("b", torch.tensor(10))])
    g.case("uint8_plus_int64_1dim", "add", [("a", torch.tensor([250, 3, 7], dtype=u8)), ("b", torch.tensor([10]))])
    g.case("half_plus_bfloat16", "add", [("a", t(f16)), ("b", t(bf16))], grad=[])
    g.case("half_plus_bfloat16_0dim", "add", [("a", t(f16)), ("b", t(bf16, ()))], grad=[])
    g.case("half_plus_float_scalar", "add_s", [("x", t(f16))], {"s": 1.5}, grad=[])
    g.case("half_times_f32_0dim", "mul", [("a", t(f16)), ("b", r((), dtype=f32))], grad=[])
    g.case("bf16_plus_f32", "add", [("a", t(bf16)), ("b", t(f32))], grad=[])
    g.case("int64_plus_half_0dim", "add", [("a", t(i64)), ("b", r((), dtype=f16))], grad=[])
    g.case("int32_times_float_scalar", "mul_s", [("x", t(i32))], {"s": 0.5})
    g.case("int64_div_int64", "div", [("a", t(i64)), ("b", torch.tensor([2, -3, 4]))])
    g.case("int32_div_int_scalar", "div_s", [("x", t(i32))], {"s": 4})
    g.case("bool_plus_int_scalar", "add_s", [("x", t(b8))], {"s": 2})
    g.case("bool_plus_float_scalar", "add_s", [("x", t(b8))], {"s": 2.5})
    g.case("bool_plus_bool_scalar", "add_s", [("x", t(b8))], {"s": True})
    g.case("int32_plus_bool_scalar", "add_s", [("x", t(i32))], {"s": True})
    g.case("f32_plus_f64_0dim", "add", [("a", t(f32)), ("b", r((), dtype=f64))])
    g.case("f32_plus_f64_1dim", "add", [("a", t(f32)), ("b", r(3, dtype=f64))])
    g.case("f32_plus_f64_bcast", "add", [("a", t(f32, (2, 3))), ("b", r(1, dtype=f64))])
    g.case("int32_plus_int64", "add", [("a", t(i32)), ("b", t(i64))])
    g.case("uint8_plus_int32", "add", [("a", t(u8)), ("b", t(i32))])
    g.case("uint8_0dim_plus_int32", "add", [("a", t(u8, ())), ("b", t(i32))])
    g.case("f64_0dim_plus_f32", "mul", [("a", r((), dtype=f64)), ("b", t(f32))])
    g.case("int_lt_float_scalar", "lt_s", [("x", t(i32))], {"s": 0.5})
    g.case("uint8_eq_negative_scalar", "eq_s", [("x", torch.tensor([255, 0], dtype=u8))], {"s": -1})
    g.case("int32_sub_f64_0dim_grad", "sub", [("a", t(i32)), ("b", r((), dtype=f64))])
    g.case("f32_times_f64_0dim_grad", "mul", [("a", t(f32)), ("b", r((), dtype=f64))])
    g.case("pow_int_float_scalar", "pow_s", [("x", t(i32))], {"s": 2.5})
    g.case("pow_float_scalar_int_tensor", "rpow_s", [("x", t(i64))], {"s": 1.5})
    g.case("pow_int_tensor_float_tensor", "pow", [("a", ints(1, 4, 3)), ("b", r(3, dtype=f32))])
    g.case("maximum_int_float", "maximum", [("a", t(i32)), ("b", t(f32))])
    g.case("where_int_f64_0dim", "where", [("c", t(b8)), ("a", t(i32)), ("b", r((), dtype=f64))])
    g.case("where_u8_int_scalar", "where_s", [("c", t(b8)), ("a", t(u8))], {"s": 200})
    g.case("clamp_int_float_bound", "clamp", [("x", t(i64))], {"min": 0.5, "max": None})
    g.case("clamp_int_int_bound", "clamp", [("x", t(i64))], {"min": -1, "max": 2})
    g.case("remainder_int_float_scalar", "remainder_s", [("x", t(i32))], {"s": 1.5})
    g.case("atan2_int_int", "atan2", [("a", t(i32)), ("b", torch.tensor([1, -2, 3], dtype=i32))])
    g.case("logical_and_int_float", "logical_and", [("a", t(i32)), ("b", t(f64))])
    g.case("lerp_f32_f64_0dim", "lerp", [("a", t(f32)), ("b", r((), dtype=f32))], {"weight": 0.5})
    # a float16/bfloat16 result type: the wider operand is rounded to it before the op, as PyTorch does
    g.case("bf16_lt_float_scalar", "lt_s", [("x", torch.ones(3, dtype=bf16))], {"s": 1.001})
    g.case("bf16_eq_float_scalar", "eq_s", [("x", torch.ones(3, dtype=bf16))], {"s": 1.001})
    g.case("f16_lt_float_scalar", "lt_s", [("x", torch.ones(3, dtype=f16))], {"s": 1.0001})
    g.case("f16_plus_f64_0dim_rounding", "add", [("a", torch.ones(3, dtype=f16)),
                                                 ("b", torch.tensor(2.0 ** -11 + 2.0 ** -22, dtype=f64))], grad=[],
           rtol=0, atol=0)
    g.case("sum_int32", "sum", [("x", t(i32, (2, 3)))], {"dims": [1]})
    g.case("sum_bool", "sum", [("x", t(b8, (2, 3)))])
    g.case("sum_uint8", "sum", [("x", t(u8, (2, 3)))])
    g.case("sum_f16", "sum", [("x", t(f16, (2, 3)))], grad=[])
    g.case("prod_int32", "prod", [("x", t(i32, (2, 3)))], {"dim": 0})
    g.case("mean_int_dtype_f64", "mean", [("x", t(i32, (2, 3)))], {"dtype": f64})
    g.case("exp_int32", "exp", [("x", t(i32))])
    g.case("sqrt_bool", "sqrt", [("x", t(b8))])
    g.case("softmax_int64_dtype_f32", "softmax", [("x", t(i64, (2, 3)))], {"dim": 1, "dtype": f32})
    g.case("abs_uint8", "abs", [("x", t(u8))])
    g.case("neg_int32", "neg", [("x", t(i32))])
    g.case("amax_int32", "amax", [("x", t(i32, (2, 3)))], {"dims": [1]})
    g.case("max_dim_uint8", "max_dim", [("x", t(u8, (2, 3)))], {"dim": 1})
    g.case("argmax_bool", "argmax", [("x", torch.tensor([False, True, True]))], error=True)
    g.write()


# ---- composites -------------------------------------------------------------------------------------------
def gen_composite():
    g = Group("ops_composite.safetensors")

    def mlp_ce(x, w1, b1, w2, b2, onehot):
        h = torch.tanh(F.linear(x, w1, b1))
        logits = F.linear(h, w2, b2)
        return -(torch.log_softmax(logits, 1) * onehot).sum(1).mean()

    onehot = F.one_hot(torch.tensor([0, 2, 1, 1, 0, 2, 2, 1]), 3).to(f64)
    g.composite("mlp_ce", mlp_ce, [("x", r(8, 5)), ("w1", r(6, 5)), ("b1", r(6)), ("w2", r(3, 6)), ("b2", r(3)),
                                   ("onehot", onehot)], const=("onehot",), hvp=True)
    g.composite("mlp_ce_f32", mlp_ce, [("x", r(8, 5, dtype=f32)), ("w1", r(6, 5, dtype=f32)), ("b1", r(6, dtype=f32)),
                                       ("w2", r(3, 6, dtype=f32)), ("b2", r(3, dtype=f32)), ("onehot", onehot.float())],
                const=("onehot",))

    def attention(q, k, v):
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
        return torch.matmul(torch.softmax(s, -1), v)

    g.composite("attention", attention, [("q", r(2, 4, 3)), ("k", r(2, 5, 3)), ("v", r(2, 5, 6))], hvp=True)

    def layernorm(x, w):
        mu = x.mean(1, keepdim=True)
        var = x.var(1, unbiased=False, keepdim=True)
        y = (x - mu) / torch.sqrt(var + 1e-5)
        return (y * y * w).sum()

    g.composite("layernorm", layernorm, [("x", r(4, 6)), ("w", r(6))], hvp=True)

    def bcast_lse(a, b, c):
        return (a * b + c).logsumexp(-1)

    g.composite("bcast_logsumexp", bcast_lse, [("a", r(3, 1, 4)), ("b", r(5, 4)), ("c", r(4))])

    def reuse(x):
        return x * x + torch.sin(x) * x - torch.exp(x / 3)

    g.composite("reuse", reuse, [("x", r(7))], hvp=True)

    def norms(x):
        return torch.norm(x, 2, [2]) + x.amax(1).sum(-1, keepdim=True)

    g.composite("norm_amax", norms, [("x", r(3, 4, 5))])

    def batched_prod(a, b):
        return torch.matmul(a, b).prod(-1).mean()

    g.composite("matmul_bcast_prod", batched_prod, [("a", r(2, 1, 3, 4)), ("b", r(3, 4, 2))])

    def softmax_mix(x):
        return (torch.softmax(x, 1, dtype=f64) * torch.log_softmax(x, 0, dtype=f64)).sum()

    g.composite("softmax_dtype_mix", softmax_mix, [("x", r(5, 4, dtype=f32))])

    def noncontig(x, w):
        return torch.relu(x.t() @ w).std(0)

    g.composite("noncontig_relu_std", noncontig, [("x", r(4, 6)), ("w", r(4, 3))])

    def var_div(x):
        return x.var(0) / (x.std(1).sum() + 1)

    g.composite("var_div_std", var_div, [("x", r(5, 3))], hvp=True)

    def pow_where(x):
        return torch.where(x > 1, x.pow(2.5), x.sqrt()) * torch.clamp(x, 0.5, 2)

    g.composite("pow_where_clamp", pow_where, [("x", torch.tensor([0.3, 0.7, 1.2, 1.9, 2.5, 0.9], dtype=f64))],
                hvp=True)

    def bce(bias, a, b, t):
        p = torch.sigmoid(torch.addmm(bias, a, b, beta=0.5, alpha=2.0))
        return -(t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()

    g.composite("addmm_bce", bce, [("bias", r(3)), ("a", r(4, 5) / 3), ("b", r(5, 3) / 3), ("t", u(0.05, 0.95, 4, 3))],
                const=("t",))

    def max_min(x):
        return torch.max(x, 1)[0].sum() * torch.min(x, 0)[0]

    g.composite("max_min_dims", max_min, [("x", r(4, 5))])

    def mse_chain(x, w, y):
        pred = torch.matmul(x, w).squeeze(-1)
        return ((pred - y) ** 2).mean() + 0.1 * (w * w).sum()

    g.composite("mse_l2", mse_chain, [("x", r(6, 3)), ("w", r(3, 1)), ("y", r(6))], const=("y",), hvp=True)

    def gelu_silu(x):
        return (F.gelu(x) * F.silu(x.flip(0)) + F.softplus(x) - F.elu(x)).sum(0)

    g.composite("activations_mix", lambda x: gelu_silu(x), [("x", r(5, 3))])

    def div_chain(a, b):
        return (a / (b * b + 1) - torch.rsqrt(b * b + 0.5) + torch.atan2(a, b + 3)).sum(1)

    g.composite("div_rsqrt_atan2", div_chain, [("a", r(3, 4)), ("b", r(1, 4))])
    g.write()


# ---- safetensors interop: every dtype, with edge values (checked value by value in serialize_test.cpp) ------
def gen_serialize():
    tensors = {
        "bool": torch.tensor([[True, False], [False, True]]),
        "uint8": torch.tensor([0, 1, 127, 128, 255], dtype=u8),
        "int32": torch.tensor([-2 ** 31, -1, 0, 1, 2 ** 31 - 1], dtype=i32),
        "int64": torch.tensor([-2 ** 63, -1, 0, 1, 2 ** 63 - 1], dtype=i64),
        "float16": torch.tensor([0.5, -2.0, 65504.0, 2.0 ** -24, math.inf, -0.0], dtype=f16),
        "bfloat16": torch.tensor([1.0, -0.0078125, 3.3895313892515355e38, 2.0 ** -133, -math.inf], dtype=bf16),
        "float32": torch.arange(24, dtype=f32).reshape(2, 3, 4) / 8 - 1,
        "float64": torch.tensor([math.pi, -0.0, math.nan, -math.inf, 1e-310, 1.7976931348623157e308], dtype=f64),
        "scalar": torch.tensor(2.5, dtype=f64),
        "empty": torch.zeros(0, 3, dtype=f32),
    }
    meta = {"format": "pt", "producer": "tools/gen_fixtures.py",
            "text": 'quote " backslash \\ newline \n tab \t unicode \u00e9\u2713 emoji \U0001F600'}
    save("serialize_interop.safetensors", tensors, meta)
    # The same without header padding: the data section starts at an odd offset, so nothing is aligned.
    meta["pad"] = ""
    while True:
        n = save("serialize_unaligned.safetensors", tensors, meta, align=False)
        if n % 2 == 1:
            break
        meta["pad"] += "x"


# ---- shape, indexing, creation, conversion and random ops (ops_shape.safetensors) ---------------------------
def _index_items(xs, a):
    """An index expression ("idx" arg) as Python indexes: "|"-separated items "i:<int>", "s:<start>:<stop>:<step>"
    ("n": open bound), "none", "ell" (Ellipsis), "b:0"/"b:1" (a bool), "t:<k>" (index tensor = input 1 + k)."""
    items = []
    for it in a["idx"].split("|"):
        kind, _, rest = it.partition(":")
        if kind == "i":
            items.append(int(rest))
        elif kind == "s":
            items.append(slice(*[None if v == "n" else int(v) for v in rest.split(":")]))
        elif kind == "none":
            items.append(None)
        elif kind == "ell":
            items.append(Ellipsis)
        elif kind == "b":
            items.append(rest == "1")
        elif kind == "t":
            items.append(xs[1 + int(rest)])
        else:
            raise ValueError(it)
    return tuple(items)


def _index_put(xs, a):
    y = xs[0].clone()  # a clone: the leaf itself cannot be written in place while it requires grad
    y[_index_items(xs, a)] = a["s"] if "s" in a else xs[-1]
    return y


def _copy_into(xs, a):
    y = xs[0].clone()
    (y.transpose(-1, -2) if a.get("into_T") else y).copy_(xs[1])
    return y


def _split(xs, a):
    return torch.split(xs[0], a["sizes"] if "sizes" in a else a["size"], a.get("dim", 0))


def _pad(xs, a):
    x, mode = xs[0], a["mode"]
    if mode != "constant" and not x.is_floating_point():
        # PyTorch 1.13 has no integer reflect/replicate kernels; padding only moves values, so pad as float64
        return F.pad(x.double(), a["pad"], mode=mode).to(x.dtype)
    return F.pad(x, a["pad"], mode=mode, value=a["value"]) if mode == "constant" else F.pad(x, a["pad"], mode=mode)


def _eye(xs, a):
    n, m = a["n"], a.get("m", a["n"])
    if a.get("dtype") == bf16:  # PyTorch 1.13 has no bfloat16 eye on the CPU; 0 and 1 are exact in any dtype
        return torch.eye(n, m).to(bf16)
    return torch.eye(n, m, **_kw_dtype(a))


# Random ops: values depend on the generator, so each case stores deterministic properties computed from the
# draw, identically on both sides: out-of-range draws survive into the output, in-range ones become a constant.
def _rand(xs, a):
    t = torch.rand(a["size"], **_kw_dtype(a))
    return torch.where((t >= 0) & (t < 1), torch.zeros_like(t), t)


def _randn(xs, a):
    t = torch.randn(a["size"], **_kw_dtype(a))
    return torch.where(torch.isfinite(t), torch.zeros_like(t), t)


def _randint(xs, a):
    t = torch.randint(a["low"], a["high"], a["size"], **_kw_dtype(a))
    return torch.where((t >= a["low"]) & (t < a["high"]), torch.full_like(t, a["low"]), t)


def _randperm(xs, a):
    p = torch.randperm(a["n"], **_kw_dtype(a))
    hits = torch.zeros(a["n"], dtype=i64).scatter_add(0, p.to(i64), torch.ones(a["n"], dtype=i64))
    return hits, torch.zeros_like(p)  # every position exactly once; and the dtype/shape


def _bernoulli(xs, a):
    p = xs[0]
    y = torch.bernoulli(p)
    return torch.where((p == 0) | (p == 1), y, torch.zeros_like(y)), (y == 0) | (y == 1)


OPS.update({
    # views and shape
    "view": lambda x, a: x[0].view(a["shape"]),
    "reshape": lambda x, a: x[0].reshape(a["shape"]),
    "flatten": lambda x, a: torch.flatten(x[0], a["start"], a["end"]),
    "unflatten": lambda x, a: x[0].unflatten(a["dim"], a["sizes"]),
    "squeeze": lambda x, a: x[0].squeeze(a["dim"]) if "dim" in a else x[0].squeeze(),
    "unsqueeze": lambda x, a: x[0].unsqueeze(a["dim"]),
    "permute": lambda x, a: x[0].permute(a["dims"]),
    "transpose": lambda x, a: x[0].transpose(a["dim0"], a["dim1"]),
    "t": lambda x, a: x[0].t(),
    "expand": lambda x, a: x[0].expand(a["sizes"]),
    "narrow": lambda x, a: x[0].narrow(a["dim"], a["start"], a["length"]),
    "select": lambda x, a: x[0].select(a["dim"], a["index"]),
    "slice": lambda x, a: x[0][(slice(None),) * (a["dim"] % x[0].dim()) + (slice(a["start"], a["end"], a["step"]),)],
    "repeat": lambda x, a: x[0].repeat(a["repeats"]),
    "cat": lambda x, a: torch.cat(x, a["dim"]),
    "stack": lambda x, a: torch.stack(x, a["dim"]),
    "split": _split,
    "chunk": lambda x, a: torch.chunk(x[0], a["chunks"], a["dim"]),
    "unbind": lambda x, a: torch.unbind(x[0], a["dim"]),
    "flip": lambda x, a: torch.flip(x[0], a["dims"]),
    "tril": lambda x, a: torch.tril(x[0], a["diagonal"]),
    "triu": lambda x, a: torch.triu(x[0], a["diagonal"]),
    "pad": _pad,
    # indexing
    "index": lambda x, a: x[0][_index_items(x, a)],
    "index_put_": _index_put,
    "index_select": lambda x, a: torch.index_select(x[0], a["dim"], x[1]),
    "index_add": lambda x, a: torch.index_add(x[0], a["dim"], x[1], x[2]),
    "gather": lambda x, a: torch.gather(x[0], a["dim"], x[1]),
    "scatter": lambda x, a: torch.scatter(x[0], a["dim"], x[1], a["s"] if "s" in a else x[2]),
    "scatter_add": lambda x, a: torch.scatter_add(x[0], a["dim"], x[1], x[2]),
    "masked_select": lambda x, a: torch.masked_select(x[0], x[1]),
    "nonzero": lambda x, a: torch.nonzero(x[0]),
    # creation ("empty": its values are unspecified, so both sides zero them and shape and dtype are checked)
    "empty": lambda x, a: torch.empty(a["size"], **_kw_dtype(a)).zero_(),
    "zeros": lambda x, a: torch.zeros(a["size"], **_kw_dtype(a)),
    "ones": lambda x, a: torch.ones(a["size"], **_kw_dtype(a)),
    "full": lambda x, a: torch.full(a["size"], a["value"], **_kw_dtype(a)),
    "arange": lambda x, a: (torch.arange(a["start"], a["end"], a["step"], **_kw_dtype(a)) if "start" in a
                            else torch.arange(a["end"], **_kw_dtype(a))),
    "linspace": lambda x, a: torch.linspace(a["start"], a["end"], a["steps"], **_kw_dtype(a)),
    "eye": _eye,
    "tensor": lambda x, a: torch.tensor(x[0].tolist(), **_kw_dtype(a)),
    "from_blob": lambda x, a: torch.as_strided(x[0], a["sizes"], a["strides"], a["offset"]),
    # random: deterministic properties only
    "rand": _rand,
    "randn": _randn,
    "randint": _randint,
    "randperm": _randperm,
    "bernoulli": _bernoulli,
    # conversion
    "contiguous": lambda x, a: x[0].contiguous(),
    "clone": lambda x, a: x[0].clone(),
    "to": lambda x, a: x[0].to(a["dtype"]),
    "copy_": _copy_into,
})


def gen_shape():
    g = Group("ops_shape.safetensors")
    torch.manual_seed(20250301)  # its own seed: the other files do not change when cases are added here

    def variants(x):
        """The same values as float64 (gradients), int64, int32 and bool."""
        return [("f64", x), ("i64", (x * 4).round().to(i64)), ("i32", (x * 4).round().to(i32)), ("bool", x > 0)]

    def each(name, op, x, args=None, views=None, **kw):
        for tag, xv in variants(x):
            g.case(f"{name}.{tag}", op, [("x", xv)], args, views, **kw)

    # ---- views and reshapes
    x = r(2, 3, 4)
    each("view.2d", "view", x, {"shape": [6, 4]})
    g.case("view.infer", "view", [("x", x)], {"shape": [-1, 3]})
    g.case("view.to_0dim", "view", [("x", r(1))], {"shape": []})
    g.case("view.empty", "view", [("x", r(0, 3))], {"shape": [3, -1]})
    g.case("view.T_split", "view", [("x", r(4, 3))], {"shape": [3, 2, 2]}, views={"x": "T"})
    g.case("view.not_viewable", "view", [("x", r(4, 3))], {"shape": [12]}, views={"x": "T"}, error=True)
    each("reshape.T", "reshape", r(4, 3), {"shape": [2, 6]}, views={"x": "T"})
    g.case("reshape.step2", "reshape", [("x", r(2, 3, 8))], {"shape": [-1]}, views={"x": "step2"})
    g.case("reshape.bad", "reshape", [("x", x)], {"shape": [5, -1]}, error=True)
    each("flatten.all", "flatten", x, {"start": 0, "end": -1})
    g.case("flatten.mid", "flatten", [("x", r(2, 3, 4, 2))], {"start": 1, "end": 2})
    g.case("flatten.neg", "flatten", [("x", r(4, 3, 2))], {"start": -2, "end": -1}, views={"x": "perm:2,0,1"})
    g.case("flatten.0dim", "flatten", [("x", r(()))], {"start": 0, "end": -1})
    each("unflatten.infer", "unflatten", r(3, 8), {"dim": 1, "sizes": [2, -1]})
    g.case("unflatten.neg", "unflatten", [("x", r(6, 4))], {"dim": -2, "sizes": [2, 2]}, views={"x": "T"})
    each("squeeze.all", "squeeze", r(1, 3, 1, 2))
    g.case("squeeze.dim", "squeeze", [("x", r(3, 1, 2))], {"dim": 1})
    g.case("squeeze.dim_not_1", "squeeze", [("x", r(3, 1, 2))], {"dim": 0})
    g.case("squeeze.neg", "squeeze", [("x", r(3, 2, 1))], {"dim": -1})
    g.case("squeeze.0dim", "squeeze", [("x", r(()))])
    g.case("squeeze.T", "squeeze", [("x", r(1, 3, 1))], views={"x": "T"})
    each("unsqueeze.0", "unsqueeze", r(3, 2), {"dim": 0})
    g.case("unsqueeze.end", "unsqueeze", [("x", r(3, 2))], {"dim": 2})
    g.case("unsqueeze.neg", "unsqueeze", [("x", r(3, 2))], {"dim": -2}, views={"x": "T"})
    g.case("unsqueeze.0dim", "unsqueeze", [("x", r(()))], {"dim": -1})
    each("permute.201", "permute", x, {"dims": [2, 0, 1]})
    g.case("permute.neg_T", "permute", [("x", r(2, 4, 3))], {"dims": [-1, 0, 1]}, views={"x": "T"})
    g.case("permute.dup", "permute", [("x", x)], {"dims": [0, 0, 1]}, error=True)
    each("transpose.02", "transpose", x, {"dim0": 0, "dim1": 2})
    g.case("transpose.neg", "transpose", [("x", x)], {"dim0": -1, "dim1": -2})
    g.case("transpose.T", "transpose", [("x", r(2, 4, 3))], {"dim0": 0, "dim1": 1}, views={"x": "T"})
    g.case("transpose.same", "transpose", [("x", x)], {"dim0": 1, "dim1": 1})
    each("t.2d", "t", r(2, 3))
    g.case("t.1d", "t", [("x", r(4))])
    g.case("t.0dim", "t", [("x", r(()))])
    g.case("t.T", "t", [("x", r(3, 2))], views={"x": "T"})
    g.case("t.3d", "t", [("x", x)], error=True)
    each("expand.col", "expand", r(3, 1), {"sizes": [3, 4]})
    g.case("expand.keep", "expand", [("x", r(3, 1))], {"sizes": [-1, 4]})
    g.case("expand.lead", "expand", [("x", r(3, 1))], {"sizes": [2, 3, 5]})
    g.case("expand.0dim", "expand", [("x", r(()))], {"sizes": [2, 2]})
    g.case("expand.to_empty", "expand", [("x", r(1, 3))], {"sizes": [0, 3]})
    g.case("expand.T", "expand", [("x", r(1, 3))], {"sizes": [2, 3, 1]}, views={"x": "T"})
    g.case("expand.bad", "expand", [("x", r(3, 2))], {"sizes": [3, 4]}, error=True)
    each("narrow.d0", "narrow", r(4, 3), {"dim": 0, "start": 1, "length": 2})
    g.case("narrow.neg", "narrow", [("x", x)], {"dim": -1, "start": -3, "length": 2})
    g.case("narrow.len0", "narrow", [("x", x)], {"dim": 1, "start": 3, "length": 0})
    g.case("narrow.T", "narrow", [("x", r(5, 3))], {"dim": 0, "start": 1, "length": 2}, views={"x": "T"})
    g.case("narrow.past_end", "narrow", [("x", x)], {"dim": 1, "start": 2, "length": 2}, error=True)
    each("select.d0", "select", x, {"dim": 0, "index": 1})
    g.case("select.neg", "select", [("x", x)], {"dim": -1, "index": -1})
    g.case("select.T", "select", [("x", r(5, 3))], {"dim": 1, "index": 4}, views={"x": "T"})
    g.case("select.out_of_range", "select", [("x", x)], {"dim": 1, "index": 3}, error=True)
    each("slice.step2", "slice", r(3, 7), {"dim": 1, "start": 1, "end": None, "step": 2})
    g.case("slice.neg", "slice", [("x", x)], {"dim": -1, "start": -3, "end": -1, "step": 1})
    g.case("slice.past_end", "slice", [("x", x)], {"dim": 1, "start": 1, "end": 100, "step": 1})
    g.case("slice.empty", "slice", [("x", x)], {"dim": 2, "start": 3, "end": 1, "step": 1})
    g.case("slice.open", "slice", [("x", x)], {"dim": 0, "start": None, "end": None, "step": 3})
    g.case("slice.T", "slice", [("x", r(6, 3))], {"dim": -1, "start": 1, "end": 5, "step": 3}, views={"x": "T"})

    # ---- joining, splitting, rearranging
    each("repeat.2d", "repeat", r(2, 3), {"repeats": [2, 3]})
    g.case("repeat.lead", "repeat", [("x", r(2, 3))], {"repeats": [2, 1, 2]})
    g.case("repeat.zero", "repeat", [("x", r(2, 3))], {"repeats": [0, 2]})
    g.case("repeat.0dim", "repeat", [("x", r(()))], {"repeats": [3]})
    g.case("repeat.T", "repeat", [("x", r(3, 2))], {"repeats": [1, 2]}, views={"x": "T"})
    g.case("repeat.too_few", "repeat", [("x", x)], {"repeats": [2, 2]}, error=True)
    a, b, c = r(2, 3), r(1, 3), r(4, 3)
    g.case("cat.d0", "cat", [("a", a), ("b", b), ("c", c)], {"dim": 0})
    g.case("cat.d1", "cat", [("a", r(2, 1)), ("b", r(2, 4))], {"dim": 1})
    g.case("cat.neg", "cat", [("a", r(2, 3, 1)), ("b", r(2, 3, 2))], {"dim": -1})
    g.case("cat.one", "cat", [("a", a)], {"dim": 0})
    g.case("cat.T", "cat", [("a", r(3, 2)), ("b", r(2, 5))], {"dim": 1}, views={"a": "T"})
    g.case("cat.promote", "cat", [("a", ints(-3, 3, 2, 3, dtype=i32)), ("b", r(1, 3))], {"dim": 0})
    g.case("cat.f32_f64", "cat", [("a", r(2, dtype=f32)), ("b", r(3))], {"dim": 0})
    g.case("cat.legacy_empty", "cat", [("a", r(0)), ("b", a)], {"dim": 1})
    g.case("cat.empty_part", "cat", [("a", r(0, 3)), ("b", a)], {"dim": 0})
    g.case("cat.i64", "cat", [("a", ints(-9, 9, 2, 2)), ("b", ints(-9, 9, 2, 1))], {"dim": -1})
    g.case("cat.bool", "cat", [("a", torch.tensor([[True, False]])), ("b", torch.tensor([[False, False]]))], {"dim": 0})
    g.case("cat.0dim", "cat", [("a", r(()))], {"dim": 0}, error=True)
    g.case("cat.mismatch", "cat", [("a", r(2, 3)), ("b", r(2, 4))], {"dim": 0}, error=True)
    g.case("stack.d0", "stack", [("a", a), ("b", r(2, 3)), ("c", r(2, 3))], {"dim": 0})
    g.case("stack.mid", "stack", [("a", a), ("b", r(2, 3))], {"dim": 1})
    g.case("stack.neg", "stack", [("a", a), ("b", r(3, 2))], {"dim": -1}, views={"b": "T"})
    g.case("stack.0dim", "stack", [("a", r(())), ("b", r(()))], {"dim": 0})
    g.case("stack.i64", "stack", [("a", ints(-9, 9, 3)), ("b", ints(-9, 9, 3))], {"dim": 1})
    g.case("stack.bool", "stack", [("a", torch.tensor([True, False])), ("b", torch.tensor([False, True]))], {"dim": 0})
    g.case("stack.mismatch", "stack", [("a", r(2, 3)), ("b", r(3, 2))], {"dim": 0}, error=True)
    each("split.uneven", "split", r(5, 2), {"size": 2, "dim": 0})
    g.case("split.big", "split", [("x", r(3, 2))], {"size": 4, "dim": 0})
    g.case("split.sizes", "split", [("x", r(2, 5))], {"sizes": [1, 3, 1], "dim": -1})
    g.case("split.sizes_zero", "split", [("x", r(4, 2))], {"sizes": [0, 4, 0], "dim": 0})
    g.case("split.empty_dim", "split", [("x", r(0, 2))], {"size": 2, "dim": 0})
    g.case("split.T", "split", [("x", r(5, 3))], {"size": 2, "dim": 1}, views={"x": "T"})
    g.case("split.sizes_bad", "split", [("x", r(4))], {"sizes": [1, 2], "dim": 0}, error=True)
    each("chunk.uneven", "chunk", r(5, 2), {"chunks": 3, "dim": 0})
    g.case("chunk.fewer", "chunk", [("x", r(6))], {"chunks": 4, "dim": 0})  # 3 chunks of 2
    g.case("chunk.more_than_size", "chunk", [("x", r(2, 3))], {"chunks": 5, "dim": 0})
    g.case("chunk.neg", "chunk", [("x", r(2, 7))], {"chunks": 2, "dim": -1})
    g.case("chunk.empty_dim", "chunk", [("x", r(2, 0))], {"chunks": 3, "dim": 1})
    g.case("chunk.T", "chunk", [("x", r(4, 3))], {"chunks": 2, "dim": 1}, views={"x": "T"})
    g.case("chunk.zero", "chunk", [("x", r(4))], {"chunks": 0, "dim": 0}, error=True)
    each("unbind.d0", "unbind", r(3, 2), {"dim": 0})
    g.case("unbind.neg", "unbind", [("x", x)], {"dim": -1})
    g.case("unbind.T", "unbind", [("x", r(2, 3))], {"dim": 0}, views={"x": "T"})
    each("flip.d0", "flip", x, {"dims": [0]})
    g.case("flip.two", "flip", [("x", x)], {"dims": [0, 2]})
    g.case("flip.neg", "flip", [("x", x)], {"dims": [-1]})
    g.case("flip.none", "flip", [("x", x)], {"dims": []})
    g.case("flip.T", "flip", [("x", r(4, 3))], {"dims": [0, 1]}, views={"x": "T"})
    g.case("flip.empty", "flip", [("x", r(0, 3))], {"dims": [1]})
    g.case("flip.dup", "flip", [("x", x)], {"dims": [0, -3]}, error=True)
    for op in ("tril", "triu"):
        sq = r(4, 4)
        for d in (0, 1, -1, 4, -4, 9):
            g.case(f"{op}.diag{fmt(d).replace('-', 'm')}", op, [("x", sq)], {"diagonal": d})
        g.case(f"{op}.wide", op, [("x", r(3, 5))], {"diagonal": 1})
        g.case(f"{op}.tall", op, [("x", r(5, 3))], {"diagonal": -2})
        g.case(f"{op}.batch", op, [("x", r(2, 3, 4))], {"diagonal": 0})
        g.case(f"{op}.T", op, [("x", r(5, 3))], {"diagonal": 1}, views={"x": "T"})
        g.case(f"{op}.empty", op, [("x", r(0, 3))], {"diagonal": 0})
        g.case(f"{op}.special", op, [("x", torch.tensor([[math.inf, math.nan], [-math.inf, 1.0]]))], {"diagonal": 0},
               grad=[])
        for tag, xv in variants(r(3, 4))[1:]:
            g.case(f"{op}.{tag}", op, [("x", xv)], {"diagonal": -1})
        g.case(f"{op}.1d", op, [("x", r(3))], {"diagonal": 0}, error=True)
    # pad: (left, right) pairs from the last dim backwards; negative constant padding crops
    const = lambda p, v=0.0: {"pad": p, "mode": "constant", "value": v}
    g.case("pad.const_1d", "pad", [("x", r(4))], const([2, 3], 1.5))
    g.case("pad.const_2d", "pad", [("x", r(3, 4))], const([1, 1, 2, 0]))
    g.case("pad.const_4d", "pad", [("x", r(1, 2, 3, 2))], const([1, 0, 0, 2, 1, 1], -2.0))
    g.case("pad.const_crop", "pad", [("x", r(3, 5))], const([-1, 2, 1, -1], 0.5))
    g.case("pad.const_T", "pad", [("x", r(4, 3))], const([1, 2]), views={"x": "T"})
    g.case("pad.const_empty", "pad", [("x", r(0, 2))], const([1, 1]))
    g.case("pad.const_i64", "pad", [("x", ints(-9, 9, 2, 3))], const([1, 2, 1, 0], 7))
    g.case("pad.const_bool", "pad", [("x", torch.rand(2, 3) < 0.5)], const([1, 1], 1))
    g.case("pad.const_odd", "pad", [("x", r(3, 4))], const([1, 2, 3]), error=True)
    for mode in ("reflect", "replicate"):
        m = lambda p: {"pad": p, "mode": mode}
        g.case(f"pad.{mode}_2d", "pad", [("x", r(3, 5))], m([2, 1]))
        g.case(f"pad.{mode}_3d", "pad", [("x", r(2, 3, 5))], m([3, 4] if mode == "reflect" else [3, 6]))
        g.case(f"pad.{mode}_3d_hw", "pad", [("x", r(2, 3, 5))], m([2, 1, 1, 2]))
        g.case(f"pad.{mode}_4d", "pad", [("x", r(2, 2, 4, 5))], m([1, 2, 3, 0]))
        g.case(f"pad.{mode}_4d_T", "pad", [("x", r(1, 2, 5, 4))], m([1, 1, 2, 2]), views={"x": "T"})
        g.case(f"pad.{mode}_5d", "pad", [("x", r(1, 2, 3, 4, 3))], m([1, 1, 0, 2, 2, 1]))
        g.case(f"pad.{mode}_neg", "pad", [("x", r(1, 2, 5))], m([-1, 4]))
        g.case(f"pad.{mode}_neg_2d", "pad", [("x", r(1, 4, 5))], m([1, -1, -1, 2]))
        g.case(f"pad.{mode}_i64", "pad", [("x", ints(-9, 9, 2, 2, 5))], m([2, 1, 1, 1]))
        g.case(f"pad.{mode}_empty_batch", "pad", [("x", r(0, 2, 4))], m([1, 1]))
    g.case("pad.reflect_too_big", "pad", [("x", r(1, 2, 5))], {"pad": [5, 0], "mode": "reflect"}, error=True)

    # ---- indexing
    xi = r(4, 5)
    idx = lambda *v: torch.tensor(v, dtype=i64)
    g.case("index.int", "index", [("x", x)], {"idx": "i:1"})
    g.case("index.int_slice", "index", [("x", x)], {"idx": "i:-1|s:1:3:1"})
    g.case("index.none_step", "index", [("x", x)], {"idx": "s:n:n:n|none|s:n:n:2"})
    g.case("index.ellipsis", "index", [("x", x)], {"idx": "ell|i:0"})
    g.case("index.true", "index", [("x", xi)], {"idx": "b:1"})
    g.case("index.false", "index", [("x", xi)], {"idx": "b:0"})
    g.case("index.tensor", "index", [("x", xi), ("i", idx(3, 0, -1, 3))], {"idx": "t:0"})
    g.case("index.tensor_2d", "index", [("x", xi), ("i", idx(0, 2, 1, 1).reshape(2, 2))], {"idx": "t:0"})
    g.case("index.tensor_dim1", "index", [("x", x), ("i", idx(2, 0))], {"idx": "s:n:n:n|t:0"})
    g.case("index.two_adjacent", "index", [("x", x), ("i", idx(1, 0, 1)), ("j", idx(2))], {"idx": "s:n:n:n|t:0|t:1"})
    g.case("index.two_apart", "index", [("x", x), ("i", idx(1, 0)), ("j", idx(3, -1))], {"idx": "t:0|s:n:n:n|t:1"})
    g.case("index.mask", "index", [("x", xi), ("m", xi > 0)], {"idx": "t:0"})
    g.case("index.mask_rows", "index", [("x", x), ("m", torch.tensor([True, False]))], {"idx": "t:0"})
    g.case("index.mask_cols", "index", [("x", x), ("m", torch.tensor([False, True, True]))], {"idx": "s:n:n:n|t:0"})
    g.case("index.mask_T", "index", [("x", r(5, 4)), ("m", xi > 0)], {"idx": "t:0"}, views={"x": "T"})
    g.case("index.mask_none", "index", [("x", xi), ("m", torch.zeros(4, 5, dtype=b8))], {"idx": "t:0"})
    g.case("index.empty_tensor", "index", [("x", xi), ("i", idx())], {"idx": "t:0"})
    g.case("index.T", "index", [("x", r(5, 4)), ("i", idx(2, 0))], {"idx": "t:0|i:1"}, views={"x": "T"})
    g.case("index.i64", "index", [("x", ints(-9, 9, 4, 5)), ("i", idx(1, 3))], {"idx": "s:1:n:n|t:0"})
    g.case("index.bool", "index", [("x", xi > 0), ("i", idx(0, 0))], {"idx": "t:0"})
    g.case("index.out_of_range", "index", [("x", xi), ("i", idx(4))], {"idx": "t:0"}, error=True)
    g.case("index.too_many", "index", [("x", xi)], {"idx": "i:0|i:0|i:0"}, error=True)
    # No accumulate=True cases: wick's index_put_ has no accumulate flag yet. Duplicate indices without it
    # are unspecified in PyTorch, so none appear here either.
    g.case("index_put_.slice", "index_put_", [("x", r(4, 5)), ("v", r(2, 5))], {"idx": "s:1:3:n"})
    g.case("index_put_.int_bcast", "index_put_", [("x", x), ("v", r(4))], {"idx": "i:1|ell"})
    g.case("index_put_.scalar", "index_put_", [("x", x)], {"idx": "ell|i:-1", "s": 2.5})
    g.case("index_put_.T", "index_put_", [("x", r(5, 4)), ("v", r(5))], {"idx": "s:n:n:2"}, views={"x": "T"})
    g.case("index_put_.tensor", "index_put_", [("x", r(4, 5)), ("i", idx(3, 0)), ("v", r(2, 5))], {"idx": "t:0"},
           grad=[])
    g.case("index_put_.tensor_neg", "index_put_", [("x", r(4, 5)), ("i", idx(-1, 1)), ("v", r(5))],
           {"idx": "t:0"}, grad=[])
    g.case("index_put_.two", "index_put_", [("x", x), ("i", idx(0, 1)), ("j", idx(2, 0)), ("v", r(2, 4))],
           {"idx": "t:0|t:1"}, grad=[])
    g.case("index_put_.mask_scalar", "index_put_", [("x", xi), ("m", xi > 0.5)], {"idx": "t:0", "s": -7.0}, grad=[])
    g.case("index_put_.mask_rows", "index_put_", [("x", xi), ("m", torch.tensor([True, False, False, True])),
                                                  ("v", r(5))], {"idx": "t:0"}, grad=[])
    g.case("index_put_.i64", "index_put_", [("x", ints(-9, 9, 4, 5)), ("i", idx(2)), ("v", ints(-9, 9, 5))],
           {"idx": "t:0"})
    g.case("index_put_.int_value_into_float", "index_put_", [("x", r(3, 2)), ("v", ints(-9, 9, 2))], {"idx": "i:0"},
           grad=[])
    g.case("index_put_.bool", "index_put_", [("x", torch.zeros(3, 4, dtype=b8)), ("i", idx(1))],
           {"idx": "s:n:n:n|t:0", "s": True})
    g.case("index_put_.bad_shape", "index_put_", [("x", r(4, 5)), ("v", r(3))], {"idx": "s:1:3:n"}, error=True)
    g.case("index_select.d0", "index_select", [("x", xi), ("i", idx(3, 0, 3))], {"dim": 0})
    g.case("index_select.neg", "index_select", [("x", x), ("i", idx(1, 1, 0))], {"dim": -1})
    g.case("index_select.i32_index", "index_select", [("x", xi), ("i", idx(4, 2).to(i32))], {"dim": 1})
    g.case("index_select.0dim_index", "index_select", [("x", xi), ("i", torch.tensor(2))], {"dim": 0})
    g.case("index_select.empty_index", "index_select", [("x", xi), ("i", idx())], {"dim": 1})
    g.case("index_select.0dim_x", "index_select", [("x", r(())), ("i", idx(0))], {"dim": 0})
    g.case("index_select.0dim_both", "index_select", [("x", r(())), ("i", torch.tensor(0))], {"dim": 0})
    g.case("index_select.T", "index_select", [("x", r(5, 4)), ("i", idx(4, 1))], {"dim": 1}, views={"x": "T"})
    g.case("index_select.i64", "index_select", [("x", ints(-9, 9, 4, 5)), ("i", idx(2, 1))], {"dim": 0})
    g.case("index_select.bool", "index_select", [("x", xi > 0), ("i", idx(2, 1))], {"dim": 1})
    g.case("index_select.out_of_range", "index_select", [("x", xi), ("i", idx(4))], {"dim": 0}, error=True)
    g.case("index_select.float_index", "index_select", [("x", xi), ("i", r(2))], {"dim": 0}, error=True)
    g.case("index_add.dup", "index_add", [("x", r(4, 3)), ("i", idx(1, 3, 1, 1)), ("s", r(4, 3))], {"dim": 0})
    g.case("index_add.neg", "index_add", [("x", x), ("i", idx(0, 3)), ("s", r(2, 3, 2))], {"dim": -1})
    g.case("index_add.T", "index_add", [("x", r(3, 4)), ("i", idx(2, 2)), ("s", r(4, 2))], {"dim": 1},
           views={"x": "T"})
    g.case("index_add.empty_index", "index_add", [("x", r(3, 2)), ("i", idx()), ("s", r(0, 2))], {"dim": 0})
    g.case("index_add.i64", "index_add", [("x", ints(-9, 9, 4, 3)), ("i", idx(0, 0, 2)), ("s", ints(-9, 9, 3, 3))],
           {"dim": 0})
    g.case("index_add.i32", "index_add", [("x", ints(-9, 9, 4, dtype=i32)), ("i", idx(3, 3)),
                                          ("s", ints(-9, 9, 2, dtype=i32))], {"dim": 0})
    g.case("index_add.bool", "index_add", [("x", torch.tensor([False, True, False])), ("i", idx(0, 0, 2)),
                                           ("s", torch.tensor([True, True, False]))], {"dim": 0})
    g.case("index_add.bad_source", "index_add", [("x", r(4, 3)), ("i", idx(1, 2)), ("s", r(3, 3))], {"dim": 0},
           error=True)
    gi = ints(0, 4, 3, 5)
    g.case("gather.d0", "gather", [("x", xi), ("i", gi)], {"dim": 0})
    g.case("gather.d1", "gather", [("x", xi), ("i", ints(0, 5, 4, 7))], {"dim": 1})
    g.case("gather.smaller", "gather", [("x", x), ("i", ints(0, 4, 2, 2, 3))], {"dim": -1})
    g.case("gather.T", "gather", [("x", r(5, 4)), ("i", ints(0, 4, 5, 2))], {"dim": 0}, views={"x": "T"})
    g.case("gather.index_T", "gather", [("x", xi), ("i", ints(0, 5, 3, 4))], {"dim": 1}, views={"i": "T"})
    g.case("gather.empty", "gather", [("x", xi), ("i", idx().reshape(0, 5))], {"dim": 0})
    g.case("gather.0dim", "gather", [("x", r(())), ("i", torch.tensor(0))], {"dim": 0})
    g.case("gather.i64", "gather", [("x", ints(-9, 9, 4, 5)), ("i", gi)], {"dim": 0})
    g.case("gather.bool", "gather", [("x", xi > 0), ("i", gi)], {"dim": 0})
    g.case("gather.out_of_range", "gather", [("x", xi), ("i", idx(4).reshape(1, 1))], {"dim": 0}, error=True)
    g.case("gather.dims_mismatch", "gather", [("x", xi), ("i", idx(1))], {"dim": 0}, error=True)
    perm_rows = torch.stack([torch.randperm(4) for _ in range(5)], 1)  # unique targets per column
    g.case("scatter.d0", "scatter", [("x", xi), ("i", perm_rows[:3]), ("s", r(3, 5))], {"dim": 0})
    # src larger than index: PyTorch 1.13's backward cannot give src a gradient of its shape
    g.case("scatter.src_larger", "scatter", [("x", xi), ("i", perm_rows[:2, :3]), ("s", r(3, 4))], {"dim": 0},
           grad=["x"])
    g.case("scatter.d1", "scatter", [("x", r(2, 6)), ("i", idx(5, 0, 2, 4, 1, 3).reshape(2, 3)), ("s", r(2, 3))],
           {"dim": -1})
    g.case("scatter.scalar", "scatter", [("x", xi), ("i", perm_rows[:2])], {"dim": 0, "s": 1.25})
    g.case("scatter.T", "scatter", [("x", r(5, 4)), ("i", perm_rows[:3]), ("s", r(3, 5))], {"dim": 0},
           views={"x": "T"})
    g.case("scatter.i64", "scatter", [("x", ints(-9, 9, 4, 5)), ("i", perm_rows[:3]), ("s", ints(-9, 9, 3, 5))],
           {"dim": 0})
    g.case("scatter.bool", "scatter", [("x", xi > 0), ("i", perm_rows[:1])], {"dim": 0, "s": True})
    g.case("scatter.dtype_mismatch", "scatter", [("x", xi), ("i", perm_rows[:1]), ("s", r(1, 5, dtype=f32))],
           {"dim": 0}, error=True)
    dup = ints(0, 3, 6, 4)
    g.case("scatter_add.dup", "scatter_add", [("x", r(3, 4)), ("i", dup), ("s", r(6, 4))], {"dim": 0})
    g.case("scatter_add.neg", "scatter_add", [("x", r(2, 3)), ("i", ints(0, 3, 2, 5)), ("s", r(2, 5))], {"dim": -1})
    g.case("scatter_add.src_larger", "scatter_add", [("x", r(3, 4)), ("i", ints(0, 3, 4, 2)), ("s", r(5, 4))],
           {"dim": 0}, grad=["x"])
    g.case("scatter_add.T", "scatter_add", [("x", r(4, 3)), ("i", dup), ("s", r(6, 4))], {"dim": 0},
           views={"x": "T"})
    g.case("scatter_add.i64", "scatter_add", [("x", ints(-9, 9, 3, 4)), ("i", dup), ("s", ints(-9, 9, 6, 4))],
           {"dim": 0})
    g.case("scatter_add.i32", "scatter_add", [("x", ints(-9, 9, 3, 4, dtype=i32)), ("i", dup),
                                              ("s", ints(-9, 9, 6, 4, dtype=i32))], {"dim": 0})
    g.case("scatter_add.bool", "scatter_add", [("x", torch.zeros(3, 4, dtype=b8)), ("i", dup),
                                               ("s", torch.rand(6, 4) < 0.5)], {"dim": 0})
    g.case("scatter_add.out_of_range", "scatter_add", [("x", r(3, 4)), ("i", idx(3).reshape(1, 1)), ("s", r(1, 1))],
           {"dim": 0}, error=True)
    # a 0-dim index or self counts as one dim of size 1 (the ops fuzzer found a 0-dim src read past its sizes)
    g.case("scatter_add.0dim_index", "scatter_add", [("x", r(4)), ("i", torch.tensor(1)), ("s", r(()))], {"dim": 0})
    g.case("scatter_add.0dim_self", "scatter_add", [("x", r(())), ("i", idx(0)), ("s", r(1))], {"dim": 0})
    g.case("scatter_add.src_dims_mismatch", "scatter_add", [("x", r(3, 4)), ("i", ints(0, 3, 3, 4)), ("s", r(()))],
           {"dim": 0}, error=True)
    g.case("gather.0dim_index", "gather", [("x", r(5)), ("i", torch.tensor(3))], {"dim": 0})
    g.case("masked_select.same", "masked_select", [("x", xi), ("m", xi > 0)])
    g.case("masked_select.bcast_mask", "masked_select", [("x", xi), ("m", torch.tensor([True, False, True, True, False]))])
    g.case("masked_select.bcast_both", "masked_select", [("x", r(3)), ("m", torch.tensor([[True], [False]]))])
    g.case("masked_select.none", "masked_select", [("x", xi), ("m", torch.zeros(4, 5, dtype=b8))])
    # PyTorch 1.13's masked_select backward misplaces a non-contiguous input's gradient (x.reshape(-1)[mask]
    # gives the right one): values only here, the gradient through index.mask_T
    g.case("masked_select.T", "masked_select", [("x", r(5, 4)), ("m", xi > 0)], views={"x": "T"}, grad=[])
    g.case("masked_select.empty", "masked_select", [("x", r(0, 3)), ("m", torch.ones(3, dtype=b8))])
    g.case("masked_select.i64", "masked_select", [("x", ints(-9, 9, 4, 5)), ("m", xi > 0)])
    g.case("masked_select.bool", "masked_select", [("x", xi > 0.5), ("m", xi > 0)])
    g.case("masked_select.bad_bcast", "masked_select", [("x", xi), ("m", torch.ones(3, dtype=b8))], error=True)
    g.case("nonzero.f64", "nonzero", [("x", torch.tensor([[0.0, -0.0, math.nan], [1e-300, 0.0, -2.0]]))])
    g.case("nonzero.i64", "nonzero", [("x", ints(-1, 2, 3, 4))])
    g.case("nonzero.i32", "nonzero", [("x", ints(-1, 2, 5, dtype=i32))])
    g.case("nonzero.bool_3d", "nonzero", [("x", torch.rand(2, 3, 4) < 0.3)])
    g.case("nonzero.T", "nonzero", [("x", ints(-1, 2, 4, 3))], views={"x": "T"})
    g.case("nonzero.all_false", "nonzero", [("x", torch.zeros(3, 4, dtype=b8))])
    g.case("nonzero.empty", "nonzero", [("x", r(0, 3))])
    g.case("nonzero.0dim_true", "nonzero", [("x", torch.tensor(2.5))])
    g.case("nonzero.0dim_false", "nonzero", [("x", torch.tensor(0))])

    # ---- creation
    for dt in (f64, f32, f16, bf16, i64, i32, u8, b8, None):
        tag = fmt(dt) if dt else "default"
        g.case(f"empty.{tag}", "empty", [], {"size": [2, 3], "dtype": dt})
        g.case(f"zeros.{tag}", "zeros", [], {"size": [3, 1], "dtype": dt})
        g.case(f"ones.{tag}", "ones", [], {"size": [2, 2], "dtype": dt})
        g.case(f"full.{tag}", "full", [], {"size": [2, 3], "value": 1 if dt == b8 else 3, "dtype": dt})
        g.case(f"eye.{tag}", "eye", [], {"n": 3, "m": 4, "dtype": dt})
    g.case("empty.0dim", "empty", [], {"size": [], "dtype": None})
    g.case("zeros.empty", "zeros", [], {"size": [0, 3], "dtype": None})
    g.case("ones.0dim", "ones", [], {"size": [], "dtype": i64})
    g.case("zeros.negative", "zeros", [], {"size": [2, -1], "dtype": None}, error=True)
    g.case("full.float_infer", "full", [], {"size": [3], "value": 1.5, "dtype": None})
    g.case("full.bool_infer", "full", [], {"size": [2], "value": True, "dtype": None})
    g.case("full.float_into_f16", "full", [], {"size": [2], "value": 1.1, "dtype": f16})
    g.case("full.float_into_i32", "full", [], {"size": [2], "value": -2.75, "dtype": i32})
    g.case("full.big_i64", "full", [], {"size": [2], "value": 2 ** 62 + 1, "dtype": i64})
    g.case("full.nan", "full", [], {"size": [2], "value": math.nan, "dtype": f64})
    g.case("full.0dim", "full", [], {"size": [], "value": -4, "dtype": None})
    g.case("eye.square", "eye", [], {"n": 4, "dtype": None})
    g.case("eye.tall", "eye", [], {"n": 4, "m": 2, "dtype": f64})
    g.case("eye.zero", "eye", [], {"n": 0, "m": 3, "dtype": None})
    g.case("eye.one", "eye", [], {"n": 1, "dtype": i64})
    g.case("eye.negative", "eye", [], {"n": -1, "dtype": None}, error=True)
    arange = [("end_int", {"end": 5}), ("end_float", {"end": 2.5}), ("ints", {"start": -3, "end": 7, "step": 2}),
              ("float_step", {"start": 0, "end": 1, "step": 0.3}), ("neg_step", {"start": 1.0, "end": -1.0, "step": -0.3}),
              ("empty", {"start": 2, "end": 2, "step": 1}), ("exact_end", {"start": 0.0, "end": 1.0, "step": 0.25})]
    for tag, a in arange:
        g.case(f"arange.{tag}", "arange", [], dict(a, dtype=None))
    g.case("arange.f64", "arange", [], {"start": -1, "end": 1, "step": 0.1, "dtype": f64})
    g.case("arange.i32", "arange", [], {"start": 10, "end": 0, "step": -3, "dtype": i32})
    g.case("arange.f16", "arange", [], {"start": 0, "end": 4, "step": 0.5, "dtype": f16})
    g.case("arange.u8", "arange", [], {"start": 250, "end": 255, "step": 1, "dtype": u8})
    # integer dtype, fractional arguments: PyTorch casts start/end/step to the integer type first
    g.case("arange.i64_frac_step", "arange", [], {"start": 0, "end": 5, "step": 1.5, "dtype": i64})
    g.case("arange.i64_frac_bounds", "arange", [], {"start": -2.5, "end": 3.7, "step": 2, "dtype": i64})
    g.case("arange.i32_frac_step", "arange", [], {"start": 0, "end": 5, "step": 1.5, "dtype": i32})
    g.case("arange.zero_step", "arange", [], {"start": 0, "end": 5, "step": 0, "dtype": None}, error=True)
    g.case("arange.wrong_sign", "arange", [], {"start": 0, "end": 5, "step": -1, "dtype": None}, error=True)
    g.case("arange.bool", "arange", [], {"end": 3, "dtype": b8}, error=True)
    g.case("arange.i64_trunc_zero_step", "arange", [], {"start": -1.5, "end": 1, "step": 0.5, "dtype": i64},
           error=True)
    lin = [("basic", 0.0, 1.0, 7, None), ("steps1", 2.0, 5.0, 1, None), ("steps0", 1.0, 2.0, 0, None),
           ("steps2", -1.0, 3.0, 2, f64), ("reverse", 3.0, -2.0, 6, f64), ("f64", -1.0, 1.0, 11, f64),
           ("same", 1.5, 1.5, 4, None), ("i64", -3.0, 10.0, 6, i64), ("i32_reverse", 10.0, -3.0, 5, i32),
           ("u8", 0.0, 255.0, 4, u8), ("f16", 0.0, 1.0, 5, f16), ("i64_steps1", 7.0, 9.0, 1, i64),
           ("i64_frac", -2.5, 7.9, 5, i64)]  # an integer dtype truncates start and end first
    for tag, s, e, n, dt in lin:
        g.case(f"linspace.{tag}", "linspace", [], {"start": s, "end": e, "steps": n, "dtype": dt})
    g.case("linspace.negative", "linspace", [], {"start": 0.0, "end": 1.0, "steps": -1, "dtype": None}, error=True)
    g.case("linspace.bool", "linspace", [], {"start": 0.0, "end": 1.0, "steps": 3, "dtype": b8}, error=True)
    vals = torch.tensor([1.5, -2.25, 0.0, 3.0, 1e-3], dtype=f64)
    for dt in (f64, f32, f16, bf16, i64, i32, u8, b8):
        g.case(f"tensor.from_f64_{fmt(dt)}", "tensor", [("x", vals.abs() if dt == u8 else vals)], {"dtype": dt},
               grad=[])
    g.case("tensor.i64_infer", "tensor", [("x", idx(3, -1, 0))], {"dtype": None})
    g.case("tensor.bool_infer", "tensor", [("x", torch.tensor([True, False]))], {"dtype": None})
    g.case("tensor.i64_to_f32", "tensor", [("x", idx(2 ** 40, -5))], {"dtype": f32})
    g.case("tensor.empty", "tensor", [("x", idx())], {"dtype": i64})
    base = r(24)
    g.case("from_blob.contig", "from_blob", [("x", base)], {"sizes": [4, 6], "strides": [6, 1], "offset": 0}, grad=[])
    g.case("from_blob.transposed", "from_blob", [("x", base)], {"sizes": [6, 4], "strides": [1, 6], "offset": 0},
           grad=[])
    g.case("from_blob.offset_step", "from_blob", [("x", base)], {"sizes": [3, 2], "strides": [5, 2], "offset": 3},
           grad=[])
    g.case("from_blob.broadcast", "from_blob", [("x", base)], {"sizes": [3, 4], "strides": [0, 1], "offset": 1},
           grad=[])
    g.case("from_blob.i32", "from_blob", [("x", ints(-9, 9, 12, dtype=i32))],
           {"sizes": [2, 3], "strides": [1, 2], "offset": 2})
    g.case("from_blob.bool", "from_blob", [("x", torch.rand(10) < 0.5)], {"sizes": [2, 2], "strides": [4, 1], "offset": 1})
    g.case("from_blob.empty", "from_blob", [("x", r(3))], {"sizes": [0, 3], "strides": [3, 1], "offset": 0}, grad=[])

    # ---- random: deterministic properties (range, dtype, shape, permutation) of whatever is drawn
    # Not float16/bfloat16 rand or bernoulli: wick draws 24 random bits and rounds them to the dtype, so a draw
    # can round up to 1.0 (PyTorch draws as many bits as the dtype's mantissa holds): a known wick bug.
    for dt in (f32, f64, f16, bf16, None):
        tag = fmt(dt) if dt else "default"
        if dt not in (f16, bf16):
            g.case(f"rand.{tag}", "rand", [], {"size": [50, 40], "dtype": dt})
        g.case(f"randn.{tag}", "randn", [], {"size": [50, 40], "dtype": dt})
    g.case("rand.empty", "rand", [], {"size": [0, 3], "dtype": None})
    g.case("randn.0dim", "randn", [], {"size": [], "dtype": f64})
    for tag, lo, hi, dt in [("default", 0, 10, None), ("neg", -5, 5, i64), ("i32", -100, 3, i32), ("u8", 3, 250, u8),
                            ("f32", -4, 4, f32), ("one_value", 7, 8, i64), ("f64", 0, 2, f64)]:
        g.case(f"randint.{tag}", "randint", [], {"low": lo, "high": hi, "size": [40, 25], "dtype": dt})
    g.case("randint.empty_range", "randint", [], {"low": 3, "high": 3, "size": [2], "dtype": None}, error=True)
    for tag, n, dt in [("default", 257, None), ("i32", 100, i32), ("f32", 64, f32), ("f64", 33, f64), ("one", 1, None),
                       ("zero", 0, None)]:
        g.case(f"randperm.{tag}", "randperm", [], {"n": n, "dtype": dt})
    g.case("randperm.negative", "randperm", [], {"n": -1, "dtype": None}, error=True)
    pv = torch.tensor([0.0, 1.0, 0.5, 1.0, 0.0, 0.25, 0.75, 1.0] * 25)
    for dt in (f32, f64):
        g.case(f"bernoulli.{fmt(dt)}", "bernoulli", [("p", pv.reshape(10, 20).to(dt))], grad=[])
    g.case("bernoulli.T", "bernoulli", [("p", pv.reshape(20, 10))], views={"p": "T"}, grad=[])

    # ---- conversion
    g.case("contiguous.T", "contiguous", [("x", r(4, 3))], views={"x": "T"})
    g.case("contiguous.step2_perm", "contiguous", [("x", r(2, 3, 8))], views={"x": "perm:1,0,2|step2"})
    g.case("contiguous.already", "contiguous", [("x", r(2, 3))])
    g.case("contiguous.expand", "contiguous", [("x", r(3, 1))], views={"x": "expand:2,3,4"})
    g.case("contiguous.i64_T", "contiguous", [("x", ints(-9, 9, 4, 3))], views={"x": "T"})
    g.case("contiguous.bool_T", "contiguous", [("x", torch.rand(4, 3) < 0.5)], views={"x": "T"})
    g.case("clone.f64", "clone", [("x", r(2, 3))])
    g.case("clone.step2", "clone", [("x", r(3, 6))], views={"x": "step2"})
    g.case("clone.0dim", "clone", [("x", r(()))])
    g.case("clone.empty", "clone", [("x", r(0, 4))])
    g.case("clone.i32_T", "clone", [("x", ints(-9, 9, 3, 4, dtype=i32))], views={"x": "T"})
    g.case("clone.f16", "clone", [("x", r(5, dtype=f16))], grad=[])
    fvals = torch.tensor([-2.75, -0.5, -0.0, 0.0, 0.4, 1.5, 2.5, 1e9, 65519.0, 65520.0, 70000.0, 1e-8, 3.0e38,
                          1.00390625, 1.01171875, math.inf, -math.inf, math.nan], dtype=f64)
    finite = fvals[:8]  # in range of every integer dtype but uint8
    g.case("to.f64_f32", "to", [("x", fvals)], {"dtype": f32})
    g.case("to.f64_f16", "to", [("x", fvals)], {"dtype": f16}, grad=[])
    g.case("to.f64_bf16", "to", [("x", fvals)], {"dtype": bf16}, grad=[])
    g.case("to.f32_f64", "to", [("x", fvals.to(f32))], {"dtype": f64})
    g.case("to.f16_f32", "to", [("x", fvals.to(f16))], {"dtype": f32}, grad=[])
    g.case("to.bf16_f16", "to", [("x", torch.tensor([1.0, 0.1, -3.5, 300.0, 1e-6]).to(bf16))], {"dtype": f16}, grad=[])
    g.case("to.f64_i64", "to", [("x", finite)], {"dtype": i64})
    g.case("to.f64_i32", "to", [("x", finite)], {"dtype": i32})
    g.case("to.f32_u8", "to", [("x", torch.tensor([0.0, 0.9, 1.5, 200.7, 255.0]))], {"dtype": u8})
    g.case("to.f64_bool", "to", [("x", fvals)], {"dtype": b8})
    g.case("to.i64_f64", "to", [("x", idx(-5, 0, 7, 2 ** 53 + 1, 2 ** 62))], {"dtype": f64})
    g.case("to.i64_f32", "to", [("x", idx(-5, 0, 7, 16777217, 2 ** 40 + 1))], {"dtype": f32})
    g.case("to.i64_i32_wrap", "to", [("x", idx(2 ** 31, -2 ** 31 - 1, 2 ** 40 + 5, -7))], {"dtype": i32})
    g.case("to.i64_u8_wrap", "to", [("x", idx(-1, 256, 300, 255))], {"dtype": u8})
    g.case("to.i32_bool", "to", [("x", torch.tensor([0, 2, -1], dtype=i32))], {"dtype": b8})
    g.case("to.u8_i64", "to", [("x", torch.tensor([0, 128, 255], dtype=u8))], {"dtype": i64})
    g.case("to.bool_f32", "to", [("x", torch.tensor([True, False]))], {"dtype": f32})
    g.case("to.bool_i32", "to", [("x", torch.tensor([True, False]))], {"dtype": i32})
    g.case("to.T_f32", "to", [("x", r(4, 3))], {"dtype": f32}, views={"x": "T"})
    g.case("to.same", "to", [("x", r(3))], {"dtype": f64})
    g.case("copy_.same", "copy_", [("d", r(3, 4)), ("s", r(3, 4))])
    g.case("copy_.bcast", "copy_", [("d", r(3, 4)), ("s", r(4))])
    g.case("copy_.dtype", "copy_", [("d", r(2, 3)), ("s", ints(-9, 9, 2, 3, dtype=i32))])
    g.case("copy_.const_src", "copy_", [("d", r(2, 3)), ("s", r(3))], grad=["d"])
    g.case("copy_.f64_into_f32", "copy_", [("d", r(2, 3, dtype=f32)), ("s", r(2, 3))])
    g.case("copy_.into_T", "copy_", [("d", r(3, 4)), ("s", r(4, 3))], {"into_T": True})
    g.case("copy_.src_T", "copy_", [("d", r(3, 4)), ("s", r(4, 3))], views={"s": "T"})
    g.case("copy_.float_into_i64", "copy_", [("d", ints(-9, 9, 5)), ("s", finite[:5])], grad=[])
    g.case("copy_.bool", "copy_", [("d", torch.zeros(2, 2, dtype=b8)), ("s", torch.tensor([True, False]))])
    g.case("copy_.bad_bcast", "copy_", [("d", r(3, 4)), ("s", r(3))], error=True)
    g.write()


def main(argv):
    if argv == ["shape"]:  # ops_shape only: it seeds itself, so it comes out the same on its own
        gen_shape()
        return
    assert not argv, "usage: gen_fixtures.py [shape]"
    torch.manual_seed(20241122)
    gen_serialize()
    gen_unary()
    gen_binary()
    gen_reduce()
    gen_linalg()
    gen_promotion()
    gen_composite()
    gen_shape()


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
