// wick::optim: optimizers, learning-rate schedules and gradient clipping, mirroring LibTorch's torch::optim;
// plus wick::data (datasets and loaders) and wick::save/wick::load checkpoints. Included by wick/wick.h.
#pragma once

#include "wick/checkpoint.h"
#include "wick/nn/utils/clip_grad.h"
#include "wick/optim/adagrad.h"
#include "wick/optim/adam.h"
#include "wick/optim/adamw.h"
#include "wick/optim/lr_scheduler.h"
#include "wick/optim/optimizer.h"
#include "wick/optim/reduce_lr_on_plateau.h"
#include "wick/optim/rmsprop.h"
#include "wick/optim/sgd.h"

// wick::data lives in nn/ (DESIGN: nn holds data loading); it joins the umbrella here.
#include "wick/data.h"
