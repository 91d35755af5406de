// LibTorch's <torch/autograd.h>, for ported programs: the same API is in <wick/torch.h>.
#pragma once

#include "wick/torch.h"
