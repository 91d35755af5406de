// Tensor's op methods: each forwards to the free function of the same name (ops.h). In-place variants
// compute out of place, write the values back, and, when recording, move the tensor's history onto the
// new entry, the way PyTorch rebases an in-place op's output.
#include "ops/elementwise.h"
#include "ops/inplace.h"
#include "ops/strided.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

namespace {

void take_history(TensorImpl* dst, TensorImpl* src) {
  if (src->grad_fn) src->grad_fn->incref();
  if (dst->grad_fn) dst->grad_fn->decref();
  dst->grad_fn = src->grad_fn;
  dst->output_nr = src->output_nr;
  dst->requires_grad = src->requires_grad;
}

}  // namespace

// After `result`'s values were written into self in place: self now carries result's history, and if
// self is a view, its base's history becomes "base with this region replaced by result", so gradients
// reach both through the base and through any later view of it.
void rebase_history(const char* op, const Tensor& self, const Tensor& result) {
  TensorImpl* s = self.impl();
  if (!s->view_base) {
    take_history(s, result.impl());
    return;
  }
  s->view_base->incref();
  const Tensor base(s->view_base);
  WICK_CHECK(!(base.is_leaf() && base.requires_grad()), op,
             "a view of a leaf tensor that requires grad is being used in an in-place operation");
  WICK_CHECK(base.is_contiguous(), op, "in-place writes through a view of a non-contiguous tensor (shape ",
             shape_str(base.sizes()), ", strides ", shape_str(base.strides()), ") are not supported under autograd");
  const int64_t offset = s->offset - base.storage_offset();
  const Tensor new_base = as_strided_scatter(base, result, s->sizes, s->strides, offset);
  take_history(base.impl(), new_base.impl());
  const Tensor region = as_strided_region(base, s->sizes, s->strides, offset);
  take_history(s, region.impl());
}

