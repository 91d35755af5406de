// Activation layers and their functional forms, over wick's elementwise ops.
#include "wick/nn/modules/activation.h"

#include <algorithm>
#include <limits>
#include <ostream>

#include "wick/nn/aliases.h"
#include "wick/nn/functional.h"
#include "wick/ops.h"

namespace wick {

Tensor log_sigmoid(const Tensor& self) { return -softplus(-self); }  // stable: softplus is linear past 20

namespace nn {

namespace {
// In-place variants write the result back into the input, as LibTorch's inplace options do.
Tensor maybe_inplace(Tensor& input, const Tensor& result, bool inplace) {
  if (!inplace) return result;
  input.copy_(result);
  return input;
}
}  // namespace

namespace functional {
Tensor relu(const Tensor& input, const ReLUFuncOptions& o) {
  if (o.inplace()) {
    Tensor x = input;
    return x.relu_();
  }
  return wick::relu(input);
}
Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& o) {
  Tensor x = input;
  return maybe_inplace(x, wick::leaky_relu(input, o.negative_slope()), o.inplace());
}
Tensor elu(const Tensor& input, const ELUFuncOptions& o) {
  Tensor x = input;
  return maybe_inplace(x, wick::elu(input, o.alpha()), o.inplace());
}
Tensor hardtanh(const Tensor& input, const HardtanhFuncOptions& o) {
  Tensor x = input;
  return maybe_inplace(x, wick::hardtanh(input, o.min_val(), o.max_val()), o.inplace());
}
Tensor relu6(const Tensor& input, const ReLU6FuncOptions& o) {
  Tensor x = input;
  return maybe_inplace(x, wick::relu6(input), o.inplace());
}
Tensor gelu(const Tensor& input, const GELUFuncOptions& o) { return wick::gelu(input, o.approximate()); }
Tensor silu(const Tensor& input) { return wick::silu(input); }
Tensor softplus(const Tensor& input, const SoftplusFuncOptions& o) {
  return wick::softplus(input, o.beta(), o.threshold());
}
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& o) { return wick::softmax(input, o.dim(), o.dtype()); }
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& o) {
  return wick::log_softmax(input, o.dim(), o.dtype());
}
Tensor logsigmoid(const Tensor& input) { return wick::log_sigmoid(input); }

Tensor gumbel_softmax(const Tensor& logits, const GumbelSoftmaxFuncOptions& o) {
  const char* op = "nn::functional::gumbel_softmax";
  WICK_CHECK(logits.defined() && is_floating_point(logits.dtype()), op, "expected floating-point logits");
  WICK_CHECK(o.tau() > 0, op, "tau must be positive, got ", o.tau());
  const int64_t dim = wrap_dim(op, o.dim(), std::max<int64_t>(logits.dim(), 1));
  // Exponential(1) draws as -log(1 - U), kept off 0 so that the Gumbel draw -log(E) stays finite.
  const Tensor exponential = (-log1p(-rand_like(logits))).clamp_min(std::numeric_limits<float>::min());
  const Tensor soft = softmax((logits - log(exponential)) / o.tau(), SoftmaxFuncOptions(dim));
  if (!o.hard()) return soft;
  const Tensor hard = zeros_like(soft).scatter(dim, soft.argmax(dim, true), 1.0);
  return hard - soft.detach() + soft;
}
}  // namespace functional

void ReLUImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::ReLU(" << (options.inplace() ? "inplace=true" : "") << ")";
}
Tensor ReLUImpl::forward(Tensor input) { return traced(functional::relu(input, options)); }

void ReLU6Impl::pretty_print(std::ostream& s) const {
  s << "wick::nn::ReLU6(" << (options.inplace() ? "inplace=true" : "") << ")";
}
Tensor ReLU6Impl::forward(Tensor input) { return traced(functional::relu6(input, options)); }

void LeakyReLUImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::LeakyReLU(negative_slope=" << options.negative_slope() << (options.inplace() ? ", inplace=true" : "")
    << ")";
}
Tensor LeakyReLUImpl::forward(Tensor input) { return traced(functional::leaky_relu(input, options)); }

void ELUImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::ELU(alpha=" << options.alpha() << (options.inplace() ? ", inplace=true" : "") << ")";
}
Tensor ELUImpl::forward(Tensor input) { return traced(functional::elu(input, options)); }

HardtanhImpl::HardtanhImpl(const HardtanhOptions& options) : options(options) {
  WICK_CHECK(options.max_val() > options.min_val(), "nn::Hardtanh",
             "max_val must be greater than min_val (got min_val ", options.min_val(), ", max_val ", options.max_val(),
             ")");
}
void HardtanhImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::Hardtanh(min_val=" << options.min_val() << ", max_val=" << options.max_val()
    << (options.inplace() ? ", inplace=true" : "") << ")";
}
Tensor HardtanhImpl::forward(Tensor input) { return traced(functional::hardtanh(input, options)); }

void GELUImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::GELU(" << (options.approximate() == "none" ? "" : "approximate='" + options.approximate() + "'")
    << ")";
}
Tensor GELUImpl::forward(Tensor input) { return traced(functional::gelu(input, options)); }

void SoftplusImpl::pretty_print(std::ostream& s) const {
  s << "wick::nn::Softplus(beta=" << options.beta() << ", threshold=" << options.threshold() << ")";
}
Tensor SoftplusImpl::forward(Tensor input) { return traced(functional::softplus(input, options)); }

void SiLUImpl::pretty_print(std::ostream& s) const { s << "wick::nn::SiLU()"; }
Tensor SiLUImpl::forward(const Tensor& input) { return traced(wick::silu(input)); }

void TanhImpl::pretty_print(std::ostream& s) const { s << "wick::nn::Tanh()"; }
Tensor TanhImpl::forward(const Tensor& input) { return traced(wick::tanh(input)); }

void SigmoidImpl::pretty_print(std::ostream& s) const { s << "wick::nn::Sigmoid()"; }
Tensor SigmoidImpl::forward(const Tensor& input) { return traced(wick::sigmoid(input)); }

void SoftmaxImpl::pretty_print(std::ostream& s) const { s << "wick::nn::Softmax(dim=" << options.dim() << ")"; }
Tensor SoftmaxImpl::forward(const Tensor& input) { return traced(wick::softmax(input, options.dim())); }

void LogSoftmaxImpl::pretty_print(std::ostream& s) const { s << "wick::nn::LogSoftmax(dim=" << options.dim() << ")"; }
Tensor LogSoftmaxImpl::forward(const Tensor& input) { return traced(wick::log_softmax(input, options.dim())); }

}  // namespace nn
}  // namespace wick
