// LibTorch's <torch/nn/modules/transformerlayer.h>, for ported programs: the same API is in <wick/nn/modules/transformer.h>.
#pragma once

#include "wick/nn/modules/transformer.h"
