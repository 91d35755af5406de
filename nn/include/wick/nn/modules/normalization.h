// BatchNorm1d/2d/3d (running statistics as buffers: running_mean, running_var, num_batches_tracked),
// LayerNorm and GroupNorm.
#pragma once

#include "wick/nn/cloneable.h"
#include "wick/nn/options/normalization.h"

namespace wick::nn {

// Normalises over every dim but the channel dim (1): [N, C] or [N, C, L] for 1d, [N, C, H, W] for 2d, [N, C, D, H, W] for 3d.
// Training mode uses the batch's statistics and updates the running ones; eval mode uses the running ones.
template <size_t D>
class BatchNormImpl : public Cloneable<BatchNormImpl<D>> {
 public:
  explicit BatchNormImpl(int64_t num_features) : BatchNormImpl(BatchNormOptions(num_features)) {}
  explicit BatchNormImpl(const BatchNormOptions& options);
  void reset() override;
  void reset_running_stats();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  BatchNormOptions options;
  Tensor weight, bias;                                   // [C] when affine
  Tensor running_mean, running_var, num_batches_tracked;  // when track_running_stats
};
using BatchNorm1dImpl = BatchNormImpl<1>;
using BatchNorm2dImpl = BatchNormImpl<2>;
using BatchNorm3dImpl = BatchNormImpl<3>;
extern template class BatchNormImpl<1>;
extern template class BatchNormImpl<2>;
extern template class BatchNormImpl<3>;
WICK_MODULE(BatchNorm1d);
WICK_MODULE(BatchNorm2d);
WICK_MODULE(BatchNorm3d);

class LayerNormImpl : public Cloneable<LayerNormImpl> {
 public:
  explicit LayerNormImpl(std::vector<int64_t> normalized_shape) : LayerNormImpl(LayerNormOptions(normalized_shape)) {}
  explicit LayerNormImpl(const LayerNormOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  LayerNormOptions options;
  Tensor weight, bias;  // normalized_shape, when elementwise_affine
};
WICK_MODULE(LayerNorm);

class GroupNormImpl : public Cloneable<GroupNormImpl> {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  void reset() override;
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  Tensor forward(const Tensor& input);

  GroupNormOptions options;
  Tensor weight, bias;  // [num_channels], when affine
};
WICK_MODULE(GroupNorm);

}  // namespace wick::nn
