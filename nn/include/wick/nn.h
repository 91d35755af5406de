// wick::nn: modules, layers, functional forms, losses and initialisation, mirroring LibTorch's torch::nn.
// Included by wick/wick.h.
#pragma once

#include "wick/nn/aliases.h"
#include "wick/nn/arg.h"
#include "wick/nn/enum.h"
#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/nn/module.h"
#include "wick/nn/modules/activation.h"
#include "wick/nn/modules/container.h"
#include "wick/nn/modules/conv.h"
#include "wick/nn/modules/dropout.h"
#include "wick/nn/modules/embedding.h"
#include "wick/nn/modules/linear.h"
#include "wick/nn/modules/loss.h"
#include "wick/nn/modules/normalization.h"
#include "wick/nn/modules/pooling.h"
#include "wick/nn/modules/rnn.h"
#include "wick/nn/modules/upsampling.h"
#include "wick/nn/ordered_dict.h"
#include "wick/nn/summary.h"
#include "wick/nn_ops.h"
