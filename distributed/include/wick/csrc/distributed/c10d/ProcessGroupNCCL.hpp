// LibTorch's <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>, as the port's `<torch/` -> `<wick/` makes it
// (see wick/distributed/porting.h).
#pragma once

#include "wick/distributed/porting.h"
