// LibTorch's <torch/data/transforms/tensor.h>, for ported programs: the same API is in <wick/data/transforms.h>.
#pragma once

#include "wick/data/transforms.h"
