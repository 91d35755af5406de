// LibTorch's <torch/nn/options/transformercoder.h>, for ported programs: the same API is in <wick/nn/options/transformer.h>.
#pragma once

#include "wick/nn/options/transformer.h"
