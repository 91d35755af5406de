#!/usr/bin/python3
"""PyTorch reference values for wick's nn tests: tests/fixtures/nn_*.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_nn_fixtures.py
Each case stores its inputs, the output, an upstream gradient `gy` and the gradients of sum(out * gy) with
respect to every input that takes one, all in float64, under keys "<case>.<name>". Per-case settings that the
C++ test needs (and state_dict key lists) go in the safetensors __metadata__.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture_writer import save

torch.set_default_dtype(torch.float64)

class Cases:
    def __init__(self):
        self.tensors, self.meta = {}, {}

    def add(self, case, fn, inputs, const=(), **meta):
        """inputs: name -> tensor; floating ones not named in `const` get gradients. fn(**inputs) -> tensor or
        tuple (extra outputs are stored as y1, y2, ...)."""
        leaves = {}
        for k, v in inputs.items():
            v = v.detach().clone()
            if v.is_floating_point() and k not in const:
                v.requires_grad_(True)
            leaves[k] = v
        out = fn(**leaves)
        outs = out if isinstance(out, tuple) else (out,)
        y = outs[0]
        for k, v in leaves.items():
            self.tensors[f"{case}.{k}"] = v.detach()
        self.tensors[f"{case}.y"] = y.detach()
        for i, extra in enumerate(outs[1:]):
            self.tensors[f"{case}.y{i + 1}"] = extra.detach()
        if y.requires_grad:
            gy = torch.randn(y.shape)
            self.tensors[f"{case}.gy"] = gy
            grads = torch.autograd.grad((y * gy).sum(), [v for v in leaves.values() if v.requires_grad],
                                        allow_unused=True)
            for (k, v), g in zip([(k, v) for k, v in leaves.items() if v.requires_grad], grads):
                if g is not None:
                    self.tensors[f"{case}.d{k}"] = g
        for k, v in meta.items():
            self.meta[f"{case}.{k}"] = v if isinstance(v, str) else json.dumps(v)


def r(*shape):
    return torch.randn(*shape)


def conv_cases():
    c = Cases()
    c.add("basic", lambda x, w, b: F.conv2d(x, w, b), {"x": r(2, 3, 7, 6), "w": r(4, 3, 3, 3), "b": r(4)})
    c.add("strided", lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0)),
          {"x": r(2, 3, 8, 9), "w": r(5, 3, 3, 2), "b": r(5)})
    c.add("dilated_groups", lambda x, w, b: F.conv2d(x, w, b, padding=2, dilation=2, groups=2),
          {"x": r(1, 4, 9, 9), "w": r(6, 2, 3, 3), "b": r(6)})
    c.add("same_odd", lambda x, w, b: F.conv2d(x, w, b, padding="same"),
          {"x": r(1, 2, 6, 7), "w": r(3, 2, 4, 3), "b": r(3)})
    c.add("same_dilated", lambda x, w: F.conv2d(x, w, padding="same", dilation=(2, 3)),
          {"x": r(2, 2, 7, 8), "w": r(3, 2, 3, 2)})
    c.add("valid", lambda x, w: F.conv2d(x, w, padding="valid"), {"x": r(1, 2, 5, 5), "w": r(2, 2, 2, 2)})
    c.add("pointwise", lambda x, w: F.conv2d(x, w), {"x": r(2, 8, 5, 5), "w": r(4, 8, 1, 1)})
    c.add("depthwise", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=4),
          {"x": r(2, 4, 6, 6), "w": r(4, 1, 3, 3), "b": r(4)})
    c.add("wide", lambda x, w, b: F.conv2d(x, w, b, padding=1), {"x": r(2, 16, 12, 12), "w": r(32, 16, 3, 3), "b": r(32)})
    c.add("strided_uneven", lambda x, w: F.conv2d(x, w, stride=3), {"x": r(1, 3, 10, 11), "w": r(2, 3, 3, 3)})
    c.add("unbatched", lambda x, w, b: F.conv2d(x, w, b, padding=1), {"x": r(3, 5, 5), "w": r(2, 3, 3, 3), "b": r(2)})
    c.add("conv1d", lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1), {"x": r(2, 3, 10), "w": r(4, 3, 3), "b": r(4)})
    c.add("conv1d_same", lambda x, w: F.conv1d(x, w, padding="same", dilation=2), {"x": r(2, 3, 9), "w": r(2, 3, 4)})
    c.add("transpose", lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1),
          {"x": r(2, 4, 5, 5), "w": r(4, 3, 3, 3), "b": r(3)})
    c.add("transpose_groups", lambda x, w: F.conv_transpose2d(x, w, groups=2, dilation=2, padding=1),
          {"x": r(1, 4, 4, 4), "w": r(4, 2, 3, 3)})
    c.add("transpose1d", lambda x, w, b: F.conv_transpose1d(x, w, b, stride=3, padding=1),
          {"x": r(2, 3, 6), "w": r(3, 2, 4), "b": r(2)})
    # padding modes of nn.Conv2d, spelled with an explicit pad
    c.add("circular", lambda x, w, b: F.conv2d(F.pad(x, (1, 1, 2, 2), mode="circular"), w, b),
          {"x": r(1, 2, 5, 6), "w": r(3, 2, 5, 3), "b": r(3)})
    c.add("replicate", lambda x, w: F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), w, stride=2),
          {"x": r(2, 2, 6, 6), "w": r(2, 2, 3, 3)})
    save("nn_conv.safetensors", c.tensors, c.meta)


def pool_cases():
    c = Cases()
    c.add("max2", lambda x: F.max_pool2d(x, 2, return_indices=True), {"x": r(2, 3, 6, 7)})
    c.add("max_ceil", lambda x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True), {"x": r(1, 2, 7, 8)})
    c.add("max_dilated", lambda x: F.max_pool2d(x, (2, 3), (1, 2), dilation=2, return_indices=True), {"x": r(1, 2, 8, 9)})
    c.add("max1d", lambda x: F.max_pool1d(x, 3, 2, 1, return_indices=True), {"x": r(2, 3, 11)})
    c.add("max_unbatched", lambda x: F.max_pool2d(x, 2), {"x": r(3, 4, 4)})
    c.add("avg_ceil", lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True), {"x": r(1, 2, 7, 8)})
    c.add("avg_nopad", lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False), {"x": r(2, 2, 7, 8)})
    c.add("avg_divisor", lambda x: F.avg_pool2d(x, (2, 3), padding=1, divisor_override=5), {"x": r(1, 2, 6, 7)})
    c.add("avg1d", lambda x: F.avg_pool1d(x, 3, 1, 1), {"x": r(2, 3, 9)})
    c.add("adaptive_uneven", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), {"x": r(2, 3, 7, 5)})
    c.add("adaptive_global", lambda x: F.adaptive_avg_pool2d(x, 1), {"x": r(2, 3, 5, 4)})
    c.add("adaptive_even", lambda x: F.adaptive_avg_pool2d(x, 2), {"x": r(2, 3, 6, 6)})
    c.add("adaptive1d", lambda x: F.adaptive_avg_pool1d(x, 4), {"x": r(2, 3, 10)})
    # resampling
    c.add("nearest_size", lambda x: F.interpolate(x, size=(7, 5)), {"x": r(2, 3, 4, 3)})
    c.add("nearest_scale", lambda x: F.interpolate(x, scale_factor=2), {"x": r(1, 2, 3, 4)})
    c.add("nearest_frac", lambda x: F.interpolate(x, scale_factor=(1.7, 0.6)), {"x": r(1, 2, 5, 6)})
    c.add("bilinear", lambda x: F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=False), {"x": r(2, 3, 4, 3)})
    c.add("bilinear_corners", lambda x: F.interpolate(x, size=(7, 5), mode="bilinear", align_corners=True),
          {"x": r(2, 3, 4, 3)})
    c.add("bilinear_scale", lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear"), {"x": r(1, 2, 5, 6)})
    c.add("bilinear_down", lambda x: F.interpolate(x, size=(3, 2), mode="bilinear"), {"x": r(1, 2, 7, 5)})
    c.add("linear1d", lambda x: F.interpolate(x, size=7, mode="linear"), {"x": r(2, 3, 4)})
    c.add("nearest1d", lambda x: F.interpolate(x, scale_factor=2.5), {"x": r(2, 3, 4)})
    save("nn_pool.safetensors", c.tensors, c.meta)


def batch_norm(x, w, b, rm, rv, training):
    """F.batch_norm on copies of the running statistics, returned after the update as y1 and y2."""
    rm = rm.detach().clone()
    rv = rv.detach().clone()
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1, eps=1e-5)
    return y, rm, rv


def norm_cases():
    c = Cases()
    c.add("bn2d_train", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, True),
          {"x": r(4, 3, 5, 5), "w": r(3), "b": r(3), "rm": r(3), "rv": torch.rand(3) + 0.5})
    c.add("bn1d_train", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, True),
          {"x": r(6, 4), "w": r(4), "b": r(4), "rm": r(4), "rv": torch.rand(4) + 0.5})
    c.add("bn1d_seq_train", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, True),
          {"x": r(3, 4, 5), "w": r(4), "b": r(4), "rm": r(4), "rv": torch.rand(4) + 0.5})
    c.add("bn2d_eval", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, False),
          {"x": r(2, 3, 4, 4), "w": r(3), "b": r(3), "rm": r(3), "rv": torch.rand(3) + 0.5})
    c.add("layer_norm", lambda x, w, b: F.layer_norm(x, [5], w, b), {"x": r(3, 4, 5), "w": r(5), "b": r(5)})
    c.add("layer_norm2", lambda x, w, b: F.layer_norm(x, [4, 5], w, b, eps=1e-3), {"x": r(3, 4, 5), "w": r(4, 5), "b": r(4, 5)})
    c.add("layer_norm_plain", lambda x: F.layer_norm(x, [6]), {"x": r(2, 6)})
    c.add("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), {"x": r(2, 6, 3, 4), "w": r(6), "b": r(6)})
    c.add("group_norm_plain", lambda x: F.group_norm(x, 3, eps=1e-3), {"x": r(2, 6, 5)})
    c.add("normalize", lambda x: F.normalize(x, p=2.0, dim=1), {"x": r(3, 4, 2)})
    c.add("normalize_p1", lambda x: F.normalize(x, p=1.0, dim=-1), {"x": r(3, 4)})
    save("nn_norm.safetensors", c.tensors, c.meta)


def loss_cases():
    c = Cases()
    plain_add = c.add
    c.add = lambda *args, **kw: plain_add(*args, const=("w", "pw"), **kw)  # class weights take no gradient
    for red in ["none", "mean", "sum"]:
        c.add(f"mse_{red}", lambda x, t: F.mse_loss(x, t, reduction=red), {"x": r(3, 4), "t": r(3, 4)})
        c.add(f"l1_{red}", lambda x, t: F.l1_loss(x, t, reduction=red), {"x": r(3, 4), "t": r(3, 4)})
        c.add(f"smooth_l1_{red}", lambda x, t: F.smooth_l1_loss(x, t, reduction=red, beta=0.5),
              {"x": r(3, 4), "t": r(3, 4)})
        c.add(f"huber_{red}", lambda x, t: F.huber_loss(x, t, reduction=red, delta=0.7), {"x": r(3, 4), "t": r(3, 4)})
        c.add(f"ce_{red}", lambda x, t: F.cross_entropy(x, t, reduction=red),
              {"x": r(5, 4), "t": torch.tensor([0, 3, 1, 1, 2])})
        c.add(f"ce_weighted_{red}", lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=1, reduction=red,
                                                                     label_smoothing=0.1),
              {"x": r(5, 4), "t": torch.tensor([0, 3, 1, 1, 2]), "w": torch.rand(4) + 0.5})
        c.add(f"ce_smooth_{red}", lambda x, t: F.cross_entropy(x, t, reduction=red, label_smoothing=0.2),
              {"x": r(5, 4), "t": torch.tensor([0, 3, 1, 1, 2])})
        c.add(f"ce_probs_{red}", lambda x, t, w: F.cross_entropy(x, t, weight=w, reduction=red, label_smoothing=0.1),
              {"x": r(3, 4), "t": torch.softmax(r(3, 4), 1), "w": torch.rand(4) + 0.5})
        c.add(f"nll_{red}", lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=2, reduction=red),
              {"x": torch.log_softmax(r(5, 4), 1), "t": torch.tensor([0, 3, 1, 2, 2]), "w": torch.rand(4) + 0.5})
        c.add(f"bce_{red}", lambda x, t, w: F.binary_cross_entropy(x, t, weight=w, reduction=red),
              {"x": torch.rand(3, 4) * 0.9 + 0.05, "t": torch.rand(3, 4), "w": torch.rand(3, 4)})
        c.add(f"bce_logits_{red}", lambda x, t, w, pw: F.binary_cross_entropy_with_logits(
            x, t, weight=w, pos_weight=pw, reduction=red),
              {"x": r(3, 4) * 3, "t": torch.rand(3, 4), "w": torch.rand(3, 4), "pw": torch.rand(4) + 0.5})
    for red in ["none", "mean", "sum", "batchmean"]:
        c.add(f"kl_{red}", lambda x, t: F.kl_div(x, t, reduction=red),
              {"x": torch.log_softmax(r(3, 4), 1), "t": torch.softmax(r(3, 4), 1)})
        c.add(f"kl_log_{red}", lambda x, t: F.kl_div(x, t, reduction=red, log_target=True),
              {"x": torch.log_softmax(r(3, 4), 1), "t": torch.log_softmax(r(3, 4), 1)})
    c.add("ce_spatial", lambda x, t: F.cross_entropy(x, t, ignore_index=0),
          {"x": r(2, 3, 4, 2), "t": torch.randint(0, 3, (2, 4, 2))})
    c.add("ce_1d", lambda x, t: F.cross_entropy(x, t), {"x": r(5), "t": torch.tensor(3)})
    c.add("nll_plain", lambda x, t: F.nll_loss(x, t), {"x": torch.log_softmax(r(4, 3), 1), "t": torch.tensor([2, 0, 1, 1])})
    c.add("bce_logits_plain", lambda x, t: F.binary_cross_entropy_with_logits(x, t), {"x": r(6), "t": torch.rand(6)})
    c.add("kl_zero_target", lambda x, t: F.kl_div(x, t, reduction="sum"),
          {"x": torch.log_softmax(r(2, 3), 1), "t": torch.tensor([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]])})
    # stability: logits of +-1e4
    big = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0], [3.0, 1e4, -1e4]])
    c.add("ce_extreme", lambda x, t: F.cross_entropy(x, t), {"x": big, "t": torch.tensor([1, 1, 2])})
    c.add("ce_extreme_smooth", lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
          {"x": big, "t": torch.tensor([0, 1, 2])})
    c.add("bce_logits_extreme", lambda x, t: F.binary_cross_entropy_with_logits(x, t),
          {"x": torch.tensor([1e4, -1e4, 1e4, -1e4, 0.0]), "t": torch.tensor([1.0, 0.0, 0.0, 1.0, 0.5])})
    save("nn_loss.safetensors", c.tensors, c.meta)


def activation_cases():
    c = Cases()
    x = lambda: {"x": r(3, 5) * 2}
    c.add("relu", lambda x: F.relu(x), x())
    c.add("leaky_relu", lambda x: F.leaky_relu(x, 0.2), x())
    c.add("elu", lambda x: F.elu(x, 0.7), x())
    c.add("gelu", lambda x: F.gelu(x), x())
    c.add("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), x())
    c.add("silu", lambda x: F.silu(x), x())
    c.add("tanh", lambda x: torch.tanh(x), x())
    c.add("sigmoid", lambda x: torch.sigmoid(x), x())
    c.add("softplus", lambda x: F.softplus(x, beta=2, threshold=3), x())
    c.add("softmax", lambda x: F.softmax(x, 1), x())
    c.add("log_softmax", lambda x: F.log_softmax(x, 0), x())
    c.add("logsigmoid", lambda x: F.logsigmoid(x), {"x": torch.tensor([-1e4, -30.0, -1.0, 0.0, 2.0, 30.0, 1e4])})
    c.add("one_hot", lambda x: F.one_hot(x, 5), {"x": torch.tensor([[0, 3], [4, 1]])})
    c.add("embedding", lambda i, w: F.embedding(i, w, padding_idx=2), {"i": torch.tensor([[0, 2, 4], [2, 1, 0]]), "w": r(5, 3)})
    save("nn_activation.safetensors", c.tensors, c.meta)


class Model(nn.Module):
    """A model touching every parameterised layer, for state_dict names and an end-to-end forward/backward."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding="same", groups=2, padding_mode="reflect", bias=False), nn.GroupNorm(2, 8),
            nn.SiLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.up = nn.ConvTranspose2d(3, 2, 2, stride=2)
        self.head = nn.ModuleList([nn.Linear(8, 6), nn.LayerNorm(6), nn.Linear(6, 4)])
        self.embed = nn.Embedding(7, 4, padding_idx=0)
        self.bn1 = nn.BatchNorm1d(4)

    def forward(self, x, idx):
        h = self.features(x)
        for m in self.head:
            h = m(h)
        u = self.up(x).mean(dim=(1, 2, 3))
        e = self.embed(idx).sum(1)
        return self.bn1(torch.tanh(h) + e) + u[:, None]


