#!/usr/bin/python3
"""PyTorch reference values for wick's attention and Transformer encoder: tests/fixtures/nn_attention.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_attention_fixtures.py
Module cases store, in float64 under "<case>.<name>": the parameters by PyTorch's names ("param.<name>", random
rather than PyTorch's initial values so that every weight matters), the inputs, the outputs (y, and y1 = the
attention weights), an upstream gradient per output (g<output>), and the gradients of sum(output * g<output>)
with respect to each floating input ("d<input>") and parameter ("grad.<name>"); the parameter order goes in the
metadata ("<case>.keys"). Masks are stored as they are passed (bool or float). torch 1.13 has no
scaled_dot_product_attention, so its cases follow PyTorch 2's F.scaled_dot_product_attention as its documentation
writes it out (a bool attn_mask is True where a position takes part; is_causal is top-left aligned; scale).
"""
import math
import sys

import torch
import torch.nn as nn

from fixture_writer import save

torch.set_default_dtype(torch.float64)
tensors, meta = {}, {}


def store(case, fn, inputs, params):
    """fn(**inputs) -> tuple of outputs; gradients for floating inputs and params."""
    leaves = {k: (v.clone().requires_grad_(True) if v.is_floating_point() else v) for k, v in inputs.items()}
    outs = fn(**leaves)
    loss = 0
    for i, v in enumerate(outs):
        if v is None:
            continue
        name = "y" if i == 0 else f"y{i}"
        g = torch.randn(v.shape)
        tensors[f"{case}.{name}"] = v.detach()
        tensors[f"{case}.g{name}"] = g
        loss = loss + (v * g).sum()
    grad_leaves = [(k, v) for k, v in leaves.items() if v.is_floating_point() and v.requires_grad]
    grads = torch.autograd.grad(loss, [v for _, v in grad_leaves] + list(params.values()))
    for k, v in leaves.items():
        tensors[f"{case}.{k}"] = v.detach()
    for (k, _), g in zip(grad_leaves, grads[:len(grad_leaves)]):
        tensors[f"{case}.d{k}"] = g
    for (k, p), g in zip(params.items(), grads[len(grad_leaves):]):
        tensors[f"{case}.param.{k}"] = p.detach()
        tensors[f"{case}.grad.{k}"] = g
    meta[f"{case}.keys"] = ",".join(params)


def randomize(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.4)
    return dict(module.named_parameters())


def causal(n):
    return torch.ones(n, n, dtype=torch.bool).triu(1)


def r(*shape):
    return torch.randn(*shape)


def main():
    print("torch", torch.__version__, file=sys.stderr)
    torch.manual_seed(0)
    E, N = 8, 3

    m = nn.MultiheadAttention(E, 2)
    store("mha_cross", lambda q, k, v: m(q, k, v), {"q": r(4, N, E), "k": r(5, N, E), "v": r(5, N, E)}, randomize(m))

    m = nn.MultiheadAttention(E, 4)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True], [False] * 4 + [True]])
    store("mha_self_masks",
          lambda x, kpm, mask: m(x, x, x, key_padding_mask=kpm, attn_mask=mask, average_attn_weights=False),
          {"x": r(5, N, E), "kpm": padding, "mask": causal(5)}, randomize(m))

    m = nn.MultiheadAttention(E, 2, bias=False)
    store("mha_unbatched_float_mask", lambda q, k, v, mask: m(q, k, v, attn_mask=mask),
          {"q": r(4, E), "k": r(6, E), "v": r(6, E), "mask": r(4, 6)}, randomize(m))

    def sdpa(q, k, v, mask=None, is_causal=False, scale=None):
        L, S = q.size(-2), k.size(-2)
        bias = torch.zeros(L, S)
        if is_causal:
            bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril().logical_not(), float("-inf"))
        if mask is not None:
            bias = bias.masked_fill(mask.logical_not(), float("-inf")) if mask.dtype == torch.bool else bias + mask
        scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
        return (torch.softmax(q @ k.transpose(-2, -1) * scale + bias, -1) @ v,)

    store("sdpa_bool_mask", sdpa, {"q": r(2, 3, 4, 6), "k": r(2, 3, 5, 6), "v": r(2, 3, 5, 7),
                                   "mask": torch.rand(4, 5) >= 0.3}, {})
    store("sdpa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True), {"q": r(2, 4, 6), "k": r(2, 4, 6),
                                                                        "v": r(2, 4, 6)}, {})

    layer = nn.TransformerEncoderLayer(E, 2, dim_feedforward=16, dropout=0.0)
    store("encoder_layer_post", lambda x, mask, kpm: (layer(x, src_mask=mask, src_key_padding_mask=kpm),),
          {"x": r(5, N, E), "mask": causal(5), "kpm": padding}, randomize(layer))

    layer = nn.TransformerEncoderLayer(E, 4, dim_feedforward=12, dropout=0.0, activation="gelu", norm_first=True)
    store("encoder_layer_pre_gelu", lambda x: (layer(x),), {"x": r(6, N, E)}, randomize(layer))

    layer = nn.TransformerEncoderLayer(E, 2, dim_feedforward=16, dropout=0.0, norm_first=True)
    encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(E), enable_nested_tensor=False)
    store("encoder", lambda x, mask: (encoder(x, mask=mask),), {"x": r(5, N, E), "mask": causal(5)},
          randomize(encoder))

    # PyTorch's Transformer tutorial's PositionalEncoding, as a table [length, dim].
    position, dim = torch.arange(50).unsqueeze(1), 16
    div_term = torch.exp(torch.arange(0, dim, 2) * (-math.log(10000.0) / dim))
    pe = torch.zeros(50, dim)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)
    tensors["sinusoidal_positions"] = pe

    # Appended last, so the random draws of the cases above stay as they were: causal with more keys than
    # queries (the mask is top-left aligned), an explicit scale, and a float mask.
    store("sdpa_causal_rect_scaled", lambda q, k, v, mask: sdpa(q, k, v, mask, is_causal=False, scale=0.3),
          {"q": r(3, 4), "k": r(5, 4), "v": r(5, 2), "mask": r(3, 5)}, {})
    store("sdpa_causal_rect", lambda q, k, v: sdpa(q, k, v, is_causal=True, scale=0.5),
          {"q": r(2, 3, 4), "k": r(2, 5, 4), "v": r(2, 5, 2)}, {})
    save("nn_attention.safetensors", tensors, meta)


if __name__ == "__main__":
    main()
