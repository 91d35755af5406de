// Operand layouts the vector kernels take directly: laid out like a contiguous output, or one value for all.
#pragma once

#include <cstdint>

#include "backend.h"

namespace wick::cpu {

// An input laid out exactly like the (contiguous) output, or a broadcast single value.
inline bool dense_or_scalar(const View& v, const View& out) {
  bool scalar = true, same = true;
  for (int d = 0; d < out.ndim; ++d) {
    if (out.sizes[d] == 1) continue;
    scalar = scalar && v.strides[d] == 0;
    same = same && v.strides[d] == out.strides[d];
  }
  return scalar || same;
}

// The element stride a dense_or_scalar input walks with: 1, or 0 for a broadcast single value.
inline int64_t unit_stride(const View& v) {
  for (int d = 0; d < v.ndim; ++d)
    if (v.sizes[d] != 1 && v.strides[d] != 0) return 1;
  return 0;
}

}  // namespace wick::cpu
