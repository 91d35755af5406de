// LibTorch's <torch/nn/options/transformerlayer.h>, for ported programs: the same API is in <wick/nn/options/transformer.h>.
#pragma once

#include "wick/nn/options/transformer.h"
