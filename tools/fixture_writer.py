"""The safetensors writer shared by tools/gen_nn_fixtures.py and tools/gen_optim_fixtures.py (standard library and
torch only; run the generators with Debian's /usr/bin/python3). Tensors are laid out in name order."""
import json
import os
import struct

import torch

# WICK_FIXTURES_OUT redirects the output (tools/check_fixtures regenerates into a temporary folder and compares).
OUT = os.environ.get("WICK_FIXTURES_OUT") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                                          "fixtures")
DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32",
          torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def save(name, tensors, metadata):
    """Writes a safetensors file (8-byte little-endian header length, JSON header, raw data) into OUT."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in sorted(metadata.items())}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
    print(f"wrote {os.path.relpath(path)}: {len(tensors)} tensors")
