// Reductions over one, several or all dims, with keepdim. sum/prod/max/min/all/any are backend
// primitives; mean, var, std, norm and logsumexp are compositions, so their gradients come for free.
#include <algorithm>
#include <cmath>

#include "ops/elementwise.h"
#include "wick/detail/autocast_op.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;
using detail::save_output;

namespace {

// Which dims a reduction covers: all when `dims` is empty.
SizeVec reduced_mask(const char* op, const Tensor& x, IntArrayRef dims) {
  const int64_t n = x.dim();
  SizeVec mask(size_t(n), dims.empty() ? 1 : 0);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(op, d, n);
    if (n == 0) continue;
    WICK_CHECK(mask[size_t(w)] == 0, op, "dim ", w, " appears multiple times in the list of dims");
    mask[size_t(w)] = 1;
  }
  return mask;
}

SizeVec keepdim_shape(const Tensor& x, const SizeVec& mask) {
  SizeVec shape(x.sizes());
  for (size_t d = 0; d < shape.size(); ++d)
    if (mask[d]) shape[d] = 1;
  return shape;
}

SizeVec final_shape(const Tensor& x, const SizeVec& mask, bool keepdim) {
  if (keepdim) return keepdim_shape(x, mask);
  SizeVec shape;
  for (size_t d = 0; d < mask.size(); ++d)
    if (!mask[d]) shape.push_back(x.size(int64_t(d)));
  return shape;
}

// Runs a backend reduction in `dtype` (x converted first); result has the final (keepdim or not) shape.
Tensor reduce_kernel(ReduceOp rop, const Tensor& x, const SizeVec& mask, bool keepdim, ScalarType dtype) {
  const ScalarType compute = compute_dtype(x.device(), dtype);
  const Tensor in = x.dtype() == compute ? x : x.to(compute);
  Tensor out = make_empty(keepdim_shape(x, mask), compute, x.device());
  SizeVec out_strides(out.strides());
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) out_strides[d] = 0;
  backend_for(x.device()).reduce(rop, view_of(out, in.impl()->sizes, out_strides), view_of(in));
  if (compute != dtype) out = out.to(dtype);
  if (!keepdim) out = make_alias(out, final_shape(x, mask, false), contiguous_strides(final_shape(x, mask, false)), 0);
  return out;
}

int64_t reduced_count(const Tensor& x, const SizeVec& mask) {
  int64_t n = 1;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) n *= x.size(int64_t(d));
  return n;
}

// The gradient of a reduction, broadcast back over the reduced dims.
Tensor expand_back(const Tensor& g, const SizeVec& keep_shape, IntArrayRef in_shape) {
  return g.reshape(keep_shape).expand(in_shape);
}

ScalarType sum_dtype(const Tensor& x, std::optional<ScalarType> dtype) {
  if (dtype) return *dtype;
  return is_integral(x.dtype(), true) ? kInt64 : x.scalar_type();
}

std::vector<int64_t> mask_to_dims(const SizeVec& mask) {
  std::vector<int64_t> dims;
  for (size_t d = 0; d < mask.size(); ++d)
    if (mask[d]) dims.push_back(int64_t(d));
  return dims;
}

Tensor extreme(const char* op, ReduceOp rop, const Tensor& x, IntArrayRef dims, bool keepdim) {
  const SizeVec mask = reduced_mask(op, x, dims);
  for (size_t d = 0; d < mask.size(); ++d)
    WICK_CHECK(!mask[d] || x.size(int64_t(d)) > 0, op, "cannot reduce over dim ", int64_t(d), " of size 0 (shape ",
               shape_str(x.sizes()), "); the operation has no identity");
  WICK_CHECK(x.numel() > 0 || x.dim() > 0, op, "cannot reduce an empty tensor");
  WICK_CHECK(!(x.numel() == 0 && dims.empty()), op, "cannot reduce an empty tensor (shape ", shape_str(x.sizes()), ")");
  Tensor out = reduce_kernel(rop, x, mask, keepdim, x.dtype());
  if (record_needed(x))
    record(
        op, {&x}, out,
        [sx = save(x), so = save_output(out), keep = keepdim_shape(x, mask), dims_list = mask_to_dims(mask)](Grads g) {
          // Ties share the gradient evenly, as PyTorch's amax/amin and full max/min.
          const Tensor v = sx.get();
          const Tensor m = (v == so.get().reshape(keep)).to(v.dtype());
          g.in[0] = expand_back(g.out[0], keep, v.sizes()) * m / m.sum(dims_list, true);
        });
  return out;
}

}  // namespace

