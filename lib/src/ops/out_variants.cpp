// LibTorch's out= variants (add_out, mm_out, sum_out, ...): each computes its op, then writes the result into the
// caller's tensor under LibTorch's rules for out arguments. The result is computed into a temporary and copied,
// so an out= call saves the caller's allocation but not wick's; the rules are what a ported program relies on.
#include "tensor_factory.h"
#include "wick/detail/op_scope.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

namespace {

// Whether the out tensor's dtype may receive the result's, as torch.can_cast: never floating into integral, never
// anything but bool into bool.
bool can_cast(ScalarType from, ScalarType to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

enum class OutDtype {
  Castable,  // elementwise ops, reductions and joins: out may hold any type the result casts to
  Same,      // matrix products: out must have the result's dtype, as LibTorch's BLAS paths require
};

// Gives out the result's shape: in place when out's storage holds that many elements past its offset (as
// resize_ does, so a view stays a view of its base), otherwise in fresh storage of its own.
void resize_out(const char* op, Tensor& out, IntArrayRef sizes) {
  TensorImpl* impl = out.impl();
  const int64_t numel = check_sizes(op, sizes);
  const size_t needed = size_t(impl->offset + numel) * size_t(element_size(impl->dtype));
  if (needed <= impl->storage->nbytes) {
    impl->sizes.assign(sizes);
    impl->strides = contiguous_strides(sizes);
    return;
  }
  WICK_CHECK(!impl->storage->external, op, "cannot resize the out tensor from ", shape_str(out.sizes()), " to ",
             shape_str(sizes), ": its memory belongs to the caller (from_blob)");
  WICK_CHECK(impl->view_base == nullptr, op, "cannot resize the out tensor from ", shape_str(out.sizes()), " to ",
             shape_str(sizes), ": it is a view whose base has no room for the result");
  Tensor fresh = make_empty(sizes, impl->dtype, impl->device);
  TensorImpl* f = fresh.impl();
  std::swap(impl->storage, f->storage);
  impl->offset = 0;
  impl->sizes = f->sizes;
  impl->strides = f->strides;
}

// Runs compute() and writes its result into out. The autograd check comes first, so a refused call records
// nothing on the tape.
template <class Compute>
Tensor& write_out(const char* op, Tensor& out, const std::vector<Tensor>& inputs, Compute compute,
                  OutDtype rule = OutDtype::Castable) {
  WICK_CHECK(out.defined(), op, "the out tensor is undefined");
  bool any_requires_grad = out.requires_grad();
  for (const Tensor& t : inputs) any_requires_grad = any_requires_grad || (t.defined() && t.requires_grad());
  WICK_CHECK(!(detail::grad_mode_enabled() && any_requires_grad), op,
             "functions with out=... arguments don't support automatic differentiation, but one of the arguments "
             "requires grad");
  const Tensor result = compute();
  WICK_CHECK(out.device() == result.device(), op, "expected the out tensor on ", result.device().str(), ", got it on ",
             out.device().str());
  if (rule == OutDtype::Same)
    WICK_CHECK(out.scalar_type() == result.scalar_type(), op, "expected the out tensor to have dtype ",
               dtype_name(result.scalar_type()), ", got ", dtype_name(out.scalar_type()));
  else
    WICK_CHECK(can_cast(result.scalar_type(), out.scalar_type()), op, "result type ", dtype_name(result.scalar_type()),
               " can't be cast to the desired output type ", dtype_name(out.scalar_type()));
  if (out.sizes() != result.sizes()) resize_out(op, out, result.sizes());
  out.copy_(result);
  return out;
}

}  // namespace

Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  WICK_PROFILE_OP("add_out", out, a, b);
  return write_out("add_out", out, {a, b}, [&] { return add(a, b, alpha); });
}
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, Scalar alpha) {
  WICK_PROFILE_OP("sub_out", out, a, b);
  return write_out("sub_out", out, {a, b}, [&] { return sub(a, b, alpha); });
}
Tensor& mul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("mul_out", out, a, b);
  return write_out("mul_out", out, {a, b}, [&] { return mul(a, b); });
}
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("div_out", out, a, b);
  return write_out("div_out", out, {a, b}, [&] { return div(a, b); });
}
Tensor& pow_out(Tensor& out, const Tensor& base, const Tensor& exponent) {
  WICK_PROFILE_OP("pow_out", out, base, exponent);
  return write_out("pow_out", out, {base, exponent}, [&] { return pow(base, exponent); });
}
Tensor& pow_out(Tensor& out, const Tensor& base, Scalar exponent) {
  WICK_PROFILE_OP("pow_out", out, base);
  return write_out("pow_out", out, {base}, [&] { return pow(base, exponent); });
}
Tensor& maximum_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("maximum_out", out, a, b);
  return write_out("maximum_out", out, {a, b}, [&] { return maximum(a, b); });
}
Tensor& minimum_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("minimum_out", out, a, b);
  return write_out("minimum_out", out, {a, b}, [&] { return minimum(a, b); });
}

