// LibTorch's <torch/enum.h>, for ported programs: the same API is in <wick/nn/enum.h>.
#pragma once

#include "wick/nn/enum.h"
