#!/usr/bin/env python3
"""Checks, on a configured and built meson folder, that wick's layers point down only.

    tools/check_layers.py BUILD_DIR            check; prints one line per layer, then "N passed, N failed"
    tools/check_layers.py BUILD_DIR --dot F    also write the layer picture (Graphviz) that the build implies

Three checks per layer, all read from what meson actually passes, not from a list kept by hand:
  1. folders: every -I of the layer's compile commands is one of its own folders or a public folder of a
     layer below it;
  2. includes: with those exact flags the compiler accepts a header of every layer below and rejects one
     of every other layer (so `#include "wick/nn/module.h"` in core fails to compile: the deliberate wrong
     include the layering promises to stop);
  3. symbols: no object of the layer's archive needs a symbol that only a layer above (or beside) defines.
"""
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name, archive (under the build folder), public include folders, private folders, one public header to probe
# with, the layers whose public headers and symbols it may use. Bottom up; nn and optim are siblings that must not
# see each other. The backend interface is not public: only core, which owns the dispatch, compiles against it.
LAYERS = [
    ("base", "lib/base/libwick_base.a", ["lib/base/include"], ["lib/base/src"], "wick/error.h", []),
    ("kernels", "kernels/libwick_kernels.a", ["kernels/cuda/include"], ["kernels", "kernels/cpu"], "wick/cuda.h",
     ["base"]),
    ("core", "lib/libwick_core.a", ["lib/include"], ["lib/src"], "wick/tensor.h", ["base", "kernels"]),
    ("autograd", "autograd/libwick_autograd.a", ["autograd/include"], ["autograd/src"],
     "wick/autograd/gradcheck.h", ["base", "core"]),
    ("nn", "nn/libwick_nn.a", ["nn/include"], ["nn/src"], "wick/nn/module.h", ["base", "core", "autograd"]),
    ("optim", "optim/libwick_optim.a", ["optim/include"], ["optim/src"], "wick/optim/optimizer.h",
     ["base", "core", "autograd"]),
    ("api", "lib/api/libwick_api.a", ["lib/api/include", "lib/api/torch_paths"], ["lib/api/c_api"], "wick/wick.h",
     ["base", "kernels", "core", "autograd", "nn", "optim"]),
    # Not part of libwick, and built only where meson finds MPI: checked when its archive is there.
    ("distributed", "distributed/libwick_distributed.a", ["distributed/include"], ["distributed/src"],
     "wick/distributed/work.h", ["base", "kernels", "core", "autograd"]),
]
OPTIONAL_LAYERS = {"distributed"}
# Folders and headers only some layers may see: the backend interface (kernels/interface) is core's way down.
RESTRICTED_FOLDERS = {"kernels/interface": {"kernels", "core"}}
RESTRICTED_PROBES = {"backend.h": {"kernels", "core"}, "cpu_backend.h": {"kernels"},
                     "tensor_factory.h": {"core"}, "engine.h": {"autograd"}}
LAYER_OF_ARCHIVE_DIR = {"libwick_" + name + ".a.p": name for name, *_ in LAYERS}


def layer_of_output(output):
    """The layer an object file belongs to, from meson's per-target folder name."""
    target_dir = Path(output).parent.name
    if target_dir.startswith("libwick_simd_"):
        return "kernels"  # linked whole into wick_kernels
    return LAYER_OF_ARCHIVE_DIR.get(target_dir)


def compile_flags(build):
    """Per layer: the compiler, the -I folders (relative to the repository) and the other flags a probe needs."""
    commands = json.loads((build / "compile_commands.json").read_text())
    flags = {}
    for entry in commands:
        layer = layer_of_output(entry["output"])
        if layer is None or not entry["file"].endswith(".cpp"):
            continue
        words = shlex.split(entry["command"])
        directory = Path(entry["directory"])
        info = flags.setdefault(layer, {"compiler": words[0], "includes": set(), "system": [], "defines": []})
        for word in words[1:]:
            if word.startswith("-I"):
                folder = (directory / word[2:]).resolve()
                if folder.is_relative_to(build.resolve()):  # meson's own per-target build folders
                    continue
                if folder.is_relative_to(ROOT):
                    info["includes"].add(folder.relative_to(ROOT).as_posix())
                elif str(folder) not in info["system"]:  # a dependency's headers (MPI's), not a layer's
                    info["system"].append(str(folder))
            elif word.startswith(("-D", "-std=")) and word not in info["defines"]:
                info["defines"].append(word)
    return flags


