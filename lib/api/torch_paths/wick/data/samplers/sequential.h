// LibTorch's <torch/data/samplers/sequential.h>, for ported programs: the same API is in <wick/data/samplers.h>.
#pragma once

#include "wick/data/samplers.h"
