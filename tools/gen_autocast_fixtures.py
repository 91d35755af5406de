#!/usr/bin/python3
"""PyTorch reference values for wick's autocast and GradScaler: tests/fixtures/autocast.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_autocast_fixtures.py

Autocast cases (tests/lib/autocast_test.cpp runs the same table): each case calls one op inside
torch.autocast("cpu", dtype=torch.bfloat16) and stores
  <case>.in<i>       its tensor inputs, as float32 or float64 (bfloat16 inputs hold bfloat16 values; metadata
                     <case>.in<i>.dtype says which dtype the test hands the op)
  <case>.out         the output (as the inputs are stored), and metadata <case>.dtype the dtype PyTorch returned
  <case>.gout        a random upstream gradient, and <case>.grad<i> the gradient of sum(out * gout) with
                     respect to each float32 input that requires grad (they come back as float32)
The dtype is what autocast decides: the op lists. torch 1.13 is the oracle for every op, except those
PyTorch 2 added to the CPU's lower-precision list (transposed convolution, LSTM, scaled dot-product
attention; metadata <case>.source = "pytorch2"): for those the reference is the op run on inputs cast to
bfloat16 by hand, which is what PyTorch 2's autocast does, and the dtype is bfloat16.

GradScaler cases: PyTorch's torch.cuda.amp.GradScaler, run on the CPU. Its two CUDA kernels have no CPU
implementation in 1.13, so they are written here from their CUDA source (aten/src/ATen/native/cuda/AmpKernels.cu);
everything else (when to unscale, which steps to skip, per-optimizer state) is PyTorch's own code.
"""
import contextlib
import math

import torch
import torch.nn.functional as F

from fixture_writer import save

tensors, meta = {}, {}


def bf16(t):
    return t.to(torch.bfloat16)


def stored(t):
    """float64 as it is, the other floating dtypes as float32 (which holds every bfloat16 value exactly)."""
    t = t.detach()
    return t.float() if t.is_floating_point() and t.dtype != torch.float64 else t


def case(name, fn, inputs, grad_inputs=(), source="torch1.13"):
    """inputs: tensors (float32 or bfloat16 or int64); grad_inputs: indices of float32 inputs to differentiate."""
    leaves = []
    for i, t in enumerate(inputs):
        t = t.detach().clone()
        if i in grad_inputs:
            t.requires_grad_(True)
        leaves.append(t)
        tensors[f"{name}.in{i}"] = stored(t)
        meta[f"{name}.in{i}.dtype"] = str(t.dtype).replace("torch.", "")
    if source == "pytorch2":
        # PyTorch 2's autocast: floating inputs (not float64) cast to bfloat16, the op run outside autocast.
        cast = [bf16(t) if t.is_floating_point() and t.dtype != torch.float64 else t for t in leaves]
        out = fn(*cast)
    else:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = fn(*leaves)
    meta[f"{name}.dtype"] = str(out.dtype).replace("torch.", "")
    meta[f"{name}.source"] = source
    tensors[f"{name}.out"] = stored(out)
    if grad_inputs:
        gout = torch.randn(out.shape)
        tensors[f"{name}.gout"] = gout
        (out.float() * gout).sum().backward()
        for i in grad_inputs:
            assert leaves[i].grad.dtype == torch.float32, name
            tensors[f"{name}.grad{i}"] = leaves[i].grad


