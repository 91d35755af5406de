// Conv1d/2d/3d and ConvTranspose1d/2d/3d modules and their functional forms. Padding modes other than zeros pad
// the input explicitly (wick::pad, or wrap-around slices for circular) before an unpadded convolution.
#include "wick/nn/modules/conv.h"

#include <cmath>
#include <ostream>

#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick::nn {

namespace {

template <size_t D>
Tensor conv_nd(const Tensor& input, const Tensor& weight, const Tensor& bias, const ExpandingArray<D>& stride,
               const ConvPadding<D>& padding, const ExpandingArray<D>& dilation, int64_t groups) {
  if constexpr (D == 1) {
    if (padding.is_same()) return wick::conv1d(input, weight, bias, stride, "same", dilation, groups);
    if (padding.is_valid()) return wick::conv1d(input, weight, bias, stride, "valid", dilation, groups);
    return wick::conv1d(input, weight, bias, stride, padding.amounts(), dilation, groups);
  } else if constexpr (D == 2) {
    if (padding.is_same()) return wick::conv2d(input, weight, bias, stride, "same", dilation, groups);
    if (padding.is_valid()) return wick::conv2d(input, weight, bias, stride, "valid", dilation, groups);
    return wick::conv2d(input, weight, bias, stride, padding.amounts(), dilation, groups);
  } else {
    if (padding.is_same()) return wick::conv3d(input, weight, bias, stride, "same", dilation, groups);
    if (padding.is_valid()) return wick::conv3d(input, weight, bias, stride, "valid", dilation, groups);
    return wick::conv3d(input, weight, bias, stride, padding.amounts(), dilation, groups);
  }
}

// Wrap-around padding of the last D dims by (left, right) amounts given in pad()'s order.
Tensor circular_pad(Tensor x, const std::vector<int64_t>& pads) {
  const int64_t n = int64_t(pads.size()) / 2;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t dim = x.dim() - 1 - i, left = pads[size_t(2 * i)], right = pads[size_t(2 * i + 1)];
    const int64_t size = x.size(dim);
    WICK_CHECK(left <= size && right <= size, "nn::Conv", "circular padding (", left, ", ", right,
               ") is larger than the input size ", size, " along dim ", dim);
    x = cat({x.narrow(dim, size - left, left), x, x.narrow(dim, 0, right)}, dim);
  }
  return x;
}

// (left, right) padding per spatial dim in pad()'s order (last dim first), for explicit-padding modes.
template <size_t D>
std::vector<int64_t> reversed_padding(const ConvOptions<D>& o) {
  std::vector<int64_t> pads;
  for (size_t k = D; k-- > 0;) {
    int64_t left = o.padding().amounts()[k], right = left;
    if (o.padding().is_same()) {
      const int64_t total = o.dilation()[k] * (o.kernel_size()[k] - 1);
      left = total / 2;
      right = total - left;
    }
    pads.push_back(left);
    pads.push_back(right);
  }
  return pads;
}

template <size_t D>
void print_conv_common(std::ostream& s, const char* kind, int64_t in, int64_t out, const ExpandingArray<D>& k,
                       const ExpandingArray<D>& stride) {
  s << "wick::nn::" << kind << D << "d(" << in << ", " << out << ", kernel_size=" << k << ", stride=" << stride;
}

// PyTorch's _ConvNd.reset_parameters, for plain and transposed convolutions alike.
void reset_conv_parameters(const Tensor& weight, const Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(weight);
    (void)fan_out;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(double(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

}  // namespace

namespace functional {
Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o) {
  return conv_nd<1>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o) {
  return conv_nd<2>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv3d(const Tensor& input, const Tensor& weight, const Conv3dFuncOptions& o) {
  return conv_nd<3>(input, weight, o.bias(), o.stride(), o.padding(), o.dilation(), o.groups());
}
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const ConvTranspose1dFuncOptions& o) {
  return wick::conv_transpose1d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                o.dilation());
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const ConvTranspose2dFuncOptions& o) {
  return wick::conv_transpose2d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                o.dilation());
}
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const ConvTranspose3dFuncOptions& o) {
  return wick::conv_transpose3d(input, weight, o.bias(), o.stride(), o.padding(), o.output_padding(), o.groups(),
                                o.dilation());
}
}  // namespace functional

// ---- ConvImpl ----------------------------------------------------------------------------------------------

template <size_t D>
ConvImpl<D>::ConvImpl(const ConvOptions<D>& options) : options(options) {
  reset();
}

template <size_t D>
void ConvImpl<D>::reset() {
  const char* op = D == 1 ? "nn::Conv1d" : D == 2 ? "nn::Conv2d" : "nn::Conv3d";
  const ConvOptions<D>& o = options;
  WICK_CHECK(o.groups() > 0, op, "groups must be positive, got ", o.groups());
  WICK_CHECK(o.in_channels() % o.groups() == 0, op, "in_channels (", o.in_channels(), ") must be divisible by groups (",
             o.groups(), ")");
  WICK_CHECK(o.out_channels() % o.groups() == 0, op, "out_channels (", o.out_channels(),
             ") must be divisible by groups (", o.groups(), ")");
  if (o.padding().is_same())
    for (size_t k = 0; k < D; ++k)
      WICK_CHECK(o.stride()[k] == 1, op, "padding='same' is not supported for strided convolutions");
  std::vector<int64_t> shape{o.out_channels(), o.in_channels() / o.groups()};
  for (size_t k = 0; k < D; ++k) shape.push_back(o.kernel_size()[k]);
  weight = this->register_parameter("weight", wick::empty(shape));
  bias = this->register_parameter("bias", o.bias() ? wick::empty({o.out_channels()}) : Tensor(), o.bias());
  reset_parameters();
}

