// LibTorch's <torch/data/datasets.h>, for ported programs: the same API is in <wick/data.h>.
#pragma once

#include "wick/data.h"
