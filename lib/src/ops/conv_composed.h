// The three kernels of a 2-D convolution composed from core primitives (index_select, index_add, matmul, sum)
// for backends without fused convolution: im2col as an index_select of window taps, col2im as an index_add of
// them. conv.cpp records each as one op, as it records the fused kernels; these run with grad mode off.
#pragma once

#include "backend.h"
#include "wick/tensor.h"

namespace wick::detail {

// conv2d(x, w) + b for x [N, C, H, W], w [OC, C / G, KH, KW]; out_sizes [N, OC, OH, OW].
Tensor composed_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p, IntArrayRef out_sizes);
// The gradient with respect to the input (the forward of a transposed convolution), shaped input_sizes.
Tensor composed_conv2d_backward_input(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p);
// The gradient with respect to the weight, shaped weight_sizes, given the forward input x.
Tensor composed_conv2d_backward_weight(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes,
                                       const ConvParams& p);

}  // namespace wick::detail