namespace {
Tensor sum_impl(detail::OpName op, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  if (!dtype) {  // PyTorch's fp32_set_opt_dtype: float32 unless the caller chose a dtype
    if (detail::AutocastOp ac{detail::autocast_lists::reduction, x.device()})
      return sum_impl(op, ac(x), dims, keepdim, dtype);
  }
  const SizeVec mask = reduced_mask("sum", x, dims);
  const ScalarType dt = sum_dtype(x, dtype);
  Tensor out = reduce_kernel(ReduceOp::Sum, x, mask, keepdim, dt == kBool ? kInt64 : dt);
  if (record_needed(x))
    record(op, {&x}, out, [keep = keepdim_shape(x, mask), in_shape = SizeVec(x.sizes())](Grads g) {
      g.in[0] = expand_back(g.out[0], keep, in_shape);
    });
  return out;
}
}  // namespace

// LibTorch's nodes: SumBackward0 for sum(), SumBackward1 for sum(dims), even over every dim.
Tensor sum(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("sum", x);
  return sum_impl({"sum", 1}, x, dims, keepdim, dtype);
}

Tensor sum(const Tensor& x, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("sum", x);
  return sum_impl("sum", x, {}, false, dtype);
}

namespace {
Tensor mean_impl(detail::OpName op, const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  const uint64_t since = detail::tape_position();
  const ScalarType dt = dtype.value_or(x.dtype());
  WICK_CHECK(is_floating_point(dt), "mean", "could not infer output dtype: input dtype must be floating point, got ",
             dtype_name(dt));
  const SizeVec mask = reduced_mask("mean", x, dims);
  const int64_t n = reduced_count(x, mask);
  // As PyTorch: half and bfloat16 accumulate in float, so a mean whose sum passes the type's range
  // (65504 for half) is still finite; only the result is rounded to the requested type.
  if (dt == kHalf || dt == kBFloat16)
    return detail::named((sum(x, dims, keepdim, kFloat) / double(n)).to(dt), op, since);
  return detail::named(sum(x, dims, keepdim, dt) / double(n), op, since);
}
}  // namespace

// LibTorch's nodes: MeanBackward0 for mean(), MeanBackward1 for mean(dims).
Tensor mean(const Tensor& x, IntArrayRef dims, bool keepdim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("mean", x);
  return mean_impl({"mean", 1}, x, dims, keepdim, dtype);
}

Tensor mean(const Tensor& x, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("mean", x);
  return mean_impl("mean", x, {}, false, dtype);
}

Tensor prod(const Tensor& x, int64_t dim, bool keepdim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("prod", x);
  if (detail::AutocastOp ac{detail::autocast_lists::prod, x.device()}) return prod(ac(x), dim, keepdim, dtype);
  const int64_t d = wrap_dim("prod", dim, x.dim());
  const SizeVec mask = reduced_mask("prod", x, {d});
  Tensor out = reduce_kernel(ReduceOp::Prod, x, mask, keepdim, sum_dtype(x, dtype));
  if (record_needed(x))
    record({"prod", 1}, {&x}, out, [sx = save(x), so = save_output(out), keep = keepdim_shape(x, mask), d](Grads g) {
      const Tensor v = sx.get();
      const Tensor is_zero = v == 0;
      const Tensor out_k = so.get().reshape(keep);
      const Tensor g_full = expand_back(g.out[0], keep, v.sizes());
      if (!is_zero.any().item<bool>()) {
        g.in[0] = g_full * out_k / v;
        return;
      }
      const int64_t n = v.size(d);
      if (n <= 1024) {
        // Product of the others, exactly and differentiably: row i of an n x n copy with 1 on the diagonal.
        const Tensor moved = v.transpose(d, -1);
        SizeVec square(moved.sizes());
        square.insert(square.size() - 1, n);
        const Tensor diagonal = eye(n, TensorOptions().dtype(kBool).device(v.device()));
        const Tensor others = where(diagonal, 1, moved.unsqueeze(-2).expand(square)).prod(-1);
        g.in[0] = g_full * others.transpose(d, -1);
        return;
      }
      // Long slices: one zero gets the product of the others, two or more give 0 (first order exact).
      const Tensor zeros_in_slice = is_zero.sum({d}, true);
      const Tensor nonzero_product = where(is_zero, 1, v).prod(d, true);
      g.in[0] = g_full * where(logical_and(zeros_in_slice == 1, is_zero), nonzero_product, 0);
    });
  return out;
}

