// Batch, layer and group normalisation, composed from reductions and arithmetic (so their derivatives,
// second order included, come from the ops they are made of), and functional::normalize.
#include "wick/nn/modules/normalization.h"

#include <ostream>

#include "wick/autograd/grad_mode.h"
#include "wick/nn/aliases.h"
#include "wick/nn/functional.h"
#include "wick/nn/init.h"
#include "wick/ops.h"

namespace wick::nn {

namespace {

// [C] -> [1, C, 1, ...] to broadcast against an input of `dims` dims.
Tensor per_channel(const Tensor& t, int64_t dims) {
  std::vector<int64_t> shape(size_t(dims), 1);
  shape[1] = t.numel();
  return t.reshape(shape);
}

std::vector<int64_t> all_but_channel(int64_t dims) {
  std::vector<int64_t> out{0};
  for (int64_t d = 2; d < dims; ++d) out.push_back(d);
  return out;
}

Tensor batch_norm_impl(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                       const Tensor& running_var, bool training, double momentum, double eps) {
  const char* op = "nn::functional::batch_norm";
  WICK_CHECK(input.defined() && input.dim() >= 2, op, "expected an input of at least 2 dims [N, C, ...], got ",
             input.defined() ? shape_str(input.sizes()) : std::string("an undefined tensor"));
  const int64_t C = input.size(1), dims = input.dim();
  for (const Tensor* t : {&weight, &bias, &running_mean, &running_var})
    if (t->defined())
      WICK_CHECK(t->numel() == C, op, "expected per-channel tensors of ", C, " elements for input of shape ",
                 shape_str(input.sizes()), ", got one of shape ", shape_str(t->sizes()));
  const std::vector<int64_t> dims_reduced = all_but_channel(dims);
  Tensor mean, var;
  if (training) {
    const int64_t per_channel_count = input.numel() / (C > 0 ? C : 1);
    WICK_CHECK(per_channel_count > 1, op, "expected more than 1 value per channel when training, got input of shape ",
               shape_str(input.sizes()));
    mean = input.mean(dims_reduced, true);
    var = input.var(dims_reduced, false, true);
    if (running_mean.defined() || running_var.defined()) {
      NoGradGuard no_grad;
      if (running_mean.defined()) running_mean.mul_(1 - momentum).add_(mean.detach().reshape({C}).to(running_mean.dtype()) * momentum);
      if (running_var.defined()) {
        const double unbias = double(per_channel_count) / double(per_channel_count - 1);
        running_var.mul_(1 - momentum).add_(var.detach().reshape({C}).to(running_var.dtype()) * (momentum * unbias));
      }
    }
  } else {
    WICK_CHECK(running_mean.defined() && running_var.defined(), op,
               "running_mean and running_var must be defined in evaluation mode");
    mean = per_channel(running_mean, dims);
    var = per_channel(running_var, dims);
  }
  Tensor y = (input - mean) * (var + eps).rsqrt();
  if (weight.defined()) y = y * per_channel(weight, dims);
  if (bias.defined()) y = y + per_channel(bias, dims);
  return y;
}

std::string dims_text(int64_t n) { return std::to_string(n) + "D"; }

}  // namespace

namespace functional {
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& o) {
  return batch_norm_impl(input, o.weight(), o.bias(), running_mean, running_var, o.training(), o.momentum().value_or(0.1),
                         o.eps());
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
}  // namespace wick::nn

namespace wick {

Tensor batch_norm(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps, bool) {
  return nn::batch_norm_impl(input, weight, bias, running_mean, running_var, training, momentum, eps);
}

Tensor layer_norm(const Tensor& input, IntArrayRef normalized_shape, const Tensor& weight, const Tensor& bias, double eps,
                  bool) {
  const char* op = "nn::functional::layer_norm";
  const int64_t k = int64_t(normalized_shape.size());
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  bool matches = k >= 1 && input.dim() >= k;
  for (int64_t i = 0; matches && i < k; ++i) matches = input.size(input.dim() - k + i) == normalized_shape[size_t(i)];
  WICK_CHECK(matches, op, "given normalized_shape=", shape_str(normalized_shape), ", expected input with shape [*",
             [&] {
               std::string s;
               for (int64_t v : normalized_shape) s += ", " + std::to_string(v);
               return s;
             }(),
             "], but got input of size ", shape_str(input.sizes()));
  for (const Tensor* t : {&weight, &bias})
    if (t->defined())
      WICK_CHECK(t->sizes() == normalized_shape, op, "expected weight and bias of shape ", shape_str(normalized_shape),
                 ", got ", shape_str(t->sizes()));
  std::vector<int64_t> dims;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) dims.push_back(i);
  const Tensor mean = input.mean(dims, true);
  const Tensor var = input.var(dims, false, true);
  Tensor y = (input - mean) * (var + eps).rsqrt();
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps, bool) {
  const char* op = "nn::functional::group_norm";
  WICK_CHECK(input.defined() && input.dim() >= 2, op, "expected an input of at least 2 dims [N, C, ...], got ",
             input.defined() ? shape_str(input.sizes()) : std::string("an undefined tensor"));
  const int64_t N = input.size(0), C = input.size(1);
  WICK_CHECK(num_groups > 0 && C % num_groups == 0, op,
             "expected the number of channels in the input to be divisible by num_groups, but got input of shape ",
             shape_str(input.sizes()), " and num_groups=", num_groups);
  for (const Tensor* t : {&weight, &bias})
    if (t->defined())
      WICK_CHECK(t->numel() == C, op, "expected weight and bias of ", C, " elements, got shape ", shape_str(t->sizes()));
  const Tensor grouped = input.reshape({N, num_groups, -1});
  const Tensor mean = grouped.mean({2}, true);
  const Tensor var = grouped.var({2}, false, true);
  Tensor y = ((grouped - mean) * (var + eps).rsqrt()).reshape(input.sizes());
  if (weight.defined()) y = y * nn::per_channel(weight, input.dim());
  if (bias.defined()) y = y + nn::per_channel(bias, input.dim());
  return y;
}

}  // namespace wick

