// LibTorch's <torch/csrc/autograd/profiler.h>, for ported programs: the same API is in <wick/profiler.h>.
#pragma once

#include "wick/profiler.h"
