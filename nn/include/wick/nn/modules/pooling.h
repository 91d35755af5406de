// MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/pooling.h"

namespace wick::nn {

template <size_t D>
class MaxPoolImpl : public Cloneable<MaxPoolImpl<D>> {
 public:
  MaxPoolImpl(ExpandingArray<D> kernel_size) : MaxPoolImpl(MaxPoolOptions<D>(kernel_size)) {}
  explicit MaxPoolImpl(const MaxPoolOptions<D>& options) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);

  MaxPoolOptions<D> options;
};
using MaxPool1dImpl = MaxPoolImpl<1>;
using MaxPool2dImpl = MaxPoolImpl<2>;
using MaxPool3dImpl = MaxPoolImpl<3>;
extern template class MaxPoolImpl<1>;
extern template class MaxPoolImpl<2>;
extern template class MaxPoolImpl<3>;
WICK_MODULE(MaxPool1d);
WICK_MODULE(MaxPool2d);
WICK_MODULE(MaxPool3d);

template <size_t D>
class AvgPoolImpl : public Cloneable<AvgPoolImpl<D>> {
 public:
  AvgPoolImpl(ExpandingArray<D> kernel_size) : AvgPoolImpl(AvgPoolOptions<D>(kernel_size)) {}
  explicit AvgPoolImpl(const AvgPoolOptions<D>& options) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  AvgPoolOptions<D> options;
};
using AvgPool1dImpl = AvgPoolImpl<1>;
using AvgPool2dImpl = AvgPoolImpl<2>;
using AvgPool3dImpl = AvgPoolImpl<3>;
extern template class AvgPoolImpl<1>;
extern template class AvgPoolImpl<2>;
extern template class AvgPoolImpl<3>;
WICK_MODULE(AvgPool1d);
WICK_MODULE(AvgPool2d);
WICK_MODULE(AvgPool3d);

template <size_t D>
class AdaptiveAvgPoolImpl : public Cloneable<AdaptiveAvgPoolImpl<D>> {
 public:
  AdaptiveAvgPoolImpl(ExpandingArray<D> output_size) : AdaptiveAvgPoolImpl(AdaptiveAvgPoolOptions<D>(output_size)) {}
  explicit AdaptiveAvgPoolImpl(const AdaptiveAvgPoolOptions<D>& options) : options(options) {}
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  AdaptiveAvgPoolOptions<D> options;
};
using AdaptiveAvgPool1dImpl = AdaptiveAvgPoolImpl<1>;
using AdaptiveAvgPool2dImpl = AdaptiveAvgPoolImpl<2>;
using AdaptiveAvgPool3dImpl = AdaptiveAvgPoolImpl<3>;
extern template class AdaptiveAvgPoolImpl<1>;
extern template class AdaptiveAvgPoolImpl<2>;
extern template class AdaptiveAvgPoolImpl<3>;
WICK_MODULE(AdaptiveAvgPool1d);
WICK_MODULE(AdaptiveAvgPool2d);
WICK_MODULE(AdaptiveAvgPool3d);

}  // namespace wick::nn
