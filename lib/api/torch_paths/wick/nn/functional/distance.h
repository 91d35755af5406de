// LibTorch's <torch/nn/functional/distance.h>, for ported programs: the same API is in <wick/nn/functional.h>.
#pragma once

#include "wick/nn/functional.h"
