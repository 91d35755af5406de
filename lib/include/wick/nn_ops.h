// Convolution, pooling and resampling ops (NCHW; NCDHW for the 3-D forms), spelled as LibTorch's torch::conv2d,
// torch::max_pool2d, ... They back wick::nn's layers and record their derivatives like every other op. Integer-list arguments take
// one value for all spatial dims or one per dim: conv2d(x, w, b, /*stride=*/2, /*padding=*/{1, 0}).
// An unbatched input ([C, H, W], or [C, L] for the 1-d forms) is treated as a batch of one.
#pragma once

#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "wick/tensor.h"

namespace wick {

namespace detail {
Tensor conv_padding_mode(const char* op, int spatial, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         IntArrayRef stride, std::string_view padding, IntArrayRef dilation, int64_t groups);
template <class S>
inline constexpr bool is_padding_mode_v = std::is_convertible_v<const S&, std::string_view> && !std::is_arithmetic_v<S>;
}  // namespace detail

// ---- convolution: weight [out_channels, in_channels / groups, kH, kW] ------------------------------------
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
// padding "same" (output size = input size; stride 1 only) or "valid" (no padding), as PyTorch.
template <class S, std::enable_if_t<detail::is_padding_mode_v<S>, int> = 0>
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding_mode("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}
template <class S, std::enable_if_t<detail::is_padding_mode_v<S>, int> = 0>
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding_mode("conv1d", 1, input, weight, bias, stride, padding, dilation, groups);
}
// Transposed convolution (the gradient of conv2d with respect to its input): weight
// [in_channels, out_channels / groups, kH, kW].
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

// 3-D (NCDHW): input [N, C, D, H, W] or unbatched [C, D, H, W], weight [out_channels, in_channels / groups, kD, kH,
// kW]. Run as one 2-D convolution with the depth dim folded into batch and channels.
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
              IntArrayRef padding = 0, IntArrayRef dilation = 1, int64_t groups = 1);
template <class S, std::enable_if_t<detail::is_padding_mode_v<S>, int> = 0>
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, IntArrayRef stride, const S& padding,
              IntArrayRef dilation = 1, int64_t groups = 1) {
  return detail::conv_padding_mode("conv3d", 3, input, weight, bias, stride, padding, dilation, groups);
}
// weight [in_channels, out_channels / groups, kD, kH, kW].
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = {}, IntArrayRef stride = 1,
                        IntArrayRef padding = 0, IntArrayRef output_padding = 0, int64_t groups = 1,
                        IntArrayRef dilation = 1);

// ---- pooling: an empty stride means stride = kernel_size -----------------------------------------------
Tensor max_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
// Also returns each maximum's flat index within its input plane (int64), as torch.max_pool2d_with_indices.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor max_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor avg_pool2d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor avg_pool1d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true);
// Averages over PyTorch's adaptive windows [floor(i * in / out), ceil((i + 1) * in / out)).
Tensor adaptive_avg_pool2d(const Tensor& input, IntArrayRef output_size);
Tensor adaptive_avg_pool1d(const Tensor& input, IntArrayRef output_size);

// 3-D (NCDHW): input [N, C, D, H, W] or unbatched [C, D, H, W]. A box window is separable, so these run as a 2-D
// pooling of the H x W planes followed by one along depth; indices are flat within each D x H x W volume.
Tensor max_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  IntArrayRef dilation = 1, bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, IntArrayRef kernel_size,
                                                   IntArrayRef stride = {}, IntArrayRef padding = 0,
                                                   IntArrayRef dilation = 1, bool ceil_mode = false);
Tensor avg_pool3d(const Tensor& input, IntArrayRef kernel_size, IntArrayRef stride = {}, IntArrayRef padding = 0,
                  bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);
Tensor adaptive_avg_pool3d(const Tensor& input, IntArrayRef output_size);

// ---- normalisation (ATen's signatures; the trailing cudnn flag is accepted and ignored) -----------------
// Batch norm per channel of [N, C, ...]: training normalises with the batch's statistics and, where
// running_mean/running_var are given, updates them in place (momentum; the variance unbiased, as PyTorch);
// otherwise it normalises with the running statistics.
Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps, bool cudnn_enabled = true);
// Normalises over the trailing dims given by normalized_shape; weight and bias have that shape.
Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5, bool cudnn_enable = true);
// Normalises each of num_groups channel groups of [N, C, ...] per sample; weight and bias are per channel.
Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight = {}, const Tensor& bias = {},
                  double eps = 1e-5, bool cudnn_enabled = true);

// ---- recurrent steps: one LSTM/GRU time step's gate arithmetic, one op (ATen's _thnn_fused_*_cell) -------
// input_gates = x W_ih^T + b_ih and hidden_gates = h W_hh^T + b_hh, [B, G*H] (or [G*H]) in PyTorch's gate order.
// LSTM (input, forget, cell, output): cy = f cx + i g, hy = o tanh(cy); returns (hy, cy).
std::tuple<Tensor, Tensor> fused_lstm_cell(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& cx);
// GRU (reset, update, new): n = tanh(xn + r hn), hy = (1 - z) n + z hx.
Tensor fused_gru_cell(const Tensor& input_gates, const Tensor& hidden_gates, const Tensor& hx);

// ---- resampling: scales, when given, set the source positions as PyTorch's scale_factor does -----------
Tensor upsample_nearest2d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_h = std::nullopt,
                          std::optional<double> scales_w = std::nullopt);
Tensor upsample_bilinear2d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                           std::optional<double> scales_h = std::nullopt,
                           std::optional<double> scales_w = std::nullopt);

// 3-D (NCDHW) forms, one dim at a time.
Tensor upsample_nearest3d(const Tensor& input, IntArrayRef output_size, std::optional<double> scales_d = std::nullopt,
                          std::optional<double> scales_h = std::nullopt,
                          std::optional<double> scales_w = std::nullopt);
Tensor upsample_trilinear3d(const Tensor& input, IntArrayRef output_size, bool align_corners,
                            std::optional<double> scales_d = std::nullopt,
                            std::optional<double> scales_h = std::nullopt,
                            std::optional<double> scales_w = std::nullopt);

}  // namespace wick
