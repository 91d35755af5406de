// LibTorch's <torch/ordered_dict.h>, for ported programs: the same API is in <wick/nn/ordered_dict.h>.
#pragma once

#include "wick/nn/ordered_dict.h"