def compiles(info, header):
    command = [info["compiler"], "-fsyntax-only", "-x", "c++", "-", *info["defines"]]
    command += ["-I" + str(ROOT / folder) for folder in sorted(info["includes"])]
    command += ["-isystem" + folder for folder in info["system"]]
    probe = subprocess.run(command, input=f'#include "{header}"\n', text=True, capture_output=True)
    return probe.returncode == 0, probe.stderr.strip().splitlines()[:1]


def symbols(archive):
    """(defined, undefined) mangled names of a static archive."""
    run = subprocess.run(["nm", "--format=posix", str(archive)], text=True, capture_output=True, check=True)
    defined, undefined = set(), set()
    for line in run.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.endswith(":"):
            (undefined if parts[1] in ("U", "w", "v") else defined).add(parts[0])
    return defined, undefined


def check_layer(layer, flags, defined, undefined):
    name, _, public, private, _, allowed = layer
    problems = []
    if name not in flags:
        return [f"no compile command of {name} in compile_commands.json"]
    info = flags[name]
    visible = set(public) | set(private)
    for lower in LAYERS:
        if lower[0] in allowed:
            visible |= set(lower[2])
    visible |= {folder for folder, users in RESTRICTED_FOLDERS.items() if name in users}
    for folder in sorted(info["includes"] - visible):
        problems.append(f"compiled with -I{folder}, which is not {name}'s nor a public folder below it")
    for other in LAYERS:
        may = other[0] == name or other[0] in allowed
        ok, why = compiles(info, other[4])
        if ok != may:
            problems.append(f'#include "{other[4]}" ({other[0]}) ' +
                            ("compiles, but that layer is not below it" if ok else f"fails: {why}"))
    for header, users in RESTRICTED_PROBES.items():
        may = name in users
        ok, why = compiles(info, header)
        if ok != may:
            problems.append(f'#include "{header}" ' + (f"compiles, but only {sorted(users)} may include it"
                                                       if ok else f"fails: {why}"))
    mine = set(defined[name]).union(*(defined[lower] for lower in allowed))
    for other in LAYERS:
        if other[0] == name or other[0] in allowed:
            continue
        reached = sorted((undefined[name] & defined[other[0]]) - mine)
        if reached:
            demangled = subprocess.run(["c++filt"], input="\n".join(reached[:3]), text=True,
                                       capture_output=True).stdout.split("\n")
            problems.append(f"uses {len(reached)} symbol(s) defined in {other[0]}, above it: " +
                            "; ".join(s for s in demangled if s))
    return problems


def write_dot(path, flags):
    """The layers and which one's public headers each compiles against, with implied edges left out."""
    direct = {}
    for name, _, public, *_ in LAYERS:
        direct[name] = [lower for lower, _, lower_public, *_ in LAYERS
                        if lower != name and set(lower_public) & flags.get(name, {}).get("includes", set())]

    def reaches(a, b, seen=()):
        return any(c == b or (c not in seen and reaches(c, b, seen + (c,))) for c in direct[a])

    lines = ["// Generated by tools/check_layers.py BUILD --dot; render: dot -Tsvg tools/layers.dot",
             "digraph wick_layers {", "  rankdir=BT; node [shape=box, fontname=Helvetica];"]
    for name, _, public, private, *_ in LAYERS:
        label = f"{name}\\n" + "\\n".join(public + private)
        lines.append(f'  {name} [label="{label}"];')
    for name, lowers in direct.items():
        for lower in lowers:
            if not any(reaches(other, lower) for other in lowers if other != lower):
                lines.append(f"  {name} -> {lower};")
    lines.append("}")
    Path(path).write_text("\n".join(lines) + "\n")


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--dot"):
        sys.exit(__doc__)
    build = Path(sys.argv[1]).resolve()
    global LAYERS
    LAYERS = [layer for layer in LAYERS if layer[0] not in OPTIONAL_LAYERS or (build / layer[1]).exists()]
    flags = compile_flags(build)
    defined, undefined = {}, {}
    for name, archive, *_ in LAYERS:
        defined[name], undefined[name] = symbols(build / archive)
    passed = failed = 0
    for layer in LAYERS:
        problems = check_layer(layer, flags, defined, undefined)
        print(f"layer {layer[0]}: " + ("ok" if not problems else "FAILED"))
        for problem in problems:
            print(f"  {problem}")
        passed, failed = passed + (not problems), failed + bool(problems)
    if len(sys.argv) == 4:
        write_dot(sys.argv[3], flags)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
