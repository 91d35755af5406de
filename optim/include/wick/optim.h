// wick::optim: optimizers and learning-rate schedules, mirroring LibTorch's torch::optim. Included by wick/wick.h.
#pragma once

#include "wick/optim/adadelta.h"
#include "wick/optim/adagrad.h"
#include "wick/optim/adam.h"
#include "wick/optim/adamax.h"
#include "wick/optim/adamw.h"
#include "wick/optim/barzilai_borwein.h"
#include "wick/optim/grad_scaler.h"
#include "wick/optim/lbfgs.h"
#include "wick/optim/lr_scheduler.h"
#include "wick/optim/nadam.h"
#include "wick/optim/optimizer.h"
#include "wick/optim/radam.h"
#include "wick/optim/reduce_lr_on_plateau.h"
#include "wick/optim/rmsprop.h"
#include "wick/optim/rprop.h"
#include "wick/optim/sgd.h"
