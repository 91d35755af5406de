// Recorded strided views and writes into a contiguous base, used to rebase a base's history after an
// in-place write through one of its views (PyTorch's CopySlices).
#pragma once

#include "wick/tensor.h"

namespace wick {

// The region (sizes, strides, offset relative to base's own offset) of a contiguous base, as a view.
Tensor as_strided_region(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
// A copy of base with that region replaced by src.
Tensor as_strided_scatter(const Tensor& base, const Tensor& src, IntArrayRef sizes, IntArrayRef strides,
                          int64_t offset);

}  // namespace wick
