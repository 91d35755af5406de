// Options of Conv1d/2d/3d and ConvTranspose1d/2d/3d, and of their functional forms.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "wick/arg.h"
#include "wick/nn/enum.h"
#include "wick/tensor.h"

namespace wick::nn {

// A convolution's padding: per-dim amounts, or kSame / kValid (also "same" / "valid").
template <size_t D>
class ConvPadding {
 public:
  ConvPadding(int64_t single) : amounts_(single) {}
  ConvPadding(std::initializer_list<int64_t> list) : amounts_(list) {}
  ConvPadding(ExpandingArray<D> amounts) : amounts_(amounts) {}
  ConvPadding(enumtype::kSame) : amounts_(0), mode_(enumtype::Tag::Same) {}
  ConvPadding(enumtype::kValid) : amounts_(0), mode_(enumtype::Tag::Valid) {}
  // "same" or "valid"; a template so that a literal 0 still means zero padding.
  template <class S,
            std::enable_if_t<std::is_convertible_v<const S&, std::string_view> && !std::is_arithmetic_v<S>, int> = 0>
  ConvPadding(const S& mode) : amounts_(0) {
    const std::string_view m(mode);
    if (m == "same")
      mode_ = enumtype::Tag::Same;
    else if (m == "valid")
      mode_ = enumtype::Tag::Valid;
    else
      fail(D == 1 ? "nn::Conv1d" : D == 2 ? "nn::Conv2d" : "nn::Conv3d", "padding must be \"same\" or \"valid\", got \"", std::string(m), "\"");
  }

  bool is_same() const { return mode_ == enumtype::Tag::Same; }
  bool is_valid() const { return mode_ == enumtype::Tag::Valid; }
  bool is_amounts() const { return mode_ == enumtype::Tag::Zeros; }
  const ExpandingArray<D>& amounts() const { return amounts_; }  // zeros for kSame / kValid

 private:
  ExpandingArray<D> amounts_;
  enumtype::Tag mode_ = enumtype::Tag::Zeros;  // Zeros: explicit amounts
};

using ConvPaddingMode = Choice<enumtype::kZeros, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;

template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  WICK_ARG(int64_t, in_channels);
  WICK_ARG(int64_t, out_channels);
  WICK_ARG(ExpandingArray<D>, kernel_size);
  WICK_ARG(ExpandingArray<D>, stride) = 1;
  WICK_ARG(ConvPadding<D>, padding) = 0;
  WICK_ARG(ExpandingArray<D>, dilation) = 1;
  WICK_ARG(int64_t, groups) = 1;
  WICK_ARG(bool, bias) = true;
  WICK_ARG(ConvPaddingMode, padding_mode) = kZeros;
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

template <size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  WICK_ARG(int64_t, in_channels);
  WICK_ARG(int64_t, out_channels);
  WICK_ARG(ExpandingArray<D>, kernel_size);
  WICK_ARG(ExpandingArray<D>, stride) = 1;
  WICK_ARG(ExpandingArray<D>, padding) = 0;
  WICK_ARG(ExpandingArray<D>, output_padding) = 0;
  WICK_ARG(int64_t, groups) = 1;
  WICK_ARG(bool, bias) = true;
  WICK_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

namespace functional {
template <size_t D>
struct ConvFuncOptions {
  WICK_ARG(Tensor, bias);
  WICK_ARG(ExpandingArray<D>, stride) = 1;
  WICK_ARG(ConvPadding<D>, padding) = 0;
  WICK_ARG(ExpandingArray<D>, dilation) = 1;
  WICK_ARG(int64_t, groups) = 1;
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;
using Conv3dFuncOptions = ConvFuncOptions<3>;

template <size_t D>
struct ConvTransposeFuncOptions {
  WICK_ARG(Tensor, bias);
  WICK_ARG(ExpandingArray<D>, stride) = 1;
  WICK_ARG(ExpandingArray<D>, padding) = 0;
  WICK_ARG(ExpandingArray<D>, output_padding) = 0;
  WICK_ARG(int64_t, groups) = 1;
  WICK_ARG(ExpandingArray<D>, dilation) = 1;
};
using ConvTranspose1dFuncOptions = ConvTransposeFuncOptions<1>;
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;
using ConvTranspose3dFuncOptions = ConvTransposeFuncOptions<3>;
}  // namespace functional

}  // namespace wick::nn