Tensor prod(const Tensor& x, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("prod", x);
  if (detail::AutocastOp ac{detail::autocast_lists::prod, x.device()}) return prod(ac(x), dtype);
  const uint64_t since = detail::tape_position();
  return detail::named(prod(x.reshape({-1}), 0, false, dtype).reshape({}), "prod", since);
}

Tensor amax(const Tensor& x, IntArrayRef dims, bool keepdim) {
  WICK_PROFILE_OP("amax", x);
  return extreme("amax", ReduceOp::Max, x, dims, keepdim);
}
Tensor amin(const Tensor& x, IntArrayRef dims, bool keepdim) {
  WICK_PROFILE_OP("amin", x);
  return extreme("amin", ReduceOp::Min, x, dims, keepdim);
}
Tensor max(const Tensor& x) {
  WICK_PROFILE_OP("max", x);
  WICK_CHECK(x.numel() > 0, "max", "cannot take the max of an empty tensor (shape ", shape_str(x.sizes()), ")");
  const uint64_t since = detail::tape_position();
  return detail::named(amax(x, {}, false), {"max", 1}, since);  // LibTorch: MaxBackward1 (max(dim) is 0)
}
Tensor min(const Tensor& x) {
  WICK_PROFILE_OP("min", x);
  WICK_CHECK(x.numel() > 0, "min", "cannot take the min of an empty tensor (shape ", shape_str(x.sizes()), ")");
  const uint64_t since = detail::tape_position();
  return detail::named(amin(x, {}, false), {"min", 1}, since);
}

namespace {
std::tuple<Tensor, Tensor> extreme_with_index(const char* op, ArgReduceOp aop, const Tensor& x, int64_t dim,
                                              bool keepdim) {
  const int64_t d = wrap_dim(op, dim, x.dim());
  const Tensor in = x.dim() == 0 ? x.reshape({1}) : x;
  WICK_CHECK(in.size(d) > 0, op, "cannot reduce over dim ", d, " of size 0 (shape ", shape_str(x.sizes()), ")");
  const ScalarType compute = compute_dtype(x.device(), x.dtype());
  const Tensor cin = in.dtype() == compute ? in : in.to(compute);
  SizeVec keep(in.sizes());
  keep[size_t(d)] = 1;
  Tensor values = make_empty(keep, compute, x.device());
  Tensor indices = make_empty(keep, kInt64, x.device());
  const View vv = view_of(values);
  backend_for(x.device()).arg_reduce(aop, &vv, view_of(indices), view_of(cin), int(d));
  if (compute != x.dtype()) values = values.to(x.dtype());
  if (!keepdim || x.dim() == 0) {
    SizeVec shape(in.sizes());
    shape.erase(size_t(d));
    if (x.dim() == 0) shape.clear();
    values = make_alias(values, shape, contiguous_strides(shape), 0);
    indices = make_alias(indices, shape, contiguous_strides(shape), 0);
  }
  if (record_needed(x))
    record(op, {&x}, values, [idx = indices.reshape(keep), keep, d, in_shape = SizeVec(x.sizes())](Grads g) {
      const Tensor z = zeros(in_shape.size() ? IntArrayRef(in_shape) : IntArrayRef{1}, g.out[0].options());
      Tensor r = z.scatter(d, idx, g.out[0].reshape(keep));
      g.in[0] = r.reshape(in_shape);
    });
  return {values, indices};
}
}  // namespace

