// Dropout: in training, keep each element (or, for Dropout2d, each channel) with probability 1 - p and
// scale the kept ones by 1 / (1 - p); the identity in eval mode.
#include "wick/nn/modules/dropout.h"

#include <ostream>

#include "wick/detail/op_scope.h"
#include "wick/nn/aliases.h"
#include "wick/nn/functional.h"
#include "wick/ops.h"

namespace wick {

namespace {
void check_p(const char* op, double p) {
  WICK_CHECK(p >= 0 && p <= 1, op, "dropout probability has to be between 0 and 1, but got ", p);
}

// mask_shape: the input's shape (element dropout) or its leading dims followed by 1s (channel dropout).
Tensor apply_dropout(Tensor input, double p, bool train, bool inplace, IntArrayRef mask_shape) {
  WICK_PROFILE_OP("dropout", input);
  if (!train || p == 0 || input.numel() == 0) return input;
  const Tensor mask = p == 1 ? zeros(mask_shape, input.options())
                             : wick::empty(mask_shape, input.options()).bernoulli_(1 - p).div_(1 - p);
  if (inplace) return input.mul_(mask);
  return input * mask;
}

std::vector<int64_t> channel_mask_shape(const Tensor& input) {
  // [N, C, ...] -> [N, C, 1, ...]; a 2-D input [N, C] drops whole features.
  std::vector<int64_t> shape(size_t(input.dim()), 1);
  for (int64_t d = 0; d < std::min<int64_t>(2, input.dim()); ++d) shape[size_t(d)] = input.size(d);
  return shape;
}
}  // namespace

Tensor dropout(const Tensor& input, double p, bool train) {
  check_p("dropout", p);
  return apply_dropout(input, p, train, false, input.sizes());
}

Tensor feature_dropout(const Tensor& input, double p, bool train) {
  check_p("feature_dropout", p);
  WICK_CHECK(input.dim() >= 2, "feature_dropout", "expected an input of at least 2 dims [N, C, ...], got shape ",
             shape_str(input.sizes()));
  return apply_dropout(input, p, train, false, channel_mask_shape(input));
}

namespace nn {

namespace functional {
Tensor dropout(const Tensor& input, const DropoutFuncOptions& o) {
  check_p("nn::functional::dropout", o.p());
  return apply_dropout(input, o.p(), o.training(), o.inplace(), input.sizes());
}

Tensor dropout2d(const Tensor& input, const Dropout2dFuncOptions& o) {
  check_p("nn::functional::dropout2d", o.p());
  WICK_CHECK(input.dim() == 3 || input.dim() == 4, "nn::functional::dropout2d",
             "expected a 3-D [N, C, L] or 4-D [N, C, H, W] input, got shape ", shape_str(input.sizes()));
  return apply_dropout(input, o.p(), o.training(), o.inplace(), channel_mask_shape(input));
}
}  // namespace functional

DropoutImpl::DropoutImpl(const DropoutOptions& options) : options(options) {
  check_p("nn::Dropout", options.p());
}

void DropoutImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::Dropout(p=" << options.p() << ", inplace=" << options.inplace() << ")";
}

Tensor DropoutImpl::forward(Tensor input) {
  return traced(functional::dropout(
      input, functional::DropoutFuncOptions().p(options.p()).training(is_training()).inplace(options.inplace())));
}

Dropout2dImpl::Dropout2dImpl(const Dropout2dOptions& options) : options(options) {
  check_p("nn::Dropout2d", options.p());
}

void Dropout2dImpl::pretty_print(std::ostream& s) const {
  s << std::boolalpha << "wick::nn::Dropout2d(p=" << options.p() << ", inplace=" << options.inplace() << ")";
}

Tensor Dropout2dImpl::forward(Tensor input) {
  return traced(functional::dropout2d(
      input, functional::Dropout2dFuncOptions().p(options.p()).training(is_training()).inplace(options.inplace())));
}

}  // namespace nn
}  // namespace wick
