// Options of BatchNorm1d/2d/3d, LayerNorm, GroupNorm and of functional::normalize.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "wick/arg.h"
#include "wick/tensor.h"

namespace wick::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  WICK_ARG(int64_t, num_features);
  WICK_ARG(double, eps) = 1e-5;
  // nullopt: running statistics are cumulative averages over all batches seen.
  WICK_ARG(std::optional<double>, momentum) = 0.1;
  WICK_ARG(bool, affine) = true;
  WICK_ARG(bool, track_running_stats) = true;
};
using BatchNorm1dOptions = BatchNormOptions;
using BatchNorm2dOptions = BatchNormOptions;
using BatchNorm3dOptions = BatchNormOptions;

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  WICK_ARG(std::vector<int64_t>, normalized_shape);
  WICK_ARG(double, eps) = 1e-5;
  WICK_ARG(bool, elementwise_affine) = true;
};

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  WICK_ARG(int64_t, num_groups);
  WICK_ARG(int64_t, num_channels);
  WICK_ARG(double, eps) = 1e-5;
  WICK_ARG(bool, affine) = true;
};

namespace functional {
struct BatchNormFuncOptions {
  WICK_ARG(Tensor, weight);
  WICK_ARG(Tensor, bias);
  WICK_ARG(bool, training) = false;
  WICK_ARG(std::optional<double>, momentum) = 0.1;
  WICK_ARG(double, eps) = 1e-5;
};

struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  WICK_ARG(std::vector<int64_t>, normalized_shape);
  WICK_ARG(Tensor, weight);
  WICK_ARG(Tensor, bias);
  WICK_ARG(double, eps) = 1e-5;
};

struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}
  WICK_ARG(int64_t, num_groups);
  WICK_ARG(Tensor, weight);
  WICK_ARG(Tensor, bias);
  WICK_ARG(double, eps) = 1e-5;
};

struct NormalizeFuncOptions {
  WICK_ARG(double, p) = 2.0;
  WICK_ARG(int64_t, dim) = 1;
  WICK_ARG(double, eps) = 1e-12;
};
}  // namespace functional

}  // namespace wick::nn
