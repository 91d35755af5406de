// Sliding 2-D windows over NCHW planes as index maps, so that convolution and pooling can be composed from
// index_select / index_add when a backend does not fuse them (see fused.h).
#pragma once

#include <cstdint>

#include "backend.h"
#include "wick/tensor.h"

namespace wick::detail {

// A window's geometry along the two spatial dims (ConvParams and PoolParams both give one).
struct WindowShape {
  int64_t kernel[2], stride[2], padding[2], dilation[2];
};

inline WindowShape window_shape(const PoolParams& p) {
  return {{p.kernel[0], p.kernel[1]},
          {p.stride[0], p.stride[1]},
          {p.padding[0], p.padding[1]},
          {p.dilation[0], p.dilation[1]}};
}
inline WindowShape window_shape(const ConvParams& p, int64_t kh, int64_t kw) {
  return {{kh, kw}, {p.stride[0], p.stride[1]}, {p.padding[0], p.padding[1]}, {p.dilation[0], p.dilation[1]}};
}

// For every tap (kh, kw) of every output (oh, ow), in that order, its flat position ih * W + iw in an H x W plane
// extended by two slots: H * W for a tap in the padding, H * W + 1 for one past it (where a ceil_mode window
// overhangs). An int64 vector of KH * KW * OH * OW entries on `device`, for index_select / index_add along the
// plane's flattened dim; the result views as [..., KH * KW, OH * OW].
Tensor window_taps(int64_t H, int64_t W, int64_t OH, int64_t OW, const WindowShape& w, Device device);

// planes [..., H * W] with the two slots of window_taps appended, holding `padding` and `beyond`.
Tensor extend_planes(const Tensor& planes, double padding, double beyond);

}  // namespace wick::detail
