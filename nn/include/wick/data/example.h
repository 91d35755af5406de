// One training example (or, after transforms::Stack, one batch): data and target, as torch::data::Example.
#pragma once

#include <utility>

#include "wick/tensor.h"

namespace wick::data {

template <class Data = Tensor, class Target = Tensor>
struct Example {
  using DataType = Data;
  using TargetType = Target;

  Example() = default;
  Example(Data data, Target target) : data(std::move(data)), target(std::move(target)) {}

  Data data;
  Target target;
};

}  // namespace wick::data
