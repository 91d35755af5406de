// LibTorch's <torch/serialize/tensor.h>, for ported programs: the same API is in <wick/serialize.h>.
#pragma once

#include "wick/serialize.h"
