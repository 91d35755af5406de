#!/usr/bin/python3
"""PyTorch reference values for wick's recurrent layers: tests/fixtures/nn_rnn.safetensors.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_rnn_fixtures.py
Each case builds a module (RNN/LSTM/GRU or a cell) with random weights and stores, all in float64, under
"<case>.<name>": the parameters by their PyTorch names ("param.weight_ih_l0", ...), the input x, the initial
states h0/c0 when given, the outputs (y; hn, cn for layers; y1 = c' for LSTMCell), an upstream gradient for each
output (g<output>), and the gradients of sum(output * g<output>) over all outputs with respect to x, h0, c0
("dx", ...) and every parameter ("grad.<name>"). The module's options, the parameter order and the mode (train
or eval) go in the metadata as "<case>.config" (JSON) and "<case>.keys".
"""
import json
import sys

import torch
import torch.nn as nn

from fixture_writer import save

torch.set_default_dtype(torch.float64)
tensors, meta = {}, {}


def store_with_gradients(case, outs, leaves, module):
    """Stores the outputs, an upstream gradient for each, the inputs and parameters, and the gradients of
    sum(output * g<output>) with respect to them; returns the parameters by name."""
    loss = 0
    for k, v in outs.items():
        g = torch.randn(v.shape)
        tensors[f"{case}.{k}"] = v.detach()
        tensors[f"{case}.g{k}"] = g
        loss = loss + (v * g).sum()
    params = dict(module.named_parameters())
    grads = torch.autograd.grad(loss, list(leaves.values()) + list(params.values()))
    for (k, v), g in zip(list(leaves.items()) + [("param." + n, p) for n, p in params.items()], grads):
        tensors[f"{case}.{k}"] = v.detach()
        tensors[f"{case}.d{k}" if not k.startswith("param.") else f"{case}.grad.{k[6:]}"] = g
    return params


def add(case, kind, options, x, h0=None, c0=None, train=True):
    m = getattr(nn, kind)(**options)
    m.train(train)
    leaves = {"x": x.clone().requires_grad_(True)}
    if h0 is not None:
        leaves["h0"] = h0.clone().requires_grad_(True)
    if c0 is not None:
        leaves["c0"] = c0.clone().requires_grad_(True)
    if kind in ("LSTM", "LSTMCell"):
        state = (leaves["h0"], leaves["c0"]) if h0 is not None else None
    else:
        state = leaves.get("h0")
    out = m(leaves["x"], state)
    if kind in ("RNN", "GRU"):
        outs = {"y": out[0], "hn": out[1]}
    elif kind == "LSTM":
        outs = {"y": out[0], "hn": out[1][0], "cn": out[1][1]}
    elif kind == "LSTMCell":
        outs = {"y": out[0], "y1": out[1]}
    else:
        outs = {"y": out}
    params = store_with_gradients(case, outs, leaves, m)
    meta[f"{case}.config"] = json.dumps(dict(kind=kind, train=train, **options))
    meta[f"{case}.keys"] = ",".join(params)