std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  WICK_PROFILE_OP("max", x);
  return extreme_with_index("max", ArgReduceOp::ArgMax, x, dim, keepdim);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  WICK_PROFILE_OP("min", x);
  return extreme_with_index("min", ArgReduceOp::ArgMin, x, dim, keepdim);
}

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  WICK_PROFILE_OP("argmax", x);
  NoGradGuard no_grad;
  WICK_CHECK(x.dtype() != kBool, "argmax", "not supported on bool tensors");
  if (dim)
    WICK_CHECK(x.size(wrap_dim("argmax", *dim, x.dim())) > 0 || x.dim() == 0, "argmax",
               "cannot reduce over an empty dim (shape ", shape_str(x.sizes()), ")");
  else
    WICK_CHECK(x.numel() > 0, "argmax", "cannot take the argmax of an empty tensor");
  if (!dim) return std::get<1>(max(x.reshape({-1}), 0, false));
  return std::get<1>(max(x, *dim, keepdim));
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  WICK_PROFILE_OP("argmin", x);
  NoGradGuard no_grad;
  WICK_CHECK(x.dtype() != kBool, "argmin", "not supported on bool tensors");
  if (dim)
    WICK_CHECK(x.size(wrap_dim("argmin", *dim, x.dim())) > 0 || x.dim() == 0, "argmin",
               "cannot reduce over an empty dim (shape ", shape_str(x.sizes()), ")");
  else
    WICK_CHECK(x.numel() > 0, "argmin", "cannot take the argmin of an empty tensor");
  if (!dim) return std::get<1>(min(x.reshape({-1}), 0, false));
  return std::get<1>(min(x, *dim, keepdim));
}

namespace {
// max(0, N - correction), as PyTorch's; unbiased is correction 1 (Bessel's), the default. Zero gives inf or NaN.
double denominator(int64_t n, std::optional<int64_t> correction) {
  return double(std::max<int64_t>(0, n - correction.value_or(1)));
}
}  // namespace

Tensor var(const Tensor& x, IntArrayRef dims, std::optional<int64_t> correction, bool keepdim) {
  WICK_PROFILE_OP("var", x);
  WICK_CHECK(is_floating_point(x.dtype()), "var", "expected a floating point tensor, got ", dtype_name(x.dtype()));
  const SizeVec mask = reduced_mask("var", x, dims);
  const int64_t n = reduced_count(x, mask);
  const uint64_t since = detail::tape_position();
  const Tensor centered = x - mean(x, dims, true);
  return detail::named(sum(centered * centered, dims, keepdim) / denominator(n, correction), "var", since);
}
Tensor var(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  WICK_PROFILE_OP("var", x);
  return var(x, dims, std::optional<int64_t>(unbiased ? 1 : 0), keepdim);
}
Tensor var(const Tensor& x, bool unbiased) {
  WICK_PROFILE_OP("var", x);
  return var(x, {}, unbiased, false);
}
Tensor std(const Tensor& x, IntArrayRef dims, std::optional<int64_t> correction, bool keepdim) {
  WICK_PROFILE_OP("std", x);
  WICK_CHECK(is_floating_point(x.dtype()), "std", "expected a floating point tensor, got ", dtype_name(x.dtype()));
  const SizeVec mask = reduced_mask("std", x, dims);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sqrt(var(x, dims, correction, keepdim));
  }
  if (record_needed(x)) {
    const double denom = denominator(reduced_count(x, mask), correction);
    record("std", {&x}, out,
           [sx = save(x), so = save_output(out), keep = keepdim_shape(x, mask), dims_list = mask_to_dims(mask),
            denom](Grads g) {
             // d std = (x - mean) / (denom * std), and 0 where std is 0 (PyTorch's choice; sqrt's own rule
             // would give 0 / 0 there).
             const Tensor v = sx.get();
             const Tensor s = so.get().reshape(keep);
             const Tensor centered = v - v.mean(dims_list, true);
             g.in[0] = expand_back(g.out[0], keep, v.sizes()) * where(s == 0, 0, centered / (s * denom));
           });
  }
  return out;
}
Tensor std(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim) {
  WICK_PROFILE_OP("std", x);
  return std(x, dims, std::optional<int64_t>(unbiased ? 1 : 0), keepdim);
}
Tensor std(const Tensor& x, bool unbiased) {
  WICK_PROFILE_OP("std", x);
  return std(x, {}, unbiased, false);
}

