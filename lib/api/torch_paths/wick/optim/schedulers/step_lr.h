// LibTorch's <torch/optim/schedulers/step_lr.h>, for ported programs: the same API is in <wick/optim/lr_scheduler.h>.
#pragma once

#include "wick/optim/lr_scheduler.h"
