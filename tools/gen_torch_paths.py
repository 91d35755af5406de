#!/usr/bin/env python3
"""Writes lib/api/torch_paths/wick/<path>: for each LibTorch header a ported program may include as
<torch/PATH> (which the port's sed makes <wick/PATH>) and that wick has no header of its own at, a one-line
forwarding header to the wick header holding the same API. `--check` compares instead of writing (tools/check
runs it, so the table and the committed headers never drift). Headers of LibTorch features wick lacks (jit,
python, fft, sparse, nested, special, linalg, chunk/stateful datasets, archives, fold, pixel shuffle, instance
norm) are left out on purpose: a port that needs them fails to compile on the
#include, which names what is missing. README's porting section lists them."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "lib/api/torch_paths/wick"

FORWARDS = {
    "all.h": "wick/torch.h",
    "autograd.h": "wick/torch.h",
    "types.h": "wick/torch.h",
    "utils.h": "wick/torch.h",
    "enum.h": "wick/nn/enum.h",
    "expanding_array.h": "wick/arg.h",
    "ordered_dict.h": "wick/nn/ordered_dict.h",
    "data/datasets.h": "wick/data.h",
    "data/datasets/base.h": "wick/data/dataset.h",
    "data/datasets/map.h": "wick/data/dataset.h",
    "data/dataloader/base.h": "wick/data/dataloader.h",
    "data/dataloader/stateless.h": "wick/data/dataloader.h",
    "data/dataloader_options.h": "wick/data/dataloader.h",
    "data/iterator.h": "wick/data/dataloader.h",
    # data/samplers/distributed.h needs no entry: wick's own header is at that path.
    "data/samplers/base.h": "wick/data/samplers.h",
    "data/samplers/random.h": "wick/data/samplers.h",
    "data/samplers/sequential.h": "wick/data/samplers.h",
    "data/transforms/base.h": "wick/data/transforms.h",
    "data/transforms/collate.h": "wick/data/transforms.h",
    "data/transforms/lambda.h": "wick/data/transforms.h",
    "data/transforms/stack.h": "wick/data/transforms.h",
    "data/transforms/tensor.h": "wick/data/transforms.h",
    "nn/modules.h": "wick/nn.h",
    "nn/options.h": "wick/nn.h",
    "nn/utils.h": "wick/nn.h",
    "nn/modules/batchnorm.h": "wick/nn.h",
    "nn/modules/common.h": "wick/nn/module.h",
    "nn/modules/container/any.h": "wick/nn/modules/container.h",
    "nn/modules/container/functional.h": "wick/nn/modules/container.h",
    "nn/modules/container/moduledict.h": "wick/nn/modules/container.h",
    "nn/modules/container/modulelist.h": "wick/nn/modules/container.h",
    "nn/modules/container/named_any.h": "wick/nn/modules/container.h",
    "nn/modules/container/parameterdict.h": "wick/nn/modules/parameter_containers.h",
    "nn/modules/container/parameterlist.h": "wick/nn/modules/parameter_containers.h",
    "nn/modules/container/sequential.h": "wick/nn/modules/container.h",
    "nn/modules/transformercoder.h": "wick/nn/modules/transformer.h",
    "nn/modules/transformerlayer.h": "wick/nn/modules/transformer.h",
    "nn/options/batchnorm.h": "wick/nn.h",
    "nn/options/transformercoder.h": "wick/nn/options/transformer.h",
    "nn/options/transformerlayer.h": "wick/nn/options/transformer.h",
    "nn/functional/activation.h": "wick/nn/functional.h",
    "nn/functional/batchnorm.h": "wick/nn/functional.h",
    "nn/functional/conv.h": "wick/nn/functional.h",
    "nn/functional/distance.h": "wick/nn/functional.h",
    "nn/functional/dropout.h": "wick/nn/functional.h",
    "nn/functional/embedding.h": "wick/nn/functional.h",
    "nn/functional/linear.h": "wick/nn/functional.h",
    "nn/functional/loss.h": "wick/nn/functional.h",
    "nn/functional/normalization.h": "wick/nn/functional.h",
    "nn/functional/padding.h": "wick/nn/functional.h",
    "nn/functional/pooling.h": "wick/nn/functional.h",
    "nn/functional/upsampling.h": "wick/nn/functional.h",
    "optim/schedulers/lr_scheduler.h": "wick/optim/lr_scheduler.h",
    "optim/schedulers/step_lr.h": "wick/optim/lr_scheduler.h",
    "optim/serialize.h": "wick/serialize.h",
    "serialize/tensor.h": "wick/serialize.h",
    # Outside the C++ frontend's folder, but a LibTorch program includes it by this path for RecordProfile.
    "csrc/autograd/profiler.h": "wick/profiler.h",
}


def text(path, target):
    return (f"// LibTorch's <torch/{path}>, for ported programs: the same API is in <{target}>.\n"
            f"#pragma once\n\n#include \"{target}\"\n")


def main():
    check = "--check" in sys.argv[1:]
    wanted = {OUT / path: text(path, target) for path, target in FORWARDS.items()}
    present = set(OUT.rglob("*.h")) if OUT.exists() else set()
    stale = sorted(str(p.relative_to(ROOT)) for p in present - set(wanted))
    differ = sorted(str(p.relative_to(ROOT)) for p, t in wanted.items() if not p.exists() or p.read_text() != t)
    if check:
        for p in stale + differ:
            print(f"{p}: not what tools/gen_torch_paths.py writes (run it)")
        return 1 if stale or differ else 0
    for p in present - set(wanted):
        p.unlink()
    for p, t in wanted.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