def model_cases():
    torch.manual_seed(1)
    m = Model()
    with torch.no_grad():  # non-trivial norm parameters and running statistics
        for name, p in m.named_parameters():
            if "norm" in name or name.startswith(("features.1", "features.5", "head.1", "bn1")):
                p.copy_(torch.randn_like(p) * 0.3 + (1.0 if name.endswith("weight") else 0.0))
        m.features[1].running_mean.copy_(torch.randn(8) * 0.1)
        m.features[1].running_var.copy_(torch.rand(8) + 0.5)
    tensors = {f"param.{k}": v.detach().clone() for k, v in m.state_dict().items()}
    x = r(4, 3, 8, 8)
    idx = torch.tensor([[0, 1, 2], [3, 0, 0], [6, 5, 4], [1, 1, 0]])
    y = m(x, idx)
    gy = r(*y.shape)
    (y * gy).sum().backward()
    tensors.update({"x": x, "idx": idx, "y": y.detach(), "gy": gy})
    for k, p in m.named_parameters():
        tensors[f"grad.{k}"] = p.grad.detach()
    for k, b in m.state_dict().items():
        if "running" in k or "num_batches" in k:
            tensors[f"after.{k}"] = b.detach().clone()
    m.eval()
    tensors["y_eval"] = m(x, idx).detach()
    meta = {"state_dict_keys": ",".join(m.state_dict().keys()),
            "parameter_keys": ",".join(k for k, _ in m.named_parameters()),
            "buffer_keys": ",".join(k for k, _ in m.named_buffers())}
    gains = {n: nn.init.calculate_gain(n) for n in ["linear", "conv2d", "sigmoid", "tanh", "relu"]}
    gains["leaky_relu_0.2"] = nn.init.calculate_gain("leaky_relu", 0.2)
    meta["gains"] = json.dumps(gains)
    save("nn_model.safetensors", tensors, meta)


