// The whole public API: #include <wick/wick.h>, as <torch/torch.h>. Headers are light (no xtensor, xsimd, oneDNN or
// CUDA), so a small program compiles in about a second. This header sits in the top layer (api/): it is the one
// place that sees every layer below.
#pragma once

#include "wick/arg.h"
#include "wick/autocast.h"
#include "wick/compile.h"
#include "wick/cuda.h"
#include "wick/deterministic_numerics.h"
#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/error.h"
#include "wick/grad_mode.h"
#include "wick/indexing.h"
#include "wick/memory_stats.h"
#include "wick/nn_ops.h"
#include "wick/op_registry.h"
#include "wick/ops.h"
#include "wick/profiler.h"
#include "wick/quantized_linear.h"
#include "wick/random.h"
#include "wick/safetensors.h"
#include "wick/scalar.h"
#include "wick/shape.h"
#include "wick/tensor.h"
#include "wick/tensor_options.h"

#include "wick/autograd/autograd.h"
#include "wick/autograd/checkpoint.h"
#include "wick/autograd/function.h"

#include "wick/data.h"
#include "wick/nn.h"
#include "wick/optim.h"
#include "wick/serialize.h"

namespace wick {
using namespace indexing;  // Slice, None, Ellipsis as in `using namespace torch::indexing`
}
