// Linear (y = x W^T + b), Identity, Flatten and Unflatten.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/linear.h"

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

  LinearOptions options;
  Tensor weight;
  Tensor bias;
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