// ---- elementwise ----------------------------------------------------------------------------------------
Tensor Tensor::neg() const { return wick::neg(*this); }
Tensor Tensor::abs() const { return wick::abs(*this); }
Tensor Tensor::sign() const { return wick::sign(*this); }
Tensor Tensor::exp() const { return wick::exp(*this); }
Tensor Tensor::log() const { return wick::log(*this); }
Tensor Tensor::log1p() const { return wick::log1p(*this); }
Tensor Tensor::expm1() const { return wick::expm1(*this); }
Tensor Tensor::sqrt() const { return wick::sqrt(*this); }
Tensor Tensor::rsqrt() const { return wick::rsqrt(*this); }
Tensor Tensor::reciprocal() const { return wick::reciprocal(*this); }
Tensor Tensor::square() const { return wick::square(*this); }
Tensor Tensor::sin() const { return wick::sin(*this); }
Tensor Tensor::cos() const { return wick::cos(*this); }
Tensor Tensor::tanh() const { return wick::tanh(*this); }
Tensor Tensor::sigmoid() const { return wick::sigmoid(*this); }
Tensor Tensor::relu() const { return wick::relu(*this); }
Tensor Tensor::floor() const { return wick::floor(*this); }
Tensor Tensor::ceil() const { return wick::ceil(*this); }
Tensor Tensor::round() const { return wick::round(*this); }
Tensor Tensor::trunc() const { return wick::trunc(*this); }
Tensor Tensor::pow(const Tensor& e) const { return wick::pow(*this, e); }
Tensor Tensor::pow(Scalar e) const { return wick::pow(*this, e); }
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return wick::clamp(*this, lo, hi); }
Tensor Tensor::clamp_min(Scalar lo) const { return wick::clamp_min(*this, lo); }
Tensor Tensor::clamp_max(Scalar hi) const { return wick::clamp_max(*this, hi); }
Tensor Tensor::add(const Tensor& o, Scalar alpha) const { return wick::add(*this, o, alpha); }
Tensor Tensor::add(Scalar o, Scalar alpha) const { return wick::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, Scalar alpha) const { return wick::sub(*this, o, alpha); }
Tensor Tensor::sub(Scalar o, Scalar alpha) const { return wick::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return wick::mul(*this, o); }
Tensor Tensor::mul(Scalar o) const { return wick::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return wick::div(*this, o); }
Tensor Tensor::div(Scalar o) const { return wick::div(*this, o); }
Tensor Tensor::remainder(const Tensor& o) const { return wick::remainder(*this, o); }
Tensor Tensor::remainder(Scalar o) const { return wick::remainder(*this, o); }
Tensor Tensor::maximum(const Tensor& o) const { return wick::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return wick::minimum(*this, o); }
Tensor Tensor::eq(const Tensor& o) const { return wick::eq(*this, o); }
Tensor Tensor::eq(Scalar o) const { return wick::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return wick::ne(*this, o); }
Tensor Tensor::ne(Scalar o) const { return wick::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return wick::lt(*this, o); }
Tensor Tensor::lt(Scalar o) const { return wick::lt(*this, o); }
Tensor Tensor::le(const Tensor& o) const { return wick::le(*this, o); }
Tensor Tensor::le(Scalar o) const { return wick::le(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return wick::gt(*this, o); }
Tensor Tensor::gt(Scalar o) const { return wick::gt(*this, o); }
Tensor Tensor::ge(const Tensor& o) const { return wick::ge(*this, o); }
Tensor Tensor::ge(Scalar o) const { return wick::ge(*this, o); }
Tensor Tensor::logical_and(const Tensor& o) const { return wick::logical_and(*this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return wick::logical_or(*this, o); }
Tensor Tensor::logical_not() const { return wick::logical_not(*this); }
Tensor Tensor::masked_fill(const Tensor& mask, Scalar v) const { return wick::masked_fill(*this, mask, v); }
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& v) const { return wick::masked_fill(*this, mask, v); }
Tensor Tensor::isnan() const { return wick::isnan(*this); }
Tensor Tensor::isinf() const { return wick::isinf(*this); }

// ---- in place -------------------------------------------------------------------------------------------
Tensor& Tensor::neg_() const {
  WICK_PROFILE_OP("neg_", *this);
  return inplace(*this, "neg_", nullptr, [](const Tensor& s) { return wick::neg(s); });
}
Tensor& Tensor::abs_() const {
  WICK_PROFILE_OP("abs_", *this);
  return inplace(*this, "abs_", nullptr, [](const Tensor& s) { return wick::abs(s); });
}
Tensor& Tensor::exp_() const {
  WICK_PROFILE_OP("exp_", *this);
  return inplace(*this, "exp_", nullptr, [](const Tensor& s) { return wick::exp(s); });
}
Tensor& Tensor::log_() const {
  WICK_PROFILE_OP("log_", *this);
  return inplace(*this, "log_", nullptr, [](const Tensor& s) { return wick::log(s); });
}
Tensor& Tensor::sqrt_() const {
  WICK_PROFILE_OP("sqrt_", *this);
  return inplace(*this, "sqrt_", nullptr, [](const Tensor& s) { return wick::sqrt(s); });
}
Tensor& Tensor::tanh_() const {
  WICK_PROFILE_OP("tanh_", *this);
  return inplace(*this, "tanh_", nullptr, [](const Tensor& s) { return wick::tanh(s); });
}
Tensor& Tensor::sigmoid_() const {
  WICK_PROFILE_OP("sigmoid_", *this);
  return inplace(*this, "sigmoid_", nullptr, [](const Tensor& s) { return wick::sigmoid(s); });
}
Tensor& Tensor::relu_() const {
  WICK_PROFILE_OP("relu_", *this);
  return inplace(*this, "relu_", nullptr, [](const Tensor& s) { return wick::relu(s); });
}
Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) const {
  WICK_PROFILE_OP("clamp_", *this);
  return inplace(*this, "clamp_", nullptr, [&](const Tensor& s) { return wick::clamp(s, lo, hi); });
}
Tensor& Tensor::pow_(Scalar e) const {
  WICK_PROFILE_OP("pow_", *this);
  return inplace(*this, "pow_", nullptr, [&](const Tensor& s) { return wick::pow(s, e); });
}
// Arithmetic in place that records nothing (an optimizer step, say) writes straight into self when it can
// (binary_into_self); otherwise, and whenever it records, it takes inplace()'s general path.
Tensor& Tensor::add_(const Tensor& o, Scalar alpha) const {
  WICK_PROFILE_OP("add_", *this, o);
  if (!records(*this, &o) && scaled_binary_into_self(BinaryOp::Add, *this, o, alpha)) return const_cast<Tensor&>(*this);
  return inplace(*this, "add_", &o, [&](const Tensor& s) { return wick::add(s, o, alpha); });
}
Tensor& Tensor::add_(Scalar o, Scalar alpha) const {
  WICK_PROFILE_OP("add_", *this);
  if (!records(*this, nullptr) && binary_into_self(BinaryOp::Add, *this, Scalar(o.to_double() * alpha.to_double())))
    return const_cast<Tensor&>(*this);
  return inplace(*this, "add_", nullptr, [&](const Tensor& s) { return wick::add(s, o, alpha); });
}
Tensor& Tensor::sub_(const Tensor& o, Scalar alpha) const {
  WICK_PROFILE_OP("sub_", *this, o);
  if (!records(*this, &o) && scaled_binary_into_self(BinaryOp::Sub, *this, o, alpha)) return const_cast<Tensor&>(*this);
  return inplace(*this, "sub_", &o, [&](const Tensor& s) { return wick::sub(s, o, alpha); });
}
Tensor& Tensor::sub_(Scalar o, Scalar alpha) const {
  WICK_PROFILE_OP("sub_", *this);
  if (!records(*this, nullptr) && binary_into_self(BinaryOp::Sub, *this, Scalar(o.to_double() * alpha.to_double())))
    return const_cast<Tensor&>(*this);
  return inplace(*this, "sub_", nullptr, [&](const Tensor& s) { return wick::sub(s, o, alpha); });
}
Tensor& Tensor::mul_(const Tensor& o) const {
  WICK_PROFILE_OP("mul_", *this, o);
  if (!records(*this, &o) && binary_into_self(BinaryOp::Mul, *this, o)) return const_cast<Tensor&>(*this);
  return inplace(*this, "mul_", &o, [&](const Tensor& s) { return wick::mul(s, o); });
}
Tensor& Tensor::mul_(Scalar o) const {
  WICK_PROFILE_OP("mul_", *this);
  if (!records(*this, nullptr) && binary_into_self(BinaryOp::Mul, *this, o)) return const_cast<Tensor&>(*this);
  return inplace(*this, "mul_", nullptr, [&](const Tensor& s) { return wick::mul(s, o); });
}
Tensor& Tensor::div_(const Tensor& o) const {
  WICK_PROFILE_OP("div_", *this, o);
  if (!records(*this, &o) && binary_into_self(BinaryOp::Div, *this, o)) return const_cast<Tensor&>(*this);
  return inplace(*this, "div_", &o, [&](const Tensor& s) { return wick::div(s, o); });
}
Tensor& Tensor::div_(Scalar o) const {
  WICK_PROFILE_OP("div_", *this);
  if (!records(*this, nullptr) && binary_into_self(BinaryOp::Div, *this, o)) return const_cast<Tensor&>(*this);
  return inplace(*this, "div_", nullptr, [&](const Tensor& s) { return wick::div(s, o); });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, Scalar v) const {
  WICK_PROFILE_OP("masked_fill_", *this, mask);
  return inplace(*this, "masked_fill_", nullptr, [&](const Tensor& s) { return wick::masked_fill(s, mask, v); });
}
namespace {
// A fill under autograd stays in the graph with a zero gradient for the old values: where() with a condition that
// is false everywhere, so inf and NaN in the old values cannot leak in (as s * 0 + v would), named as LibTorch's
// node for the fill (ZeroBackward0, FillBackward2 for a Scalar, FillBackward3 for a 0-dim tensor).
Tensor filled_in_graph(const Tensor& s, const Tensor& value, detail::OpName node) {
  const uint64_t since = detail::tape_position();
  const Tensor nowhere = zeros(s.sizes(), TensorOptions().dtype(kBool).device(s.device()));
  return detail::named(where(nowhere, s, value.to(s.dtype())), node, since);
}
}  // namespace

