// LibTorch's <torch/nn/modules/container/modulelist.h>, for ported programs: the same API is in <wick/nn/modules/container.h>.
#pragma once

#include "wick/nn/modules/container.h"
