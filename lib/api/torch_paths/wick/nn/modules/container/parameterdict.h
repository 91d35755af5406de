// LibTorch's <torch/nn/modules/container/parameterdict.h>, for ported programs: the same API is in <wick/nn/modules/parameter_containers.h>.
#pragma once

#include "wick/nn/modules/parameter_containers.h"
