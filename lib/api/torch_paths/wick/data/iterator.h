// LibTorch's <torch/data/iterator.h>, for ported programs: the same API is in <wick/data/dataloader.h>.
#pragma once

#include "wick/data/dataloader.h"
