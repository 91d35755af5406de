// Pooling modules and functional forms over wick's pooling ops.
#include "wick/nn/modules/pooling.h"

#include <ostream>

#include "wick/nn/functional.h"
#include "wick/nn_ops.h"

namespace wick::nn {

namespace functional {
Tensor max_pool1d(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return wick::max_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return wick::max_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const MaxPool1dFuncOptions& o) {
  return wick::max_pool1d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& o) {
  return wick::max_pool2d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
Tensor avg_pool1d(const Tensor& input, const AvgPool1dFuncOptions& o) {
  if (o.divisor_override()) {  // 1-d pooling is 2-d pooling over a height of 1
    Tensor x = input.unsqueeze(-2);
    return wick::avg_pool2d(x, {1, o.kernel_size()[0]}, {1, o.stride()[0]}, {0, o.padding()[0]}, o.ceil_mode(),
                            o.count_include_pad(), o.divisor_override())
        .squeeze(-2);
  }
  return wick::avg_pool1d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad());
}
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  return wick::avg_pool2d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                          o.divisor_override());
}
Tensor adaptive_avg_pool1d(const Tensor& input, const AdaptiveAvgPool1dFuncOptions& o) {
  return wick::adaptive_avg_pool1d(input, o.output_size());
}
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& o) {
  return wick::adaptive_avg_pool2d(input, o.output_size());
}
Tensor max_pool3d(const Tensor& input, const MaxPool3dFuncOptions& o) {
  return wick::max_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
std::tuple<Tensor, Tensor> max_pool3d_with_indices(const Tensor& input, const MaxPool3dFuncOptions& o) {
  return wick::max_pool3d_with_indices(input, o.kernel_size(), o.stride(), o.padding(), o.dilation(), o.ceil_mode());
}
Tensor avg_pool3d(const Tensor& input, const AvgPool3dFuncOptions& o) {
  return wick::avg_pool3d(input, o.kernel_size(), o.stride(), o.padding(), o.ceil_mode(), o.count_include_pad(),
                          o.divisor_override());
}
Tensor adaptive_avg_pool3d(const Tensor& input, const AdaptiveAvgPool3dFuncOptions& o) {
  return wick::adaptive_avg_pool3d(input, o.output_size());
}
}  // namespace functional

template <size_t D>
void MaxPoolImpl<D>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::MaxPool" << D << "d(kernel_size=" << options.kernel_size()
    << ", stride=" << options.stride() << ", padding=" << options.padding() << ", dilation=" << options.dilation()
    << ", ceil_mode=" << options.ceil_mode() << ")";
}

template <size_t D>
Tensor MaxPoolImpl<D>::forward(const Tensor& input) {
  if constexpr (D == 1)
    return this->traced(functional::max_pool1d(input, options));
  else if constexpr (D == 2)
    return this->traced(functional::max_pool2d(input, options));
  else
    return this->traced(functional::max_pool3d(input, options));
}

template <size_t D>
std::tuple<Tensor, Tensor> MaxPoolImpl<D>::forward_with_indices(const Tensor& input) {
  if constexpr (D == 1)
    return functional::max_pool1d_with_indices(input, options);
  else if constexpr (D == 2)
    return functional::max_pool2d_with_indices(input, options);
  else
    return functional::max_pool3d_with_indices(input, options);
}

template <size_t D>
void AvgPoolImpl<D>::pretty_print(std::ostream& s) const {
  s << "wick::nn::AvgPool" << D << "d(kernel_size=" << options.kernel_size() << ", stride=" << options.stride()
    << ", padding=" << options.padding() << ")";
}

template <size_t D>
Tensor AvgPoolImpl<D>::forward(const Tensor& input) {
  if constexpr (D == 1)
    return this->traced(functional::avg_pool1d(input, options));
  else if constexpr (D == 2)
    return this->traced(functional::avg_pool2d(input, options));
  else
    return this->traced(functional::avg_pool3d(input, options));
}

template <size_t D>
void AdaptiveAvgPoolImpl<D>::pretty_print(std::ostream& s) const {
  s << "wick::nn::AdaptiveAvgPool" << D << "d(output_size=" << options.output_size() << ")";
}

template <size_t D>
Tensor AdaptiveAvgPoolImpl<D>::forward(const Tensor& input) {
  if constexpr (D == 1)
    return this->traced(functional::adaptive_avg_pool1d(input, options));
  else if constexpr (D == 2)
    return this->traced(functional::adaptive_avg_pool2d(input, options));
  else
    return this->traced(functional::adaptive_avg_pool3d(input, options));
}

template class MaxPoolImpl<1>;
template class MaxPoolImpl<2>;
template class MaxPoolImpl<3>;
template class AvgPoolImpl<1>;
template class AvgPoolImpl<2>;
template class AvgPoolImpl<3>;
template class AdaptiveAvgPoolImpl<1>;
template class AdaptiveAvgPoolImpl<2>;
template class AdaptiveAvgPoolImpl<3>;

}  // namespace wick::nn