def autocast_cases():
    torch.manual_seed(0)
    r = torch.randn
    x, w, b = r(8, 16), r(4, 16) * 0.3, r(4)
    img, cw, cb = r(2, 3, 8, 8), r(4, 3, 3, 3) * 0.3, r(4)
    # lower precision: floating inputs run in bfloat16, the result is bfloat16
    case("linear", F.linear, [x, w, b], (0, 1, 2))
    case("linear_no_bias", F.linear, [x, w], (0, 1))
    case("linear_3d", F.linear, [r(2, 3, 16), w, b], (0, 1, 2))
    case("matmul", torch.matmul, [r(2, 3, 16), r(16, 5)], (0, 1))
    case("mm", torch.mm, [x, r(16, 5)], (0, 1))
    case("bmm", torch.bmm, [r(2, 3, 16), r(2, 16, 5)], (0, 1))
    case("addmm", torch.addmm, [r(8, 5), x, r(16, 5)], (0, 1, 2))
    case("mm_bf16_f32", torch.mm, [bf16(x), r(16, 5)], (1,))
    case("mm_f64", torch.mm, [x.double(), r(16, 5).double()])  # float64 is not eligible: stays float64
    case("conv2d", F.conv2d, [img, cw, cb], (0, 1, 2))
    case("conv1d", F.conv1d, [r(2, 3, 10), r(4, 3, 3) * 0.3, cb], (0, 1, 2))
    # torch 1.13's bfloat16 conv_transpose2d on the CPU rejects valid shapes (it checks the channels as conv2d's),
    # so the bfloat16 inputs are convolved in float32 and the result rounded once: the same arithmetic.
    case("conv_transpose2d", lambda a, w, b: F.conv_transpose2d(a.float(), w.float(), b.float()).bfloat16(),
         [img, r(3, 4, 3, 3) * 0.3, cb], (0, 1, 2), source="pytorch2")
    # float32: losses, whatever dtype they are given
    logits, labels = r(8, 5), torch.randint(0, 5, (8,))
    case("cross_entropy", F.cross_entropy, [bf16(logits), labels])
    case("cross_entropy_f32", F.cross_entropy, [logits, labels], (0,))
    case("nll_loss", F.nll_loss, [bf16(torch.log_softmax(logits, 1)), labels])
    case("mse_loss", F.mse_loss, [bf16(x), x + 0.5], (1,))
    case("l1_loss", F.l1_loss, [bf16(x), x + 0.5])
    case("smooth_l1_loss", F.smooth_l1_loss, [bf16(x), x + 0.5])
    case("huber_loss", F.huber_loss, [bf16(x), x + 0.5])
    case("binary_cross_entropy", F.binary_cross_entropy, [bf16(torch.sigmoid(x)), torch.rand(8, 16)])
    case("bce_with_logits", F.binary_cross_entropy_with_logits, [bf16(x), torch.rand(8, 16)])
    case("kl_div", lambda a, t: F.kl_div(a, t, reduction="batchmean"),
         [bf16(torch.log_softmax(x, 1)), torch.softmax(r(8, 16), 1)])
    case("prod", torch.prod, [bf16(r(6).abs() + 0.5)])
    # promote: the widest floating dtype among the inputs
    case("cat", lambda a, b: torch.cat([a, b]), [bf16(x), x], (1,))
    case("stack", lambda a, b: torch.stack([a, b]), [bf16(x), x])
    case("cat_bf16", lambda a, b: torch.cat([a, b]), [bf16(x), bf16(x)])
    # not listed on the CPU: run in the dtype they are given
    case("softmax_bf16", lambda a: torch.softmax(a, 1), [bf16(x)])
    case("softmax_f32", lambda a: torch.softmax(a, 1), [x], (0,))
    case("log_softmax_bf16", lambda a: torch.log_softmax(a, 1), [bf16(x)])
    case("layer_norm_bf16", lambda a: F.layer_norm(a, (16,)), [bf16(x)])
    case("sum_bf16", torch.sum, [bf16(x)])
    case("add_mixed", torch.add, [bf16(x), x], (1,))
    case("relu_f32", torch.relu, [x], (0,))
    case("exp_bf16", torch.exp, [bf16(x * 0.5)])
    # PyTorch 2's additions on the CPU
    q, k, v = r(2, 2, 5, 8), r(2, 2, 6, 8), r(2, 2, 6, 8)

    def sdpa(q, k, v):
        s = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))
        return torch.softmax(s, -1) @ v

    case("attention", sdpa, [q, k, v], (0, 1, 2), source="pytorch2")
    # A whole training step's forward: linear -> relu -> linear -> cross_entropy, float32 parameters.
    w1, b1, w2, b2 = r(32, 16) * 0.25, r(32) * 0.1, r(5, 32) * 0.2, r(5) * 0.1
    case("mlp_loss", lambda x, w1, b1, w2, b2, t: F.cross_entropy(F.linear(torch.relu(F.linear(x, w1, b1)), w2, b2), t),
         [x, w1, b1, w2, b2, labels], (1, 2, 3, 4))


def lstm_case():
    # nn.LSTM(16, 8) over 5 steps of a batch of 3, under PyTorch 2's autocast: weights and input in bfloat16.
    torch.manual_seed(1)
    lstm = torch.nn.LSTM(16, 8)
    x = torch.randn(5, 3, 16)
    params = [p.detach().clone() for p in lstm.parameters()]  # w_ih, w_hh, b_ih, b_hh

    def run(x, w_ih, w_hh, b_ih, b_hh):
        m = torch.nn.LSTM(16, 8).to(x.dtype)
        with torch.no_grad():
            for p, v in zip(m.parameters(), (w_ih, w_hh, b_ih, b_hh)):
                p.copy_(v)
        return torch._VF.lstm(x, (torch.zeros(1, 3, 8, dtype=x.dtype), torch.zeros(1, 3, 8, dtype=x.dtype)),
                              [w_ih, w_hh, b_ih, b_hh], True, 1, 0.0, False, False, False)[0]

    case("lstm", run, [x] + params, (0, 1, 2, 3, 4), source="pytorch2")


