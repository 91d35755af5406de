// The whole public API: #include <wick/wick.h>. Headers are light (no xtensor, xsimd, oneDNN or CUDA), so a
// small program compiles in about a second.
#pragma once

#include "wick/cuda.h"
#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/error.h"
#include "wick/indexing.h"
#include "wick/op_registry.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"
#include "wick/random.h"
#include "wick/scalar.h"
#include "wick/serialize.h"
#include "wick/shape.h"
#include "wick/tensor.h"
#include "wick/tensor_options.h"

#include "wick/autograd/autograd.h"
#include "wick/autograd/function.h"
#include "wick/autograd/grad_mode.h"

#if __has_include("wick/nn.h")
#include "wick/nn.h"
#endif
#if __has_include("wick/optim.h")
#include "wick/optim.h"
#endif

namespace wick {
using namespace indexing;  // Slice, None, Ellipsis as in `using namespace torch::indexing`
}
