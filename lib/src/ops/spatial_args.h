// The integer-list arguments of the convolution and pooling ops (kernel_size, stride, padding, dilation, ...):
// one value for every spatial dim or one per dim, as LibTorch's ExpandingArray arguments.
#pragma once

#include "wick/tensor.h"

namespace wick::detail {

// Writes `spatial` values into out[0, spatial): v's one value repeated, or v's own; each must be at least `min`
// (0: "non-negative", 1: "positive"), else a wick::Error naming `op` and the argument.
inline void spread_spatial(const char* op, const char* what, IntArrayRef v, int spatial, int64_t* out, int64_t min) {
  WICK_CHECK(v.size() == 1 || int(v.size()) == spatial, op, what, " must have 1 or ", spatial, " values, got ",
             shape_str(v));
  for (int i = 0; i < spatial; ++i) {
    const int64_t x = v[v.size() == 1 ? 0 : size_t(i)];
    WICK_CHECK(x >= min, op, what, " must be ", min == 0 ? "non-negative" : "positive", ", got ", shape_str(v));
    out[i] = x;
  }
}

// PyTorch's pooling_output_shape: a ceil-mode window must start inside the input or its left padding.
inline int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t s, int64_t d, bool ceil_mode) {
  const int64_t span = in + 2 * pad - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0);
  int64_t out = (span >= 0 ? span / s : -((-span + s - 1) / s)) + 1;
  if (ceil_mode && (out - 1) * s >= in + pad) --out;
  return out;
}

}  // namespace wick::detail
