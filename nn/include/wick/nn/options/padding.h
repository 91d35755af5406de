// Options of functional::pad, as LibTorch's F::PadFuncOptions({left, right, top, bottom}).mode(torch::kReflect).
#pragma once

#include <cstdint>
#include <vector>

#include "wick/arg.h"
#include "wick/nn/enum.h"

namespace wick::nn::functional {

using PadMode = Choice<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;

struct PadFuncOptions {
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}
  // (left, right) for the last dim, then (top, bottom) for the one before, and so on.
  WICK_ARG(std::vector<int64_t>, pad);
  WICK_ARG(PadMode, mode) = kConstant;
  WICK_ARG(double, value) = 0;  // constant mode's fill
};

}  // namespace wick::nn::functional
