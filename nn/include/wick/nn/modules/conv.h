// Conv1d/2d/3d and ConvTranspose1d/2d/3d. Weights are initialised as PyTorch's
// (kaiming_uniform_ with a = sqrt(5), bias U(-1/sqrt(fan_in), 1/sqrt(fan_in))).
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/conv.h"

namespace wick::nn {

// weight [out_channels, in_channels / groups, k...], bias [out_channels].
template <size_t D>
class ConvImpl : public Cloneable<ConvImpl<D>> {
 public:
  ConvImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvImpl(ConvOptions<D>(in_channels, out_channels, kernel_size)) {}
  explicit ConvImpl(const ConvOptions<D>& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  ConvOptions<D> options;
  Tensor weight;
  Tensor bias;
};
using Conv1dImpl = ConvImpl<1>;
using Conv2dImpl = ConvImpl<2>;
using Conv3dImpl = ConvImpl<3>;
extern template class ConvImpl<1>;
extern template class ConvImpl<2>;
extern template class ConvImpl<3>;
WICK_MODULE(Conv1d);
WICK_MODULE(Conv2d);
WICK_MODULE(Conv3d);

// weight [in_channels, out_channels / groups, k...], bias [out_channels].
template <size_t D>
class ConvTransposeImpl : public Cloneable<ConvTransposeImpl<D>> {
 public:
  ConvTransposeImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : ConvTransposeImpl(ConvTransposeOptions<D>(in_channels, out_channels, kernel_size)) {}
  explicit ConvTransposeImpl(const ConvTransposeOptions<D>& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  ConvTransposeOptions<D> options;
  Tensor weight;
  Tensor bias;
};
using ConvTranspose1dImpl = ConvTransposeImpl<1>;
using ConvTranspose2dImpl = ConvTransposeImpl<2>;
using ConvTranspose3dImpl = ConvTransposeImpl<3>;
extern template class ConvTransposeImpl<1>;
extern template class ConvTransposeImpl<2>;
extern template class ConvTransposeImpl<3>;
WICK_MODULE(ConvTranspose1d);
WICK_MODULE(ConvTranspose2d);
WICK_MODULE(ConvTranspose3d);

}  // namespace wick::nn
