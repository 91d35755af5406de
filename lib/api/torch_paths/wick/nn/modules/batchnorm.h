// LibTorch's <torch/nn/modules/batchnorm.h>, for ported programs: the same API is in <wick/nn.h>.
#pragma once

#include "wick/nn.h"