def volumetric_cases():
    """3-D (NCDHW) convolution, pooling, resampling and batch norm: their own file and seed, so adding them left the
    other files' random inputs as they were."""
    torch.manual_seed(3)
    c = Cases()
    c.add("conv3d", lambda x, w, b: F.conv3d(x, w, b), {"x": r(2, 3, 5, 6, 7), "w": r(4, 3, 3, 2, 3), "b": r(4)})
    c.add("conv3d_strided_groups", lambda x, w, b: F.conv3d(x, w, b, stride=(2, 1, 2), padding=(1, 0, 1),
                                                            dilation=(1, 2, 1), groups=2),
          {"x": r(1, 4, 7, 6, 8), "w": r(6, 2, 3, 2, 3), "b": r(6)})
    c.add("conv3d_same", lambda x, w: F.conv3d(x, w, padding="same", dilation=(1, 2, 1)),
          {"x": r(1, 2, 5, 6, 4), "w": r(3, 2, 4, 3, 2)})
    c.add("conv3d_unbatched", lambda x, w, b: F.conv3d(x, w, b, padding=1),
          {"x": r(3, 4, 5, 5), "w": r(2, 3, 3, 3, 3), "b": r(2)})
    c.add("transpose3d", lambda x, w, b: F.conv_transpose3d(x, w, b, stride=2, padding=1, output_padding=1),
          {"x": r(2, 4, 3, 4, 3), "w": r(4, 3, 3, 3, 3), "b": r(3)})
    c.add("transpose3d_groups", lambda x, w: F.conv_transpose3d(x, w, stride=(1, 2, 1), padding=(1, 0, 1),
                                                                output_padding=(0, 1, 0), groups=2,
                                                                dilation=(2, 1, 1)),
          {"x": r(1, 4, 3, 3, 4), "w": r(4, 2, 2, 3, 3)})
    # output_padding by dilation: the last output depth is one no kernel tap reaches
    c.add("transpose3d_outpad", lambda x, w: F.conv_transpose3d(x, w, output_padding=(1, 0, 0), dilation=2),
          {"x": r(1, 2, 3, 3, 3), "w": r(2, 2, 2, 2, 2)})
    c.add("max3d", lambda x: F.max_pool3d(x, 2, return_indices=True), {"x": r(2, 3, 4, 6, 5)})
    c.add("max3d_ceil", lambda x: F.max_pool3d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
          {"x": r(1, 2, 7, 6, 8)})
    c.add("max3d_dilated", lambda x: F.max_pool3d(x, (2, 2, 3), (1, 2, 1), dilation=(2, 1, 2), return_indices=True),
          {"x": r(1, 2, 6, 5, 8)})
    c.add("max3d_unbatched", lambda x: F.max_pool3d(x, 2), {"x": r(3, 4, 4, 4)})
    c.add("avg3d", lambda x: F.avg_pool3d(x, 2), {"x": r(2, 3, 4, 6, 6)})
    c.add("avg3d_ceil", lambda x: F.avg_pool3d(x, 3, 2, 1, ceil_mode=True), {"x": r(1, 2, 7, 6, 8)})
    c.add("avg3d_nopad", lambda x: F.avg_pool3d(x, 3, 2, 1, count_include_pad=False), {"x": r(2, 2, 5, 7, 6)})
    c.add("avg3d_divisor", lambda x: F.avg_pool3d(x, (2, 2, 3), padding=1, divisor_override=7),
          {"x": r(1, 2, 4, 5, 6)})
    c.add("adaptive3d", lambda x: F.adaptive_avg_pool3d(x, (3, 2, 4)), {"x": r(2, 3, 7, 5, 9)})
    c.add("adaptive3d_even", lambda x: F.adaptive_avg_pool3d(x, 2), {"x": r(1, 2, 4, 6, 8)})
    c.add("adaptive3d_global", lambda x: F.adaptive_avg_pool3d(x, 1), {"x": r(2, 3, 3, 4, 5)})
    c.add("trilinear", lambda x: F.interpolate(x, size=(5, 7, 4), mode="trilinear", align_corners=False),
          {"x": r(2, 3, 3, 4, 3)})
    c.add("trilinear_corners", lambda x: F.interpolate(x, size=(6, 5, 7), mode="trilinear", align_corners=True),
          {"x": r(1, 2, 3, 4, 3)})
    c.add("trilinear_scale", lambda x: F.interpolate(x, scale_factor=(1.5, 2, 0.7), mode="trilinear"),
          {"x": r(1, 2, 4, 3, 5)})
    c.add("nearest3d", lambda x: F.interpolate(x, size=(5, 7, 4), mode="nearest"), {"x": r(2, 3, 3, 4, 3)})
    c.add("nearest3d_scale", lambda x: F.interpolate(x, scale_factor=2, mode="nearest"), {"x": r(1, 2, 2, 3, 2)})

    c.add("bn3d_train", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, True),
          {"x": r(3, 4, 2, 3, 3), "w": r(4), "b": r(4), "rm": r(4), "rv": torch.rand(4) + 0.5})
    c.add("bn3d_eval", lambda x, w, b, rm, rv: batch_norm(x, w, b, rm, rv, False),
          {"x": r(2, 4, 3, 2, 3), "w": r(4), "b": r(4), "rm": r(4), "rv": torch.rand(4) + 0.5})
    save("nn_volumetric.safetensors", c.tensors, c.meta)


