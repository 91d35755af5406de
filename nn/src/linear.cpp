// Linear, Identity, Flatten, Unflatten.
#include "wick/nn/modules/linear.h"

#include <cmath>
#include <ostream>

#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/ops.h"

namespace wick::nn {

namespace functional {
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  return wick::linear(input, weight, bias);
}
}  // namespace functional

LinearImpl::LinearImpl(const LinearOptions& options) : options(options) { reset(); }

void LinearImpl::reset() {
  WICK_CHECK(options.in_features() >= 0 && options.out_features() >= 0, "nn::Linear",
             "in_features and out_features must be non-negative, got ", options.in_features(), " and ",
             options.out_features());
  if (quantized_) {  // a clone of a quantized layer: the copy takes the original's int8 values by name
    weight = register_buffer("weight", wick::zeros({options.out_features(), options.in_features()}, dtype(kInt8)));
    weight_scale = register_buffer("weight_scale", wick::ones({options.out_features()}));
    bias = options.bias() ? register_buffer("bias", wick::zeros({options.out_features()})) : Tensor();
    return;
  }
  weight = register_parameter("weight", wick::empty({options.out_features(), options.in_features()}));
  bias = register_parameter("bias", options.bias() ? wick::empty({options.out_features()}) : Tensor(), options.bias());
  reset_parameters();
}

void LinearImpl::quantize_dynamic_() {
  WICK_CHECK(!quantized_, "nn::Linear::quantize_dynamic_", "the layer is already quantized");
  auto [weight_int8, scale] = quantization::quantize_per_channel_symmetric(weight);
  const Tensor float_bias = bias.defined() ? bias.detach().to(kFloat).clone() : Tensor();
  parameters_.erase("weight");
  if (parameters_.contains("bias")) parameters_.erase("bias");
  quantized_ = true;
  weight = register_buffer("weight", std::move(weight_int8));
  weight_scale = register_buffer("weight_scale", std::move(scale));
  bias = float_bias.defined() ? register_buffer("bias", float_bias) : Tensor();
  packed_.get(weight, weight_scale);  // packed now, so that the first call is as fast as the others
}

void LinearImpl::reset_parameters() {
  WICK_CHECK(!quantized_, "nn::Linear::reset_parameters", "an int8 layer has no parameters to initialise");
  init::kaiming_uniform_(weight, std::sqrt(5.0));  // = U(-1/sqrt(fan_in), 1/sqrt(fan_in))
  if (bias.defined()) {
    const double bound = options.in_features() > 0 ? 1.0 / std::sqrt(double(options.in_features())) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

void LinearImpl::pretty_print(std::ostream& stream) const {
  if (quantized_) {
    stream << "wick::nn::DynamicQuantizedLinear(in_features=" << options.in_features()
           << ", out_features=" << options.out_features() << ", dtype=qint8, qscheme=per_channel_symmetric)";
    return;
  }
  stream << std::boolalpha << "wick::nn::Linear(in_features=" << options.in_features()
         << ", out_features=" << options.out_features() << ", bias=" << options.bias() << ")";
}

Tensor LinearImpl::forward(const Tensor& input) {
  if (quantized_) return traced(quantization::linear_dynamic(input, packed_.get(weight, weight_scale), bias));
  return traced(wick::linear(input, weight, bias));
}

void IdentityImpl::pretty_print(std::ostream& stream) const { stream << "wick::nn::Identity()"; }

Tensor IdentityImpl::forward(const Tensor& input) { return traced(input); }

FlattenImpl::FlattenImpl(const FlattenOptions& options) : options(options) {}

void FlattenImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::Flatten(start_dim=" << options.start_dim() << ", end_dim=" << options.end_dim() << ")";
}

Tensor FlattenImpl::forward(const Tensor& input) {
  return traced(input.flatten(options.start_dim(), options.end_dim()));
}

UnflattenImpl::UnflattenImpl(const UnflattenOptions& options) : options(options) {}

void UnflattenImpl::pretty_print(std::ostream& stream) const {
  stream << "wick::nn::Unflatten(dim=" << options.dim() << ", unflattened_size=";
  wick::detail::print_ints(stream, options.sizes().data(), options.sizes().size()) << ")";
}

Tensor UnflattenImpl::forward(const Tensor& input) { return traced(input.unflatten(options.dim(), options.sizes())); }

}  // namespace wick::nn