@contextlib.contextmanager
def cpu_grad_scaler():
    """Lets PyTorch's GradScaler run on CPU tensors: it asserts tensor.is_cuda and disables itself without CUDA,
    and its two kernels are CUDA-only (replaced by the transcriptions below)."""
    saved = (torch.cuda.is_available, torch.Tensor.is_cuda, torch._amp_foreach_non_finite_check_and_unscale_,
             torch._amp_update_scale_)
    torch.cuda.is_available = lambda: True
    torch.Tensor.is_cuda = property(lambda self: True)
    torch._amp_foreach_non_finite_check_and_unscale_ = non_finite_check_and_unscale_
    torch._amp_update_scale_ = update_scale_
    try:
        yield
    finally:
        (torch.cuda.is_available, torch.Tensor.is_cuda, torch._amp_foreach_non_finite_check_and_unscale_,
         torch._amp_update_scale_) = saved


def non_finite_check_and_unscale_(grads, found_inf, inv_scale):
    # AmpKernels.cu: each value is checked, then multiplied by inv_scale.
    for g in grads:
        if not torch.isfinite(g).all():
            found_inf.fill_(1.0)
        g.mul_(inv_scale)


def update_scale_(scale, growth_tracker, found_inf, growth_factor, backoff_factor, growth_interval):
    # AmpKernels.cu (float32 arithmetic on the scale).
    if found_inf.item():
        scale.mul_(backoff_factor)
        growth_tracker.fill_(0)
    else:
        successful = growth_tracker.item() + 1
        if successful == growth_interval:
            grown = (scale * torch.tensor(growth_factor, dtype=torch.float32))
            if torch.isfinite(grown).all():
                scale.copy_(grown)
            growth_tracker.fill_(0)
        else:
            growth_tracker.fill_(successful)
    return scale


def scaler_case(name, steps, inject, **options):
    """SGD with momentum on a least-squares problem; at the steps in `inject` the loss is multiplied by inf (a
    gradient overflow). Stores per step the scale used, whether the step was skipped and the weights after."""
    torch.manual_seed(2)
    w = torch.randn(4, requires_grad=True)
    x, y = torch.randn(6, 4), torch.randn(6)
    tensors[f"{name}.w0"] = w.detach().clone()
    tensors[f"{name}.x"], tensors[f"{name}.y"] = x, y
    opt = torch.optim.SGD([w], lr=0.05, momentum=0.9)
    scaler = torch.cuda.amp.GradScaler(**options)
    scales, skipped, ws = [], [], []
    for step in range(steps):
        opt.zero_grad()
        loss = ((x @ w - y) ** 2).mean()
        if step in inject:
            loss = loss * math.inf
        scales.append(scaler.get_scale())
        scaler.scale(loss).backward()
        before = w.detach().clone()
        scaler.step(opt)
        skipped.append(bool(torch.equal(before, w.detach())))
        scaler.update()
        ws.append(w.detach().clone())
    tensors[f"{name}.scales"] = torch.tensor(scales, dtype=torch.float64)
    tensors[f"{name}.skipped"] = torch.tensor(skipped)
    tensors[f"{name}.w"] = torch.stack(ws)
    tensors[f"{name}.final_scale"] = torch.tensor(scaler.get_scale(), dtype=torch.float64)
    tensors[f"{name}.final_tracker"] = torch.tensor(float(scaler._get_growth_tracker()), dtype=torch.float64)
    meta[f"{name}.inject"] = ",".join(str(s) for s in sorted(inject))
    meta[f"{name}.steps"] = steps
    for k, v in options.items():
        meta[f"{name}.{k}"] = repr(v)


autocast_cases()
lstm_case()
with cpu_grad_scaler():
    scaler_case("scaler", 12, {2, 3, 8}, init_scale=2.0**10, growth_interval=3)
    scaler_case("scaler_overflow", 4, set(), init_scale=2.0**127, growth_factor=2.0, growth_interval=1)
save("autocast.safetensors", tensors, meta)
