// Options of Upsample and functional::interpolate.
#pragma once

#include <optional>
#include <vector>

#include "wick/arg.h"
#include "wick/nn/enum.h"

namespace wick::nn {

using InterpolateMode = Choice<enumtype::kNearest, enumtype::kLinear, enumtype::kBilinear, enumtype::kTrilinear>;

struct UpsampleOptions {
  WICK_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  WICK_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  WICK_ARG(InterpolateMode, mode) = kNearest;
  WICK_ARG(std::optional<bool>, align_corners) = std::nullopt;
};

namespace functional {
struct InterpolateFuncOptions {
  WICK_ARG(std::optional<std::vector<int64_t>>, size) = std::nullopt;
  WICK_ARG(std::optional<std::vector<double>>, scale_factor) = std::nullopt;
  WICK_ARG(InterpolateMode, mode) = kNearest;
  WICK_ARG(std::optional<bool>, align_corners) = std::nullopt;
  // true: derive the source positions from the computed output size instead of the scale factor.
  WICK_ARG(std::optional<bool>, recompute_scale_factor) = std::nullopt;
};
}  // namespace functional

}  // namespace wick::nn