template <size_t D>
void ConvImpl<D>::reset_parameters() {
  reset_conv_parameters(weight, bias);
}

template <size_t D>
void ConvImpl<D>::pretty_print(std::ostream& s) const {
  const ConvOptions<D>& o = options;
  print_conv_common<D>(s, "Conv", o.in_channels(), o.out_channels(), o.kernel_size(), o.stride());
  if (o.padding().is_same())
    s << ", padding='same'";
  else if (o.padding().is_valid())
    s << ", padding='valid'";
  else if (o.padding().amounts() != ExpandingArray<D>(0))
    s << ", padding=" << o.padding().amounts();
  if (o.dilation() != ExpandingArray<D>(1)) s << ", dilation=" << o.dilation();
  if (o.groups() != 1) s << ", groups=" << o.groups();
  if (!o.bias()) s << ", bias=false";
  if (!o.padding_mode().template is<enumtype::kZeros>()) s << ", padding_mode=" << o.padding_mode().name();
  s << ")";
}

template <size_t D>
Tensor ConvImpl<D>::forward(const Tensor& input) {
  const ConvOptions<D>& o = options;
  if (o.padding_mode().template is<enumtype::kZeros>())
    return this->traced(conv_nd<D>(input, weight, bias, o.stride(), o.padding(), o.dilation(), o.groups()));
  const std::vector<int64_t> pads = reversed_padding(o);
  const Tensor padded = o.padding_mode().template is<enumtype::kCircular>() ? circular_pad(input, pads)
                                                                            : pad(input, pads, o.padding_mode().name());
  return this->traced(conv_nd<D>(padded, weight, bias, o.stride(), ConvPadding<D>(0), o.dilation(), o.groups()));
}

template class ConvImpl<1>;
template class ConvImpl<2>;
template class ConvImpl<3>;

// ---- ConvTransposeImpl -------------------------------------------------------------------------------------

template <size_t D>
ConvTransposeImpl<D>::ConvTransposeImpl(const ConvTransposeOptions<D>& options) : options(options) {
  reset();
}

template <size_t D>
void ConvTransposeImpl<D>::reset() {
  const char* op = D == 1 ? "nn::ConvTranspose1d" : D == 2 ? "nn::ConvTranspose2d" : "nn::ConvTranspose3d";
  const ConvTransposeOptions<D>& o = options;
  WICK_CHECK(o.groups() > 0, op, "groups must be positive, got ", o.groups());
  WICK_CHECK(o.in_channels() % o.groups() == 0, op, "in_channels (", o.in_channels(), ") must be divisible by groups (",
             o.groups(), ")");
  WICK_CHECK(o.out_channels() % o.groups() == 0, op, "out_channels (", o.out_channels(),
             ") must be divisible by groups (", o.groups(), ")");
  std::vector<int64_t> shape{o.in_channels(), o.out_channels() / o.groups()};
  for (size_t k = 0; k < D; ++k) shape.push_back(o.kernel_size()[k]);
  weight = this->register_parameter("weight", wick::empty(shape));
  bias = this->register_parameter("bias", o.bias() ? wick::empty({o.out_channels()}) : Tensor(), o.bias());
  reset_parameters();
}

template <size_t D>
void ConvTransposeImpl<D>::reset_parameters() {
  reset_conv_parameters(weight, bias);
}

template <size_t D>
void ConvTransposeImpl<D>::pretty_print(std::ostream& s) const {
  const ConvTransposeOptions<D>& o = options;
  print_conv_common<D>(s, "ConvTranspose", o.in_channels(), o.out_channels(), o.kernel_size(), o.stride());
  if (o.padding() != ExpandingArray<D>(0)) s << ", padding=" << o.padding();
  if (o.dilation() != ExpandingArray<D>(1)) s << ", dilation=" << o.dilation();
  if (o.output_padding() != ExpandingArray<D>(0)) s << ", output_padding=" << o.output_padding();
  if (o.groups() != 1) s << ", groups=" << o.groups();
  if (!o.bias()) s << ", bias=false";
  s << ")";
}

template <size_t D>
Tensor ConvTransposeImpl<D>::forward(const Tensor& input) {
  const ConvTransposeOptions<D>& o = options;
  if constexpr (D == 1)
    return this->traced(wick::conv_transpose1d(input, weight, bias, o.stride(), o.padding(), o.output_padding(),
                                               o.groups(), o.dilation()));
  else if constexpr (D == 2)
    return this->traced(wick::conv_transpose2d(input, weight, bias, o.stride(), o.padding(), o.output_padding(),
                                               o.groups(), o.dilation()));
  else
    return this->traced(wick::conv_transpose3d(input, weight, bias, o.stride(), o.padding(), o.output_padding(),
                                               o.groups(), o.dilation()));
}

template class ConvTransposeImpl<1>;
template class ConvTransposeImpl<2>;
template class ConvTransposeImpl<3>;

}  // namespace wick::nn
