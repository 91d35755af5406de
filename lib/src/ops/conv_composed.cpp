#include "ops/conv_composed.h"

#include "ops/window_taps.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::detail {
namespace {

// The column matrices of x [N, C, H, W] for kernels KH x KW: [N, G, C / G * KH * KW, OH * OW], rows ordered
// (channel, kh, kw) as a weight [OC, C / G, KH, KW] flattens.
Tensor im2col(const Tensor& x, const Tensor& taps, int64_t G, int64_t OH, int64_t OW) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const Tensor planes = extend_planes(x.reshape({N, G, C / G, H * W}), 0, 0);
  return planes.index_select(3, taps).view({N, G, -1, OH * OW});
}

}  // namespace

Tensor composed_conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p, IntArrayRef out_sizes) {
  NoGradGuard no_grad;
  const int64_t G = p.groups, OC = w.size(0), OH = out_sizes[2], OW = out_sizes[3];
  const Tensor taps = window_taps(x.size(2), x.size(3), OH, OW, window_shape(p, w.size(2), w.size(3)), x.device());
  // [G, OC / G, K] @ [N, G, K, OH * OW]: one batched matmul over images and groups.
  Tensor y = matmul(w.reshape({G, OC / G, -1}), im2col(x, taps, G, OH, OW)).reshape(out_sizes);
  if (b.defined()) y = y + b.view({1, OC, 1, 1});
  return y;
}

Tensor composed_conv2d_backward_input(const Tensor& gy, const Tensor& w, IntArrayRef input_sizes, const ConvParams& p) {
  NoGradGuard no_grad;
  const int64_t N = input_sizes[0], C = input_sizes[1], H = input_sizes[2], W = input_sizes[3];
  const int64_t G = p.groups, OC = w.size(0), OH = gy.size(2), OW = gy.size(3);
  const Tensor taps = window_taps(H, W, OH, OW, window_shape(p, w.size(2), w.size(3)), gy.device());
  // Columns [N, G, K, OH * OW] = W^T gy, then each column entry added back where im2col read it from (col2im).
  const Tensor cols = matmul(w.reshape({G, OC / G, -1}).transpose(1, 2), gy.reshape({N, G, OC / G, OH * OW}));
  const Tensor planes = zeros({N, G, C / G, H * W + 2}, TensorOptions().dtype(gy.dtype()).device(gy.device()));
  return planes.index_add(3, taps, cols.reshape({N, G, C / G, -1})).narrow(3, 0, H * W).reshape(input_sizes);
}

Tensor composed_conv2d_backward_weight(const Tensor& gy, const Tensor& x, IntArrayRef weight_sizes,
                                       const ConvParams& p) {
  NoGradGuard no_grad;
  const int64_t N = x.size(0), G = p.groups, OC = weight_sizes[0], OH = gy.size(2), OW = gy.size(3);
  const Tensor taps =
      window_taps(x.size(2), x.size(3), OH, OW, window_shape(p, weight_sizes[2], weight_sizes[3]), x.device());
  // Per image and group gy [OC / G, OH * OW] @ cols^T [OH * OW, K], summed over the images.
  const Tensor per_image = matmul(gy.reshape({N, G, OC / G, OH * OW}), im2col(x, taps, G, OH, OW).transpose(2, 3));
  return per_image.sum({0}).reshape(weight_sizes);
}

}  // namespace wick::detail