Tensor& neg_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("neg_out", out, x);
  return write_out("neg_out", out, {x}, [&] { return neg(x); });
}
Tensor& abs_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("abs_out", out, x);
  return write_out("abs_out", out, {x}, [&] { return abs(x); });
}
Tensor& exp_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("exp_out", out, x);
  return write_out("exp_out", out, {x}, [&] { return exp(x); });
}
Tensor& log_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("log_out", out, x);
  return write_out("log_out", out, {x}, [&] { return log(x); });
}
Tensor& sqrt_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("sqrt_out", out, x);
  return write_out("sqrt_out", out, {x}, [&] { return sqrt(x); });
}
Tensor& sin_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("sin_out", out, x);
  return write_out("sin_out", out, {x}, [&] { return sin(x); });
}
Tensor& cos_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("cos_out", out, x);
  return write_out("cos_out", out, {x}, [&] { return cos(x); });
}
Tensor& tanh_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("tanh_out", out, x);
  return write_out("tanh_out", out, {x}, [&] { return tanh(x); });
}
Tensor& sigmoid_out(Tensor& out, const Tensor& x) {
  WICK_PROFILE_OP("sigmoid_out", out, x);
  return write_out("sigmoid_out", out, {x}, [&] { return sigmoid(x); });
}
Tensor& clamp_out(Tensor& out, const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  WICK_PROFILE_OP("clamp_out", out, x);
  return write_out("clamp_out", out, {x}, [&] { return clamp(x, min, max); });
}

Tensor& mm_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("mm_out", out, a, b);
  return write_out(
      "mm_out", out, {a, b}, [&] { return mm(a, b); }, OutDtype::Same);
}
Tensor& bmm_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("bmm_out", out, a, b);
  return write_out(
      "bmm_out", out, {a, b}, [&] { return bmm(a, b); }, OutDtype::Same);
}
Tensor& matmul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("matmul_out", out, a, b);
  return write_out(
      "matmul_out", out, {a, b}, [&] { return matmul(a, b); }, OutDtype::Same);
}
Tensor& addmm_out(Tensor& out, const Tensor& bias, const Tensor& a, const Tensor& b, Scalar beta, Scalar alpha) {
  WICK_PROFILE_OP("addmm_out", out, bias, a, b);
  return write_out(
      "addmm_out", out, {bias, a, b}, [&] { return addmm(bias, a, b, beta, alpha); }, OutDtype::Same);
}

Tensor& sum_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("sum_out", out, x);
  return write_out("sum_out", out, {x}, [&] { return sum(x, dims, keepdim, dtype); });
}
Tensor& mean_out(Tensor& out, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("mean_out", out, x);
  return write_out("mean_out", out, {x}, [&] { return mean(x, dims, keepdim, dtype); });
}

Tensor& cat_out(Tensor& out, const std::vector<Tensor>& tensors, int64_t dim) {
  WICK_PROFILE_OP("cat_out", out, tensors);
  return write_out("cat_out", out, tensors, [&] { return cat(tensors, dim); });
}
Tensor& stack_out(Tensor& out, const std::vector<Tensor>& tensors, int64_t dim) {
  WICK_PROFILE_OP("stack_out", out, tensors);
  return write_out("stack_out", out, tensors, [&] { return stack(tensors, dim); });
}
Tensor& index_select_out(Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  WICK_PROFILE_OP("index_select_out", out, x, index);
  return write_out("index_select_out", out, {x}, [&] { return index_select(x, dim, index); });
}
Tensor& gather_out(Tensor& out, const Tensor& x, int64_t dim, const Tensor& index) {
  WICK_PROFILE_OP("gather_out", out, x, index);
  return write_out("gather_out", out, {x}, [&] { return gather(x, dim, index); });
}
Tensor& where_out(Tensor& out, const Tensor& condition, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("where_out", out, condition, a, b);
  return write_out("where_out", out, {a, b}, [&] { return where(condition, a, b); });
}

}  // namespace wick
