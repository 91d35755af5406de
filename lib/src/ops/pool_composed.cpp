#include "ops/pool_composed.h"

#include <limits>

#include "ops/window_taps.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::detail {
namespace {

// Every window's taps of x [N, C, H, W]: [N, C, KH * KW, OH * OW], padding and overhang reading `fill`.
Tensor windows(const Tensor& x, const Tensor& taps, double fill, int64_t OH, int64_t OW) {
  const int64_t N = x.size(0), C = x.size(1);
  return extend_planes(x.reshape({N, C, -1}), fill, fill).index_select(2, taps).view({N, C, -1, OH * OW});
}

// PyTorch's divisor of each average window [OH * OW]: its taps inside the input, or (count_include_pad) inside
// the padded input, which a ceil_mode window may overhang.
Tensor avg_divisors(const Tensor& taps, int64_t H, int64_t W, const PoolParams& p, int64_t OH, int64_t OW,
                    ScalarType dtype, Device device) {
  const TensorOptions options = TensorOptions().dtype(dtype).device(device);
  const Tensor counted = extend_planes(ones({H * W}, options), p.count_include_pad ? 1 : 0, 0);
  return counted.index_select(0, taps).view({-1, OH * OW}).sum({0});
}

}  // namespace

std::tuple<Tensor, Tensor> composed_max_pool2d(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes) {
  NoGradGuard no_grad;
  const int64_t N = x.size(0), C = x.size(1), OH = out_sizes[2], OW = out_sizes[3];
  const Tensor taps = window_taps(x.size(2), x.size(3), OH, OW, window_shape(p), x.device());
  const auto [values, tap] = max(windows(x, taps, -std::numeric_limits<double>::infinity(), OH, OW), 2);
  // The winning tap's position in the plane: taps [KH * KW, OH * OW] gathered at the winning row.
  const Tensor positions = taps.view({1, 1, -1, OH * OW}).expand({N, C, -1, OH * OW});
  const Tensor indices = positions.gather(2, tap.unsqueeze(2)).view(out_sizes);
  return {values.view(out_sizes), indices};
}

Tensor composed_max_pool2d_backward(const Tensor& gy, const Tensor& indices, IntArrayRef input_sizes) {
  NoGradGuard no_grad;
  const int64_t N = input_sizes[0], C = input_sizes[1];
  const Tensor planes =
      zeros({N, C, input_sizes[2] * input_sizes[3]}, TensorOptions().dtype(gy.dtype()).device(gy.device()));
  return planes.scatter_add(2, indices.reshape({N, C, -1}), gy.reshape({N, C, -1})).view(input_sizes);
}

Tensor composed_avg_pool2d(const Tensor& x, const PoolParams& p, IntArrayRef out_sizes) {
  NoGradGuard no_grad;
  const int64_t H = x.size(2), W = x.size(3), OH = out_sizes[2], OW = out_sizes[3];
  const Tensor taps = window_taps(H, W, OH, OW, window_shape(p), x.device());
  const Tensor sums = windows(x, taps, 0, OH, OW).sum({2});
  return (sums / avg_divisors(taps, H, W, p, OH, OW, x.dtype(), x.device())).view(out_sizes);
}

Tensor composed_avg_pool2d_backward(const Tensor& gy, IntArrayRef input_sizes, const PoolParams& p) {
  NoGradGuard no_grad;
  const int64_t N = input_sizes[0], C = input_sizes[1], H = input_sizes[2], W = input_sizes[3];
  const int64_t OH = gy.size(2), OW = gy.size(3), taps_per_window = p.kernel[0] * p.kernel[1];
  const Tensor taps = window_taps(H, W, OH, OW, window_shape(p), gy.device());
  // Each output's gradient, divided by its divisor, goes back to every tap of its window.
  const Tensor share = gy.reshape({N, C, 1, OH * OW}) / avg_divisors(taps, H, W, p, OH, OW, gy.dtype(), gy.device());
  const Tensor spread = share.expand({N, C, taps_per_window, OH * OW}).reshape({N, C, -1});
  const Tensor planes = zeros({N, C, H * W + 2}, TensorOptions().dtype(gy.dtype()).device(gy.device()));
  return planes.index_add(2, taps, spread).narrow(2, 0, H * W).reshape(input_sizes);
}

}  // namespace wick::detail
