// LibTorch's <torch/data/datasets/base.h>, for ported programs: the same API is in <wick/data/dataset.h>.
#pragma once

#include "wick/data/dataset.h"
