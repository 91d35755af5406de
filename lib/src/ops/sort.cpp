// Sorting and selection along one dim: sort on the backend's stable sort primitive, topk as the first k of a
// sort (O(n log n) per slice rather than a selection's O(n log k): simpler, and one primitive for a backend to
// implement). The gradient of either routes each output's gradient back to the input position it came from.
#include <tuple>

#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save;

namespace {

// Sorted values (x's dtype) and indices along dim d; a 0-dim x is one element.
std::tuple<Tensor, Tensor> sort_kernel(const Tensor& x, int64_t d, bool descending) {
  NoGradGuard no_grad;
  const ScalarType compute = compute_dtype(x.device(), x.dtype());
  const Tensor in = x.dim() == 0 ? x.reshape({1}).to(compute) : x.to(compute);
  Tensor values = make_empty(in.sizes(), compute, x.device());
  Tensor indices = make_empty(in.sizes(), kInt64, x.device());
  backend_for(x.device()).sort(view_of(values), view_of(indices), view_of(in), int(d), descending);
  if (compute != x.dtype()) values = values.to(x.dtype());
  if (x.dim() == 0) return {values.reshape({}), indices.reshape({})};
  return {values, indices};
}

// Records `values` = x gathered at `indices` along d: the gradient is scattered back to those positions (each
// position at most once, so a scatter, not a scatter_add).
void record_selection(const char* op, const Tensor& x, Tensor& values, const Tensor& indices, int64_t d) {
  record(op, {&x}, values, [si = save(indices), d, shape = SizeVec(x.sizes())](Grads g) {
    const Tensor idx = si.get();
    if (shape.empty()) {  // 0-dim: the one element
      g.in[0] = g.out[0];
      return;
    }
    g.in[0] = zeros(shape, g.out[0].options()).scatter(d, idx, g.out[0]);
  });
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending) {
  WICK_PROFILE_OP("sort", x);
  const int64_t d = wrap_dim("sort", dim, x.dim());
  auto [values, indices] = sort_kernel(x, d, descending);
  if (record_needed(x)) record_selection("sort", x, values, indices, d);
  return {values, indices};
}

std::tuple<Tensor, Tensor> sort(const Tensor& x, std::optional<bool> /*stable*/, int64_t dim, bool descending) {
  WICK_PROFILE_OP("sort", x);
  return sort(x, dim, descending);
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool /*sorted*/) {
  WICK_PROFILE_OP("topk", x);
  const int64_t d = wrap_dim("topk", dim, x.dim());
  WICK_CHECK(x.dtype() != kBool, "topk", "not supported on bool tensors");
  const int64_t n = x.dim() == 0 ? 1 : x.size(d);
  WICK_CHECK(k >= 0 && k <= n, "topk", "k = ", k, " is out of range for dim ", d, " of size ", n, " (shape ",
             shape_str(x.sizes()), "); expected 0 <= k <= ", n);
  Tensor values, indices;
  {
    NoGradGuard no_grad;
    auto [v, i] = sort_kernel(x, d, largest);
    if (x.dim() == 0) {  // the element itself, for k = 0 too (as torch.topk)
      values = v;
      indices = i;
    } else {
      // A copy when k < n, so the result does not hold on to the whole sort.
      values = v.narrow(d, 0, k).contiguous();
      indices = i.narrow(d, 0, k).contiguous();
    }
  }
  if (record_needed(x)) record_selection("topk", x, values, indices, d);
  return {values, indices};
}

}  // namespace wick