Tensor& Tensor::zero_() const {
  WICK_PROFILE_OP("zero_", *this);
  if (detail::grad_mode_enabled() && requires_grad())
    return inplace(*this, "zero_", nullptr,
                   [&](const Tensor& s) { return filled_in_graph(s, zeros({}, s.options()), "zero"); });
  backend_for(device()).fill(view_of(*this), 0.0);
  bump_version(*this);
  return const_cast<Tensor&>(*this);
}
Tensor& Tensor::fill_(Scalar v) const {
  WICK_PROFILE_OP("fill_", *this);
  if (detail::grad_mode_enabled() && requires_grad())
    return inplace(*this, "fill_", nullptr, [&](const Tensor& s) {
      return filled_in_graph(s, full({}, v, s.options()), {"fill", 2});
    });
  backend_for(device()).fill(view_of(*this), v.to_double());
  bump_version(*this);
  return const_cast<Tensor&>(*this);
}
Tensor& Tensor::fill_(const Tensor& v) const {
  WICK_PROFILE_OP("fill_", *this, v);
  WICK_CHECK(v.dim() == 0, "fill_", "only supports a 0-dim value tensor, got shape ", shape_str(v.sizes()));
  return inplace(*this, "fill_", &v, [&](const Tensor& s) { return filled_in_graph(s, v, {"fill", 3}); });
}