namespace wick::nn {

// ---- BatchNorm ---------------------------------------------------------------------------------------------

template <size_t D>
BatchNormImpl<D>::BatchNormImpl(const BatchNormOptions& options) : options(options) {
  reset();
}

template <size_t D>
void BatchNormImpl<D>::reset() {
  WICK_CHECK(options.num_features() > 0, D == 1 ? "nn::BatchNorm1d" : "nn::BatchNorm2d",
             "num_features must be positive, got ", options.num_features());
  const int64_t C = options.num_features();
  weight = register_parameter("weight", options.affine() ? wick::empty({C}) : Tensor(), options.affine());
  bias = register_parameter("bias", options.affine() ? wick::empty({C}) : Tensor(), options.affine());
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({C}));
    running_var = register_buffer("running_var", ones({C}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, dtype(kInt64)));
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
  if (options.momentum()) s << *options.momentum();
  else s << "None";
  s << ", affine=" << options.affine() << ", track_running_stats=" << options.track_running_stats() << ")";
}

template <size_t D>
Tensor BatchNormImpl<D>::forward(const Tensor& input) {
  const char* op = D == 1 ? "nn::BatchNorm1d" : "nn::BatchNorm2d";
  WICK_CHECK(input.defined(), op, "expected a defined input tensor");
  if constexpr (D == 1)
    WICK_CHECK(input.dim() == 2 || input.dim() == 3, op, "expected 2D or 3D input (got ", dims_text(input.dim()),
               " input of shape ", shape_str(input.sizes()), ")");
  else
    WICK_CHECK(input.dim() == 4, op, "expected 4D input (got ", dims_text(input.dim()), " input of shape ",
               shape_str(input.sizes()), ")");
  WICK_CHECK(input.size(1) == options.num_features(), op, "expected ", options.num_features(),
             " channels (dim 1) but got input of shape ", shape_str(input.sizes()));
  double factor = options.momentum().value_or(0.0);
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  if (is_training() && options.track_running_stats()) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    if (!options.momentum()) factor = 1.0 / double(num_batches_tracked.template item<int64_t>());  // cumulative
  }
  const bool update = is_training() && options.track_running_stats();
  return traced(batch_norm_impl(input, weight, bias, update || !use_batch_stats ? running_mean : Tensor(),
                                update || !use_batch_stats ? running_var : Tensor(), use_batch_stats, factor,
                                options.eps()));
}

template class BatchNormImpl<1>;
template class BatchNormImpl<2>;

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
             "num_channels (", options.num_channels(), ") must be divisible by num_groups (", options.num_groups(), ")");
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