def add_packed(case, kind, options, x, lengths, enforce_sorted, h0=None, c0=None):
    """A variable-length batch through pack_padded_sequence, the layer and pad_packed_sequence; also stores
    the packed output's data ("ydata") and the lengths."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    m = getattr(nn, kind)(**options)
    batch_first = options.get("batch_first", False)
    leaves = {"x": x.clone().requires_grad_(True)}
    if h0 is not None:
        leaves["h0"] = h0.clone().requires_grad_(True)
    if c0 is not None:
        leaves["c0"] = c0.clone().requires_grad_(True)
    packed = pack_padded_sequence(leaves["x"], lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    state = (leaves["h0"], leaves["c0"]) if kind == "LSTM" and h0 is not None else leaves.get("h0")
    out, hidden = m(packed, state)
    y, y_lengths = pad_packed_sequence(out, batch_first=batch_first)
    assert torch.equal(y_lengths, lengths)
    outs = {"y": y, "hn": hidden[0], "cn": hidden[1]} if kind == "LSTM" else {"y": y, "hn": hidden}
    tensors[f"{case}.ydata"] = out.data.detach()
    tensors[f"{case}.lengths"] = lengths
    params = store_with_gradients(case, outs, leaves, m)
    meta[f"{case}.config"] = json.dumps(dict(kind=kind, train=True, enforce_sorted=enforce_sorted, **options))
    meta[f"{case}.keys"] = ",".join(params)


def r(*shape):
    return torch.randn(*shape)


def main():
    print("torch", torch.__version__, file=sys.stderr)
    torch.manual_seed(0)
    T, B, I, H = 6, 3, 5, 4
    add("rnn_tanh", "RNN", dict(input_size=I, hidden_size=H), r(T, B, I), r(1, B, H))
    add("rnn_relu_stack_bidir_bf", "RNN",
        dict(input_size=I, hidden_size=H, num_layers=2, nonlinearity="relu", bidirectional=True, batch_first=True),
        r(B, T, I), r(4, B, H))
    add("rnn_eval_dropout", "RNN", dict(input_size=I, hidden_size=H, num_layers=2, dropout=0.5), r(T, B, I),
        train=False)
    add("lstm", "LSTM", dict(input_size=I, hidden_size=H), r(T, B, I), r(1, B, H), r(1, B, H))
    add("lstm_stack_bidir_bf", "LSTM",
        dict(input_size=I, hidden_size=H, num_layers=2, bidirectional=True, batch_first=True), r(B, T, I))
    add("lstm_proj", "LSTM", dict(input_size=I, hidden_size=6, proj_size=3, num_layers=2, bidirectional=True),
        r(T, B, I), r(4, B, 3), r(4, B, 6))
    add("lstm_nobias", "LSTM", dict(input_size=I, hidden_size=H, bias=False), r(T, B, I), r(1, B, H), r(1, B, H))
    add("lstm_unbatched", "LSTM", dict(input_size=I, hidden_size=H, num_layers=2), r(T, I))
    add("gru", "GRU", dict(input_size=I, hidden_size=H), r(T, B, I), r(1, B, H))
    add("gru_stack3_bidir_bf", "GRU",
        dict(input_size=I, hidden_size=H, num_layers=3, bidirectional=True, batch_first=True), r(B, T, I))
    add("gru_unbatched", "GRU", dict(input_size=I, hidden_size=H, bidirectional=True), r(T, I), r(2, H))
    add("rnncell_tanh", "RNNCell", dict(input_size=I, hidden_size=H), r(B, I), r(B, H))
    add("rnncell_relu", "RNNCell", dict(input_size=I, hidden_size=H, nonlinearity="relu"), r(B, I), r(B, H))
    add("lstmcell", "LSTMCell", dict(input_size=I, hidden_size=H), r(B, I), r(B, H), r(B, H))
    add("lstmcell_unbatched", "LSTMCell", dict(input_size=I, hidden_size=H), r(I))
    add("grucell", "GRUCell", dict(input_size=I, hidden_size=H), r(B, I), r(B, H))
    add("grucell_nobias", "GRUCell", dict(input_size=I, hidden_size=H, bias=False), r(B, I))
    L = torch.tensor
    add_packed("packed_lstm", "LSTM", dict(input_size=I, hidden_size=H, num_layers=2, bidirectional=True),
               r(T, 4, I), L([5, 2, 6, 3]), False, r(4, 4, H), r(4, 4, H))
    add_packed("packed_gru_bf", "GRU", dict(input_size=I, hidden_size=H, bidirectional=True, batch_first=True),
               r(4, T, I), L([6, 1, 4, 3]), False)
    add_packed("packed_rnn_sorted", "RNN", dict(input_size=I, hidden_size=H), r(T, 4, I), L([6, 4, 4, 1]), True,
               r(1, 4, H))
    save("nn_rnn.safetensors", tensors, meta)


if __name__ == "__main__":
    main()