// ---- reductions -----------------------------------------------------------------------------------------
Tensor Tensor::sum(std::optional<ScalarType> dt) const { return wick::sum(*this, dt); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dt) const {
  return wick::sum(*this, dims, keepdim, dt);
}
Tensor Tensor::mean(std::optional<ScalarType> dt) const { return wick::mean(*this, dt); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<ScalarType> dt) const {
  return wick::mean(*this, dims, keepdim, dt);
}
Tensor Tensor::prod(std::optional<ScalarType> dt) const { return wick::prod(*this, dt); }
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<ScalarType> dt) const {
  return wick::prod(*this, dim, keepdim, dt);
}
Tensor Tensor::max() const { return wick::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const { return wick::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return wick::min(*this); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const { return wick::min(*this, dim, keepdim); }
Tensor Tensor::max(const Tensor& other) const { return wick::max(*this, other); }
Tensor Tensor::min(const Tensor& other) const { return wick::min(*this, other); }
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const { return wick::amax(*this, dims, keepdim); }
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const { return wick::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return wick::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return wick::argmin(*this, dim, keepdim); }
Tensor Tensor::var(bool unbiased) const { return wick::var(*this, unbiased); }
Tensor Tensor::var(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return wick::var(*this, dims, unbiased, keepdim);
}
Tensor Tensor::var(IntArrayRef dims, std::optional<int64_t> correction, bool keepdim) const {
  return wick::var(*this, dims, correction, keepdim);
}
Tensor Tensor::std(IntArrayRef dims, std::optional<int64_t> correction, bool keepdim) const {
  return wick::std(*this, dims, correction, keepdim);
}
Tensor Tensor::std(bool unbiased) const { return wick::std(*this, unbiased); }
Tensor Tensor::std(IntArrayRef dims, bool unbiased, bool keepdim) const {
  return wick::std(*this, dims, unbiased, keepdim);
}
Tensor Tensor::norm(Scalar p) const { return wick::norm(*this, p); }
Tensor Tensor::norm(Scalar p, IntArrayRef dims, bool keepdim) const { return wick::norm(*this, p, dims, keepdim); }
Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const { return wick::logsumexp(*this, dims, keepdim); }
Tensor Tensor::all() const { return wick::all(*this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const { return wick::all(*this, dim, keepdim); }
Tensor Tensor::any() const { return wick::any(*this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const { return wick::any(*this, dim, keepdim); }
Tensor Tensor::softmax(int64_t dim, std::optional<ScalarType> dt) const { return wick::softmax(*this, dim, dt); }
Tensor Tensor::log_softmax(int64_t dim, std::optional<ScalarType> dt) const {
  return wick::log_softmax(*this, dim, dt);
}
Tensor Tensor::cumsum(int64_t dim, std::optional<ScalarType> dt) const { return wick::cumsum(*this, dim, dt); }
std::tuple<Tensor, Tensor> Tensor::sort(int64_t dim, bool descending) const {
  return wick::sort(*this, dim, descending);
}
std::tuple<Tensor, Tensor> Tensor::sort(std::optional<bool> stable, int64_t dim, bool descending) const {
  return wick::sort(*this, stable, dim, descending);
}
std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t dim, bool largest, bool sorted) const {
  return wick::topk(*this, k, dim, largest, sorted);
}

// ---- linear algebra -------------------------------------------------------------------------------------
Tensor Tensor::matmul(const Tensor& o) const { return wick::matmul(*this, o); }
Tensor Tensor::mm(const Tensor& o) const { return wick::mm(*this, o); }
Tensor Tensor::bmm(const Tensor& o) const { return wick::bmm(*this, o); }
Tensor Tensor::t() const { return wick::t(*this); }

// ---- shape ----------------------------------------------------------------------------------------------
Tensor Tensor::view(IntArrayRef shape) const { return wick::view(*this, shape); }
Tensor Tensor::reshape(IntArrayRef shape) const { return wick::reshape(*this, shape); }
Tensor Tensor::flatten(int64_t s, int64_t e) const { return wick::flatten(*this, s, e); }
Tensor Tensor::unflatten(int64_t d, IntArrayRef sizes) const { return wick::unflatten(*this, d, sizes); }
Tensor Tensor::squeeze() const { return wick::squeeze(*this); }
Tensor Tensor::squeeze(int64_t d) const { return wick::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return wick::unsqueeze(*this, d); }
Tensor Tensor::permute(IntArrayRef dims) const { return wick::permute(*this, dims); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return wick::transpose(*this, a, b); }
Tensor Tensor::expand(IntArrayRef sizes) const { return wick::expand(*this, sizes); }
Tensor Tensor::repeat(IntArrayRef r) const { return wick::repeat(*this, r); }
std::vector<Tensor> Tensor::split(int64_t s, int64_t d) const { return wick::split(*this, s, d); }
std::vector<Tensor> Tensor::split(IntArrayRef s, int64_t d) const { return wick::split(*this, s, d); }
std::vector<Tensor> Tensor::chunk(int64_t c, int64_t d) const { return wick::chunk(*this, c, d); }
std::vector<Tensor> Tensor::unbind(int64_t d) const { return wick::unbind(*this, d); }
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t l) const { return wick::narrow(*this, d, s, l); }
Tensor Tensor::select(int64_t d, int64_t i) const { return wick::select(*this, d, i); }
Tensor Tensor::slice(int64_t d, std::optional<int64_t> s, std::optional<int64_t> e, int64_t step) const {
  return wick::slice(*this, d, s, e, step);
}
Tensor Tensor::diagonal(int64_t o, int64_t d1, int64_t d2) const { return wick::diagonal(*this, o, d1, d2); }
Tensor Tensor::index_select(int64_t d, const Tensor& i) const { return wick::index_select(*this, d, i); }
Tensor Tensor::gather(int64_t d, const Tensor& i) const { return wick::gather(*this, d, i); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Tensor& s) const { return wick::scatter(*this, d, i, s); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, Scalar v) const { return wick::scatter(*this, d, i, v); }
Tensor Tensor::scatter_add(int64_t d, const Tensor& i, const Tensor& s) const {
  return wick::scatter_add(*this, d, i, s);
}
Tensor Tensor::index_add(int64_t d, const Tensor& i, const Tensor& s) const { return wick::index_add(*this, d, i, s); }
Tensor Tensor::flip(IntArrayRef dims) const { return wick::flip(*this, dims); }

}  // namespace wick
