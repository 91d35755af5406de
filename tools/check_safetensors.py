#!/usr/bin/python3
"""Checks, from the PyTorch side, a safetensors file that wick wrote (tests/lib/serialize_test.cpp).

    /usr/bin/python3 tools/check_safetensors.py FILE            # validate the format and check the contents
    /usr/bin/python3 tools/check_safetensors.py --format FILE   # validate the format only (any file)

The format is validated strictly, as huggingface's safetensors reader does: 8-byte little-endian header
length, a JSON object header, string-only __metadata__, known dtypes, shapes of non-negative integers,
data_offsets that tile the data section exactly (no gap, overlap or trailing byte). wick also pads the
header to a multiple of 8 bytes, which is checked too.

The contents are then compared, bit for bit, with what serialize_test.cpp writes (EXPECTED below): one
tensor per dtype with edge values, a transposed and a strided view (written contiguously), a 0-dim and an
empty tensor, and metadata with escapes and non-ASCII text. The tensors are rebuilt with torch.frombuffer,
so a pass means PyTorch reads the same values wick saved. If the safetensors package is installed, it must
load the file too.

Exit status: 0 pass, 1 mismatch (details on stdout), 77 torch unavailable (the test then skips).
"""
import json
import math
import struct
import sys

try:
    import torch
except ImportError:
    print("torch is not available to this python")
    sys.exit(77)

DTYPES = {"BOOL": torch.bool, "U8": torch.uint8, "I8": torch.int8, "I32": torch.int32, "I64": torch.int64, "F16": torch.float16,
          "BF16": torch.bfloat16, "F32": torch.float32, "F64": torch.float64}

EXPECTED = {
    "bool": torch.tensor([[True, False, True], [False, False, True]]),
    "uint8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
    "int32": torch.tensor([-2 ** 31, -1, 0, 1, 2 ** 31 - 1], dtype=torch.int32),
    "int64": torch.tensor([-2 ** 63, -1, 0, 1, 2 ** 63 - 1], dtype=torch.int64),
    "float16": torch.tensor([0.5, -2.0, 65504.0, 2.0 ** -24, math.inf, -0.0], dtype=torch.float16),
    "bfloat16": torch.tensor([1.0, -0.0078125, 3.3895313892515355e38, 2.0 ** -133, -math.inf], dtype=torch.bfloat16),
    "float32_T": (torch.arange(12, dtype=torch.float32).reshape(3, 4).t() / 8 - 1).contiguous(),
    "float64": torch.tensor([math.pi, -0.0, math.nan, -math.inf, 1e-310, 1.7976931348623157e308], dtype=torch.float64),
    "strided": torch.arange(20, dtype=torch.float64).reshape(4, 5)[:, ::2].contiguous(),
    "scalar": torch.tensor(2.5, dtype=torch.float64),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
EXPECTED_METADATA = {"producer": "wick", "text": 'quote " backslash \\ newline \n unicode \u00e9\u2713 emoji \U0001F600'}


def fail(errors, msg):
    errors.append(msg)


def read(path):
    """Returns (header dict, metadata, data bytes, errors) after validating the format."""
    errors = []
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        return None, None, None, [f"file has {len(raw)} bytes, fewer than the 8-byte header length"]
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        return None, None, None, [f"header length {n} runs past the end of the file ({len(raw)} bytes)"]
    if n % 8:
        fail(errors, f"header length {n} is not a multiple of 8 (wick pads it so data stays aligned)")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return None, None, None, [f"header is not valid UTF-8 JSON: {e}"]
    if not isinstance(header, dict):
        return None, None, None, ["header is not a JSON object"]
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        fail(errors, "__metadata__ is not an object of strings")
    spans = []
    for name, info in header.items():
        if set(info) != {"dtype", "shape", "data_offsets"}:
            fail(errors, f"{name}: keys {sorted(info)}")
            continue
        if info["dtype"] not in DTYPES:
            fail(errors, f"{name}: unknown dtype {info['dtype']}")
            continue
        shape, (b, e) = info["shape"], info["data_offsets"]
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            fail(errors, f"{name}: bad shape {shape}")
            continue
        size = math.prod(shape) * torch.tensor([], dtype=DTYPES[info["dtype"]]).element_size()
        if e - b != size:
            fail(errors, f"{name}: data_offsets {[b, e]} hold {e - b} bytes, shape {shape} needs {size}")
        spans.append((b, e, name))
    at = 0
    for b, e, name in sorted(spans):
        if b != at:
            fail(errors, f"{name}: starts at {b}, expected {at} (gap or overlap)")
        at = e
    if at != len(data):
        fail(errors, f"tensors cover {at} bytes but the data section has {len(data)}")
    return header, metadata, data, errors


def tensor_of(header, data, name):
    info = header[name]
    b, e = info["data_offsets"]
    dtype = DTYPES[info["dtype"]]
    if e == b:
        return torch.empty(info["shape"], dtype=dtype)
    return torch.frombuffer(bytearray(data[b:e]), dtype=dtype).reshape(info["shape"])


def same_bits(a, b):
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.numel() == 0:
        return True
    if a.dtype.is_floating_point:
        view = {torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32,
                torch.float64: torch.int64}[a.dtype]
        # NaN payloads may differ; everything else (signed zeros included) must match bit for bit
        nan = torch.isnan(a) & torch.isnan(b)
        return bool(torch.equal(torch.isnan(a), torch.isnan(b)) and
                    torch.equal(a.contiguous().view(view)[~nan], b.contiguous().view(view)[~nan]))
    return bool(torch.equal(a, b))


def main(argv):
    format_only = argv[1:2] == ["--format"]
    args = argv[2:] if format_only else argv[1:]
    if len(args) != 1:
        print(__doc__)
        return 2
    header, metadata, data, errors = read(args[0])
    if header is not None and not format_only:
        if set(header) != set(EXPECTED):
            fail(errors, f"tensor names {sorted(header)} != {sorted(EXPECTED)}")
        for name, want in EXPECTED.items():
            if name not in header:
                continue
            got = tensor_of(header, data, name)
            if not same_bits(got, want):
                fail(errors, f"{name}: got {got} ({got.dtype}, {list(got.shape)}), expected {want} ({want.dtype}, "
                             f"{list(want.shape)})")
        if metadata != EXPECTED_METADATA:
            fail(errors, f"metadata {metadata!r} != {EXPECTED_METADATA!r}")
        try:
            from safetensors.torch import load_file  # optional: the reference reader, when installed
        except ImportError:
            load_file = None
        if load_file is not None:
            loaded = load_file(args[0])
            for name, want in EXPECTED.items():
                if not same_bits(loaded[name], want):
                    fail(errors, f"safetensors.torch.load_file: {name} differs")
    for e in errors:
        print("FAIL", e)
    if not errors:
        print("OK", args[0])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
