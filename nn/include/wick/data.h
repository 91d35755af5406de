// wick::data: datasets, transforms, samplers and data loaders, shaped as LibTorch's torch::data.
#pragma once

#include "wick/data/dataloader.h"
#include "wick/data/dataset.h"
#include "wick/data/datasets/csv.h"
#include "wick/data/datasets/mnist.h"
#include "wick/data/datasets/subset.h"
#include "wick/data/datasets/tensor.h"
#include "wick/data/example.h"
#include "wick/data/samplers.h"
#include "wick/data/samplers/distributed.h"
#include "wick/data/transforms.h"
