// Cumulative ops along one dim, on the backend's scan primitive (one pass per slice; a composition, e.g. a
// matmul with a triangular matrix, would cost O(n^2) per slice). The gradient of a cumsum is the cumsum of the
// gradient taken backwards along the dim.
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

namespace {

// The inclusive scan of x along dim d, computed and returned in dtype (x converted first).
Tensor scan_kernel(ReduceOp op, const Tensor& x, int64_t d, ScalarType dtype) {
  NoGradGuard no_grad;
  const ScalarType compute = compute_dtype(x.device(), dtype);
  const Tensor in = x.dim() == 0 ? x.reshape({1}).to(compute) : x.to(compute);
  Tensor out = make_empty(in.sizes(), compute, x.device());
  backend_for(x.device()).scan(op, view_of(out), view_of(in), int(d));
  if (compute != dtype) out = out.to(dtype);
  return x.dim() == 0 ? out.reshape({}) : out;
}

}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("cumsum", x);
  if (!dtype) {  // PyTorch's fp32_set_opt_dtype
    if (detail::AutocastOp ac{detail::autocast_lists::reduction, x.device()}) return cumsum(ac(x), dim, dtype);
  }
  const int64_t d = wrap_dim("cumsum", dim, x.dim());
  // As torch.cumsum: integer and bool inputs accumulate in int64 unless a dtype is given.
  const ScalarType dt = dtype ? *dtype : (is_integral(x.dtype(), true) ? kInt64 : x.scalar_type());
  WICK_CHECK(dt != kBool, "cumsum", "cannot accumulate in bool (dtype=bool); use an integer or floating dtype");
  Tensor out = scan_kernel(ReduceOp::Sum, x, d, dt);
  if (is_floating_point(dt) && record_needed(x))
    record("cumsum", {&x}, out, [d, scalar = x.dim() == 0](Grads g) {
      // d out_j / d x_i = 1 for j >= i: the sum of the gradients from i to the end.
      if (scalar) {
        g.in[0] = g.out[0];
        return;
      }
      g.in[0] = g.out[0].flip({d}).cumsum(d).flip({d});
    });
  return out;
}

}  // namespace wick
