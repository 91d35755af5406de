// LibTorch's <torch/expanding_array.h>, for ported programs: the same API is in <wick/arg.h>.
#pragma once

#include "wick/arg.h"
