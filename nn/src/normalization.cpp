// The BatchNorm, LayerNorm and GroupNorm modules and the functional forms, over wick::batch_norm,
// wick::layer_norm and wick::group_norm (lib/src/ops/normalization.cpp); and functional::normalize.
#include "wick/nn/modules/normalization.h"

#include <ostream>

#include "wick/grad_mode.h"
#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/nn_ops.h"
#include "wick/ops.h"

namespace wick::nn {

namespace {

std::string dims_text(int64_t n) { return std::to_string(n) + "D"; }

}  // namespace

namespace functional {
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  return wick::batch_norm(input, o.weight(), o.bias(), running_mean, running_var, o.training(),
                          o.momentum().value_or(0.1), o.eps());
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& o) {
  return wick::layer_norm(input, o.normalized_shape(), o.weight(), o.bias(), o.eps());
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& o) {
  return wick::group_norm(input, o.num_groups(), o.weight(), o.bias(), o.eps());
}

Tensor normalize(const Tensor& input, const NormalizeFuncOptions& o) {
  return input / input.norm(o.p(), {o.dim()}, true).clamp_min(o.eps());
}
}  // namespace functional

// ---- BatchNorm ---------------------------------------------------------------------------------------------

template <size_t D>
constexpr const char* batch_norm_name() {
  return D == 1 ? "nn::BatchNorm1d" : D == 2 ? "nn::BatchNorm2d" : "nn::BatchNorm3d";
}

template <size_t D>
BatchNormImpl<D>::BatchNormImpl(const BatchNormOptions& options) : options(options) {
  reset();
}

template <size_t D>
void BatchNormImpl<D>::reset() {
  WICK_CHECK(options.num_features() > 0, batch_norm_name<D>(), "num_features must be positive, got ",
             options.num_features());
  const int64_t C = options.num_features();
  weight = this->register_parameter("weight", options.affine() ? wick::empty({C}) : Tensor(), options.affine());
  bias = this->register_parameter("bias", options.affine() ? wick::empty({C}) : Tensor(), options.affine());
  if (options.track_running_stats()) {
    running_mean = this->register_buffer("running_mean", zeros({C}));
    running_var = this->register_buffer("running_var", ones({C}));
    num_batches_tracked = this->register_buffer("num_batches_tracked", zeros({}, dtype(kInt64)));
  }
  reset_parameters();
}

template <size_t D>
void BatchNormImpl<D>::reset_running_stats() {
  if (!options.track_running_stats()) return;
  init::zeros_(running_mean);
  init::ones_(running_var);
  init::zeros_(num_batches_tracked);
}

template <size_t D>
void BatchNormImpl<D>::reset_parameters() {
  reset_running_stats();
  if (options.affine()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

template <size_t D>
void BatchNormImpl<D>::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::BatchNorm" << D << "d(" << options.num_features() << ", eps=" << options.eps()
    << ", momentum=";
  if (options.momentum())
    s << *options.momentum();
  else
    s << "None";
  s << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

template <size_t D>
Tensor BatchNormImpl<D>::forward(const Tensor& input) {
  const char* op = batch_norm_name<D>();
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  if constexpr (D == 1)
    WICK_CHECK(input.dim() == 2 || input.dim() == 3, op, "expected 2D or 3D input (got ", dims_text(input.dim()),
               " input of shape ", shape_str(input.sizes()), ")");
  else
    WICK_CHECK(input.dim() == D + 2, op, "expected ", D + 2, "D input (got ", dims_text(input.dim()),
               " input of shape ", shape_str(input.sizes()), ")");
  WICK_CHECK(input.size(1) == options.num_features(), op, "expected ", options.num_features(),
             " channels (dim 1) but got input of shape ", shape_str(input.sizes()));
  double factor = options.momentum().value_or(0.0);
  const bool use_batch_stats = this->is_training() || !options.track_running_stats();
  if (this->is_training() && options.track_running_stats()) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    if (!options.momentum()) factor = 1.0 / double(num_batches_tracked.template item<int64_t>());  // cumulative
  }
  const bool update = this->is_training() && options.track_running_stats();
  return this->traced(wick::batch_norm(input, weight, bias, update || !use_batch_stats ? running_mean : Tensor(),
                                       update || !use_batch_stats ? running_var : Tensor(), use_batch_stats, factor,
                                       options.eps()));
}

template class BatchNormImpl<1>;
template class BatchNormImpl<2>;
template class BatchNormImpl<3>;

// ---- LayerNorm, GroupNorm ----------------------------------------------------------------------------------

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options) : options(options) { reset(); }

void LayerNormImpl::reset() {
  const bool affine = options.elementwise_affine();
  weight = register_parameter("weight", affine ? wick::empty(options.normalized_shape()) : Tensor(), affine);
  bias = register_parameter("bias", affine ? wick::empty(options.normalized_shape()) : Tensor(), affine);
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void LayerNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::LayerNorm(";
  wick::detail::print_ints(s, options.normalized_shape().data(), options.normalized_shape().size());
  s << ", eps=" << options.eps() << ", elementwise_affine=" << options.elementwise_affine() << ")";
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return traced(wick::layer_norm(input, options.normalized_shape(), weight, bias, options.eps()));
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options) : options(options) { reset(); }

void GroupNormImpl::reset() {
  WICK_CHECK(options.num_groups() > 0 && options.num_channels() % options.num_groups() == 0, "nn::GroupNorm",
             "num_channels (", options.num_channels(), ") must be divisible by num_groups (", options.num_groups(),
             ")");
  const bool affine = options.affine();
  weight = register_parameter("weight", affine ? wick::empty({options.num_channels()}) : Tensor(), affine);
  bias = register_parameter("bias", affine ? wick::empty({options.num_channels()}) : Tensor(), affine);
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!options.affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

void GroupNormImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::GroupNorm(" << options.num_groups() << ", " << options.num_channels()
    << ", eps=" << options.eps() << ", affine=" << options.affine() << ")";
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  return traced(wick::group_norm(input, options.num_groups(), weight, bias, options.eps()));
}

}  // namespace wick::nn
