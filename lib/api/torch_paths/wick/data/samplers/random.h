// LibTorch's <torch/data/samplers/random.h>, for ported programs: the same API is in <wick/data/samplers.h>.
#pragma once

#include "wick/data/samplers.h"
