// How both backends read the shape of a reduction, a softmax and a pooling from the views lib/ passes: the
// host-side planning shared by kernels/cpu and kernels/cuda, so the two cannot disagree on a layout.
#pragma once

#include <cstdint>

#include "backend.h"
#include "host_device.h"

namespace wick::kernels {

// ---- reductions --------------------------------------------------------------------------------------
struct ReduceDim {
  int64_t size, in_stride, out_stride;  // element strides; out_stride 0: a reduced dim
};

// Orders the dims of a reduction (out has in's shape, stride 0 on reduced dims) as kept (outer) then reduced
// (inner), each group keeping its order, drops size-1 dims, and merges neighbours that walk memory as one.
// Returns how many dims `dims` (room for in.ndim) holds.
inline int plan_reduce_dims(const View& out, const View& in, ReduceDim* dims) {
  int n = 0;
  for (int pass = 0; pass < 2; ++pass)
    for (int d = 0; d < in.ndim; ++d) {
      if (in.sizes[d] == 1) continue;
      const bool reduced = out.strides[d] == 0;
      if (reduced != (pass == 1)) continue;
      dims[n++] = ReduceDim{in.sizes[d], in.strides[d], out.strides[d]};
    }
  int m = 0;
  for (int d = 0; d < n; ++d) {
    if (m > 0 && (dims[m - 1].out_stride == 0) == (dims[d].out_stride == 0) &&
        dims[m - 1].in_stride == dims[d].in_stride * dims[d].size &&
        dims[m - 1].out_stride == dims[d].out_stride * dims[d].size) {
      dims[m - 1].size *= dims[d].size;
      dims[m - 1].in_stride = dims[d].in_stride;
      dims[m - 1].out_stride = dims[d].out_stride;
    } else {
      dims[m++] = dims[d];
    }
  }
  return m;
}

// ---- softmax -----------------------------------------------------------------------------------------
// A contiguous tensor seen as [outer, len, inner] around the softmax dim.
struct SoftmaxLayout {
  int64_t outer = 1, len = 1, inner = 1;
};

inline SoftmaxLayout softmax_layout(const View& v, int dim) {
  SoftmaxLayout l;
  for (int d = 0; d < v.ndim; ++d) {
    if (d < dim)
      l.outer *= v.sizes[d];
    else if (d == dim)
      l.len = v.sizes[d];
    else
      l.inner *= v.sizes[d];
  }
  return l;
}

// ---- pooling -----------------------------------------------------------------------------------------
// NCHW input and output as N * C independent planes.
struct PoolPlanes {
  int64_t planes, H, W, OH, OW;
};

inline PoolPlanes pool_planes(const View& input, const View& out) {
  return PoolPlanes{input.sizes[0] * input.sizes[1], input.sizes[2], input.sizes[3], out.sizes[2], out.sizes[3]};
}

// The first in-range tap of a dilated window starting at `start` (which may lie in the padding).
WICK_HOST_DEVICE int64_t first_tap(int64_t start, int64_t dilation) {
  while (start < 0) start += dilation;
  return start;
}

// PyTorch's average-pool window along one dim: [begin, end) clipped to the input, and its length with padding
// (what count_include_pad divides by).
struct PoolSpan {
  int64_t begin, end, padded;
};

WICK_HOST_DEVICE PoolSpan avg_pool_span(int64_t o, int64_t k, int64_t stride, int64_t pad, int64_t size) {
  const int64_t s = o * stride - pad;
  const int64_t e = s + k < size + pad ? s + k : size + pad;
  return PoolSpan{s > 0 ? s : 0, e < size ? e : size, e - s};
}

// The divisor of the average window of output (oh, ow), from its two spans.
WICK_HOST_DEVICE int64_t avg_pool_divisor(const PoolSpan& h, const PoolSpan& w, bool count_include_pad) {
  return count_include_pad ? h.padded * w.padded : (h.end - h.begin) * (w.end - w.begin);
}

}  // namespace wick::kernels
