// Linear (y = x W^T + b), Identity, Flatten and Unflatten.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/linear.h"
#include "wick/quantized_linear.h"

namespace wick::nn {

// weight [out_features, in_features] and bias [out_features], initialised as PyTorch:
// U(-1/sqrt(in_features), 1/sqrt(in_features)).
class LinearImpl : public Cloneable<LinearImpl> {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  // PyTorch's dynamic int8 form (quantization::quantize_dynamic calls it): `weight` becomes an int8 buffer
  // [out_features, in_features] with one symmetric scale per output channel in the float32 buffer `weight_scale`,
  // `bias` a float32 buffer, and forward quantizes its input on each call (quantization::linear_dynamic). There
  // are no parameters left to train.
  void quantize_dynamic_();
  bool is_quantized() const { return quantized_; }

  LinearOptions options;
  Tensor weight;
  Tensor bias;
  Tensor weight_scale;  // defined once quantized

 private:
  bool quantized_ = false;
  quantization::PackedLinearWeightCache packed_;
};
WICK_MODULE(Linear);

class IdentityImpl : public Cloneable<IdentityImpl> {
 public:
  IdentityImpl() = default;
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);
};
WICK_MODULE(Identity);

class FlattenImpl : public Cloneable<FlattenImpl> {
 public:
  explicit FlattenImpl(const FlattenOptions& options = {});
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  FlattenOptions options;
};
WICK_MODULE(Flatten);

class UnflattenImpl : public Cloneable<UnflattenImpl> {
 public:
  UnflattenImpl(int64_t dim, std::vector<int64_t> sizes) : UnflattenImpl(UnflattenOptions(dim, std::move(sizes))) {}
  explicit UnflattenImpl(const UnflattenOptions& options);
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  UnflattenOptions options;
};
WICK_MODULE(Unflatten);

}  // namespace wick::nn
