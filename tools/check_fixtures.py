#!/usr/bin/python3
"""Regenerates every PyTorch fixture (tools/gen_*fixtures.py) into a temporary folder and compares it with the
committed tests/fixtures, so that the generators and the fixtures the tests read never drift apart. One test case
per generator; the last line is "N passed, N failed". Run with Debian's python3 (torch 1.13).

Names, dtypes, shapes, metadata, integers and text must be identical. Floating values may differ by BLAS and
oneDNN rounding between CPUs (float64 ~1e-13 relative), so they compare within 1e-9 (float64) / 1e-5 (float32,
and float64 checksums of float32 cases) relative to each tensor's largest value: far below any tolerance a test
uses, far above what a changed case would give. Values computed in bfloat16 or float16 (tensors of those dtypes,
cases named so, and every autocast case) round differently on CPUs with and without bf16 instructions, where
PyTorch and oneDNN pick other kernels (up to ~2% of a tensor's largest value after a bfloat16 convolution, seen
between an AVX512-BF16 and an AVX2 machine), so they compare within 2^-5 of it: a changed case moves them by far
more."""
import json
import re
import os
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NUMPY = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
         "U8": np.uint8, "I8": np.int8, "BOOL": np.bool_, "BF16": np.uint16}  # bfloat16: compared as its bits
RTOL = {"F64": 1e-9, "F32": 1e-5}
LOW_PRECISION_CASE = re.compile(r"f32|f16|bf16|half|float")
HALF_PRECISION_CASE = re.compile(r"f16|half")  # bf16 and f16 alike
HALF_PRECISION_FILES = {"autocast.safetensors"}
HALF_RTOL = 2.0**-5


def read(path):
    raw = path.read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    return header, meta, data


def as_float64(dtype, values):
    """A tensor's values as float64; bfloat16 arrives as its bits (uint16), the high half of a float32."""
    if dtype == "BF16":
        return (values.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return values.astype(np.float64)


def differences(committed, fresh):
    """What differs between two fixture files, as short strings (empty: the same)."""
    if committed.suffix != ".safetensors":
        return [] if committed.read_bytes() == fresh.read_bytes() else ["text differs"]
    (h1, m1, d1), (h2, m2, d2) = read(committed), read(fresh)
    found = []
    if m1 != m2:
        found.append("metadata: " + ", ".join(sorted(k for k in set(m1) | set(m2) if m1.get(k) != m2.get(k)))[:200])
    if set(h1) != set(h2):
        found.append("tensors: " + ", ".join(sorted(set(h1) ^ set(h2)))[:200])
    for name in sorted(set(h1) & set(h2)):
        a, b = h1[name], h2[name]
        if (a["dtype"], a["shape"]) != (b["dtype"], b["shape"]):
            found.append(f"{name}: {a['dtype']}{a['shape']} vs {b['dtype']}{b['shape']}")
            continue
        kind = NUMPY[a["dtype"]]
        x = np.frombuffer(d1[slice(*a["data_offsets"])], dtype=kind)
        y = np.frombuffer(d2[slice(*b["data_offsets"])], dtype=kind)
        case = name.split(".")[1] if "." in name else ""
        half_case = HALF_PRECISION_CASE.search(case) or committed.name in HALF_PRECISION_FILES
        if a["dtype"] in ("BF16", "F16") or (half_case and a["dtype"] in RTOL):
            x, y, rtol = as_float64(a["dtype"], x), as_float64(a["dtype"], y), HALF_RTOL
        elif a["dtype"] in RTOL:
            # A float64 checksum ("<case>.out_sum") of a low-precision case carries that case's rounding.
            rtol = max(RTOL["F32"] if LOW_PRECISION_CASE.search(case) else 0.0, RTOL[a["dtype"]])
        else:
            rtol = None
        if rtol is None:
            same = x.tobytes() == y.tobytes()
        else:
            # Relative to the tensor's largest value: sums that nearly cancel keep their absolute rounding.
            finite = np.isfinite(x)
            scale = float(np.max(np.abs(x[finite]))) if finite.any() else 0.0
            same = np.allclose(x, y, rtol=rtol, atol=rtol * scale, equal_nan=True)
        if not same:
            found.append(f"{name}: values")
    return found


def main():
    python = os.environ.get("WICK_PYTHON", "/usr/bin/python3")
    passed = failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        for generator in sorted((ROOT / "tools").glob("gen_*fixtures.py")):
            out = Path(scratch) / generator.stem
            out.mkdir()
            run = subprocess.run([python, generator.name], cwd=ROOT / "tools", capture_output=True, text=True,
                                 env={**os.environ, "WICK_FIXTURES_OUT": str(out)}, stdin=subprocess.DEVNULL)
            if run.returncode != 0:
                print(f"{generator.name}: failed to run\n" + "\n".join(run.stderr.splitlines()[-5:]))
                failed += 1
                continue
            problems = []
            for fresh in sorted(out.iterdir()):
                committed = ROOT / "tests" / "fixtures" / fresh.name
                if not committed.exists():
                    problems.append(f"{fresh.name}: not committed")
                    continue
                problems += [f"{fresh.name}: {d}" for d in differences(committed, fresh)[:5]]
            if problems:
                print(f"{generator.name}: differs from tests/fixtures (regenerate: cd tools && {python} "
                      f"{generator.name})\n  " + "\n  ".join(problems))
                failed += 1
            else:
                print(f"{generator.name}: {len(list(out.iterdir()))} file(s) as committed")
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
