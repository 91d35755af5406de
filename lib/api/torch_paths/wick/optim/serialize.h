// LibTorch's <torch/optim/serialize.h>, for ported programs: the same API is in <wick/serialize.h>.
#pragma once

#include "wick/serialize.h"
