// Index expressions for Tensor::index / index_put_, spelled as in LibTorch:
//   t.index({Slice(0, 2), 1, None, Ellipsis, mask_or_index_tensor})
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace wick {

class Tensor;

namespace indexing {

// A Slice without a stop runs to the end of the dim (wick::kNone is the loss-reduction tag, as in LibTorch).
inline constexpr int64_t kSliceToEnd = std::numeric_limits<int64_t>::max();

struct Slice {
  Slice(std::optional<int64_t> start = std::nullopt, std::optional<int64_t> stop = std::nullopt,
        std::optional<int64_t> step = std::nullopt)
      : start(start.value_or(0)), stop(stop.value_or(kSliceToEnd)), step(step.value_or(1)) {}
  int64_t start, stop, step;
};

// As in LibTorch, None is nullopt: both an open Slice bound and a new-axis index.
inline constexpr std::nullopt_t None = std::nullopt;
struct EllipsisIndex {};
inline constexpr EllipsisIndex Ellipsis{};

}  // namespace indexing

}  // namespace wick