namespace {
Tensor norm_impl(detail::OpName op, const Tensor& x, Scalar p, IntArrayRef dims, bool keepdim) {
  if (detail::AutocastOp ac{detail::autocast_lists::norm, x.device()}) return norm_impl(op, ac(x), p, dims, keepdim);
  WICK_CHECK(is_floating_point(x.dtype()), "norm", "expected a floating point tensor, got ", dtype_name(x.dtype()));
  reduced_mask("norm", x, dims);  // bad dims name norm, not the reduction it is built from
  const double pv = p.to_double();
  const uint64_t since = detail::tape_position();
  if (std::isinf(pv))
    return detail::named(pv > 0 ? amax(abs(x), dims, keepdim) : amin(abs(x), dims, keepdim), op, since);
  if (pv == 1) return detail::named(sum(abs(x), dims, keepdim), op, since);
  if (pv == 0) {
    Tensor out;
    {
      NoGradGuard no_grad;
      out = sum((x != 0).to(x.dtype()), dims, keepdim);
    }
    // A count of non-zeros: PyTorch gives it a gradient that is zero everywhere, rather than none.
    if (record_needed(x))
      record(op, {&x}, out, [shape = SizeVec(x.sizes())](Grads g) { g.in[0] = zeros(shape, g.out[0].options()); });
    return out;
  }
  if (pv == 2) {
    Tensor out;
    {
      NoGradGuard no_grad;
      out = sqrt(sum(x * x, dims, keepdim));
    }
    const SizeVec mask = reduced_mask("norm", x, dims);
    if (record_needed(x))
      record(op, {&x}, out, [sx = save(x), so = save_output(out), keep = keepdim_shape(x, mask)](Grads g) {
        // d||x|| = x / ||x||, and 0 where the norm is 0 (PyTorch's subgradient)
        const Tensor v = sx.get();
        const Tensor nk = so.get().reshape(keep);
        g.in[0] = expand_back(g.out[0], keep, v.sizes()) * where(nk == 0, 0, v / nk);
      });
    return out;
  }
  return detail::named(pow(sum(pow(abs(x), pv), dims, keepdim), 1.0 / pv), op, since);
}
}  // namespace

Tensor norm(const Tensor& x, Scalar p, IntArrayRef dims, bool keepdim) {
  WICK_PROFILE_OP("norm", x);
  return norm_impl({"norm", 1}, x, p, dims, keepdim);
}
Tensor norm(const Tensor& x, Scalar p) {
  WICK_PROFILE_OP("norm", x);
  return norm_impl("norm", x, p, {}, false);
}

Tensor logsumexp(const Tensor& x, IntArrayRef dims, bool keepdim) {
  WICK_PROFILE_OP("logsumexp", x);
  if (detail::AutocastOp ac{detail::autocast_lists::reduction, x.device()}) return logsumexp(ac(x), dims, keepdim);
  const uint64_t since = detail::tape_position();
  const Tensor xf = is_floating_point(x.dtype()) ? x : x.to(kFloat);
  const SizeVec mask = reduced_mask("logsumexp", xf, dims);
  // Over an empty slice the sum of exponentials is 0, so the result is -inf (amax has nothing to shift by).
  if (xf.numel() == 0) return log(sum(exp(xf), dims, keepdim));
  Tensor m = amax(xf, dims, true).detach();
  m = where(isinf(m), 0, m);  // all -inf (or +inf) slices: keep exp() finite
  const Tensor shift = keepdim ? m : m.reshape(final_shape(xf, mask, false));
  return detail::named(log(sum(exp(xf - m), dims, keepdim)) + shift, "logsumexp", since);
}

Tensor all(const Tensor& x) {
  WICK_PROFILE_OP("all", x);
  return all(x.reshape({-1}), 0, false);
}
Tensor all(const Tensor& x, int64_t dim, bool keepdim) {
  WICK_PROFILE_OP("all", x);
  const Tensor b = x.dtype() == kBool ? x : x != 0;
  return reduce_kernel(ReduceOp::All, b, reduced_mask("all", b, {dim}), keepdim, kBool);
}
Tensor any(const Tensor& x) {
  WICK_PROFILE_OP("any", x);
  return any(x.reshape({-1}), 0, false);
}
Tensor any(const Tensor& x, int64_t dim, bool keepdim) {
  WICK_PROFILE_OP("any", x);
  const Tensor b = x.dtype() == kBool ? x : x != 0;
  return reduce_kernel(ReduceOp::Any, b, reduced_mask("any", b, {dim}), keepdim, kBool);
}

}  // namespace wick
