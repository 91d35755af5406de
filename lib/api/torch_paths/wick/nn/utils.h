// LibTorch's <torch/nn/utils.h>, for ported programs: the same API is in <wick/nn.h>.
#pragma once

#include "wick/nn.h"
