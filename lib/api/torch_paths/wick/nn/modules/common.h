// LibTorch's <torch/nn/modules/common.h>, for ported programs: the same API is in <wick/nn/module.h>.
#pragma once

#include "wick/nn/module.h"
