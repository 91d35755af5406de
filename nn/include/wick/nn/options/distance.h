// Options of CosineSimilarity and PairwiseDistance, and of their functional forms (the same structs, as in LibTorch).
#pragma once

#include <cstdint>

#include "wick/arg.h"

namespace wick::nn {

struct CosineSimilarityOptions {
  WICK_ARG(int64_t, dim) = 1;
  WICK_ARG(double, eps) = 1e-8;
};

struct PairwiseDistanceOptions {
  WICK_ARG(double, p) = 2.0;
  WICK_ARG(double, eps) = 1e-6;
  WICK_ARG(bool, keepdim) = false;
};

namespace functional {
using CosineSimilarityFuncOptions = CosineSimilarityOptions;
using PairwiseDistanceFuncOptions = PairwiseDistanceOptions;
}  // namespace functional

}  // namespace wick::nn
