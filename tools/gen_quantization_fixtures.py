#!/usr/bin/python3
"""PyTorch's dynamic int8 quantization, for tests/lib/quantization_test.cpp and tests/nn/quantize_dynamic_test.cpp.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tools/gen_quantization_fixtures.py
Debian's torch has the onednn and qnnpack quantized engines (no fbgemm); onednn, the default, runs the x86 engines'
dynamic linear: activations quantized to [0, 127] (reduce_range) with ChooseQuantizationParams, weights with
per_channel_dynamic_qconfig (symmetric int8, one scale per output channel).
Writes tests/fixtures/quantization.safetensors:
  "promote_int8"             int64 [9]: torch.promote_types(int8, t) for wick's dtypes in order (bool, uint8, int8,
                             int32, int64, float16, bfloat16, float32, float64) as indices into that list; -1 where
                             torch's answer is a dtype wick lacks (int16, for uint8)
  "<case>.weight", ".bias"   a float32 nn.Linear (bias absent in the no_bias cases)
  "<case>.x"                 float32 input [M, K]
  "<case>.weight_int8"       int8 [N, K] and "<case>.weight_scale" float32 [N]: PyTorch's quantized weight
  "<case>.y"                 float32 [M, N]: the quantized layer's output
  "<rnn>.<param>", "<rnn>.x", "<rnn>.out", "<rnn>.h_n" (and "lstm.c_n")   a float nn.LSTM (2 layers,
                             bidirectional) and nn.GRU (2 layers, batch_first), their input, and what their quantized
                             forms return (PyTorch quantizes each layer's whole input sequence once, the hidden state
                             per step)
  "policy_<kind>.obs", ".actions"   the recurrent policies of tests/fixtures/policy_<kind>.safetensors with their
                             LSTM/GRU and Linear head quantized, over an 8-step episode
  "policy.<name>"            the embedded policy MLP (tests/fixtures/policy_mlp.safetensors) quantized: its int8
                             weights and scales per layer, "policy.obs" [64, 16] and "policy.actions" [64, 4]
"""
import json
import os
import struct

import torch
import torch.nn as nn
from torch.ao.quantization import per_channel_dynamic_qconfig

from fixture_writer import save

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")


def load_float32(name):
    """The float32 tensors of a committed safetensors fixture."""
    raw = open(os.path.join(FIXTURES, name), "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for key, info in header.items():
        assert info["dtype"] == "F32", (name, key, info["dtype"])
        begin, end = info["data_offsets"]
        out[key] = torch.frombuffer(bytearray(raw[8 + n + begin:8 + n + end]), dtype=torch.float32).reshape(info["shape"])
    return out

torch.manual_seed(20261205)
assert "onednn" in torch.backends.quantized.supported_engines
torch.backends.quantized.engine = "onednn"

WICK_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int32, torch.int64, torch.float16, torch.bfloat16,
               torch.float32, torch.float64]
tensors = {
    "promote_int8": torch.tensor([WICK_DTYPES.index(p) if p in WICK_DTYPES else -1
                                  for p in (torch.promote_types(torch.int8, t) for t in WICK_DTYPES)])
}


def quantized(model):
    config = {kind: per_channel_dynamic_qconfig for kind in (nn.Linear, nn.LSTM, nn.GRU)}
    return torch.ao.quantization.quantize_dynamic(model, config)


def case(name, M, K, N, bias=True, x=None):
    layer = nn.Linear(K, N, bias=bias)
    q = quantized(nn.Sequential(layer))[0]
    x = torch.randn(M, K) if x is None else x
    w = q.weight()
    tensors[f"{name}.weight"] = layer.weight.detach()
    if bias:
        tensors[f"{name}.bias"] = layer.bias.detach()
    tensors[f"{name}.x"] = x
    tensors[f"{name}.weight_int8"] = w.int_repr()
    tensors[f"{name}.weight_scale"] = w.q_per_channel_scales().float()
    with torch.no_grad():
        tensors[f"{name}.y"] = q(x)


case("one", 1, 1, 1)
case("odd", 2, 3, 5)                 # K and N not multiples of the kernels' 4 and 16
case("panel", 1, 64, 16)
case("mnist_layer", 4, 784, 64)
case("no_bias", 7, 100, 33, bias=False)
case("rows", 9, 37, 40)              # more rows than one tile, and a tile's worth left over
case("positive", 3, 24, 8, x=torch.rand(3, 24) + 0.5)      # zero point 0
case("negative", 3, 24, 8, x=-torch.rand(3, 24) - 0.5)     # zero point 127
case("constant", 2, 10, 6, x=torch.full((2, 10), 0.75))
case("tiny_range", 2, 10, 6, x=torch.randn(2, 10) * 1e-6)  # PyTorch's small-scale threshold
case("wide_range", 3, 50, 20, x=torch.randn(3, 50) * 1e4)

def recurrent_case(name, rnn, x):
    q = quantized(nn.Sequential(rnn))[0]
    for key, value in rnn.state_dict().items():
        tensors[f"{name}.{key}"] = value
    tensors[f"{name}.x"] = x
    with torch.no_grad():
        out, state = q(x)
    tensors[f"{name}.out"] = out
    if isinstance(state, tuple):
        tensors[f"{name}.h_n"], tensors[f"{name}.c_n"] = state
    else:
        tensors[f"{name}.h_n"] = state


recurrent_case("lstm", nn.LSTM(10, 20, num_layers=2, bidirectional=True), torch.randn(5, 3, 10))
recurrent_case("gru", nn.GRU(10, 20, num_layers=2, batch_first=True), torch.randn(3, 5, 10))


class RecurrentPolicy(nn.Module):  # as tools/gen_policy_fixtures.py
    def __init__(self, kind):
        super().__init__()
        self.rnn = (nn.GRU if kind == "gru" else nn.LSTM)(16, 32, batch_first=True)
        self.head = nn.Linear(32, 4)

    def forward(self, obs):  # obs [T, 16]: one episode, stepped from a zero state
        out, _ = self.rnn(obs.unsqueeze(0))
        return self.head(out.squeeze(0))


for kind in ("gru", "lstm"):
    model = RecurrentPolicy(kind)
    model.load_state_dict(load_float32(f"policy_{kind}.safetensors"))
    obs = torch.rand(8, 16) * 4 - 2
    tensors[f"policy_{kind}.obs"] = obs
    with torch.no_grad():
        tensors[f"policy_{kind}.actions"] = quantized(model)(obs)
        tensors[f"policy_{kind}.float_actions"] = model(obs)

policy = nn.Sequential(nn.Linear(16, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 4))
policy.load_state_dict(load_float32("policy_mlp.safetensors"))
qpolicy = quantized(policy)
for i in (0, 2, 4):
    w = qpolicy[i].weight()
    tensors[f"policy.{i}.weight_int8"] = w.int_repr()
    tensors[f"policy.{i}.weight_scale"] = w.q_per_channel_scales().float()
obs = torch.rand(64, 16) * 4 - 2
tensors["policy.obs"] = obs
with torch.no_grad():
    tensors["policy.actions"] = qpolicy(obs)
    tensors["policy.float_actions"] = policy(obs)

save("quantization.safetensors", tensors, {"engine": torch.backends.quantized.engine, "torch": torch.__version__})