def distance_cases():
    torch.manual_seed(5)  # its own stream: cases added here leave the other files' inputs alone
    c = Cases()
    c.add("cosine", lambda a, b: F.cosine_similarity(a, b), {"a": r(4, 5), "b": r(4, 5)})
    c.add("cosine_dim0_broadcast", lambda a, b: F.cosine_similarity(a, b, dim=0), {"a": r(6, 3, 2), "b": r(6, 1, 2)})
    # eps below every norm: 1.13 (which clamps the product of the norms) and PyTorch 2 (each norm) agree
    c.add("cosine_last_eps", lambda a, b: F.cosine_similarity(a, b, dim=-1, eps=0.01), {"a": r(3, 4) * 0.1, "b": r(3, 4)})
    c.add("pairwise", lambda a, b: F.pairwise_distance(a, b), {"a": r(5, 4), "b": r(5, 4)})
    c.add("pairwise_p1_keepdim", lambda a, b: F.pairwise_distance(a, b, p=1, keepdim=True), {"a": r(2, 3, 4), "b": r(3, 4)})
    c.add("pairwise_p3_eps", lambda a, b: F.pairwise_distance(a, b, p=3, eps=0.01), {"a": r(4, 6), "b": r(4, 6)})
    triple = lambda: {"a": r(6, 4), "p": r(6, 4), "n": r(6, 4)}
    c.add("triplet", lambda a, p, n: F.triplet_margin_loss(a, p, n), triple())
    c.add("triplet_swap_sum", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, swap=True, reduction="sum"),
          triple())
    c.add("triplet_p1_none", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=1, eps=1e-3, reduction="none"),
          triple())
    save("nn_distance.safetensors", c.tensors, c.meta)


if __name__ == "__main__":
    print("torch", torch.__version__, file=sys.stderr)
    torch.manual_seed(0)
    conv_cases()
    pool_cases()
    norm_cases()
    loss_cases()
    activation_cases()
    model_cases()
    volumetric_cases()
    distance_cases()
