// softmax / log_softmax: one fused backend pass forward where the backend fuses it, else composed from
// amax, exp and sum. Backward uses the fused kernel too, unless a higher-order gradient is being built or the
// backend does not fuse it, where the composed (differentiable) formula runs instead.
#include "fused.h"
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
using detail::save_output;

namespace {

// The composed forward: the row's maximum subtracted first, so exp cannot overflow.
Tensor composed_softmax(const Tensor& in, int64_t d, bool log_form) {
  NoGradGuard no_grad;
  const Tensor shifted = in - in.amax({d}, true);
  const Tensor e = exp(shifted);
  return log_form ? shifted - log(e.sum({d}, true)) : e / e.sum({d}, true);
}

Tensor softmax_impl(const char* op, bool log_form, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  // PyTorch's fp32_set_opt_dtype: float32 unless the caller chose a dtype.
  if (!dtype) {
    if (detail::AutocastOp ac{detail::autocast_lists::softmax, x.device()})
      return softmax_impl(op, log_form, ac(x), dim, dtype);
  }
  // As PyTorch: integer input needs an explicit floating dtype (softmax(x, dim, kFloat)); it is not promoted.
  WICK_CHECK(dtype || is_floating_point(x.dtype()), op, "expected a floating point input, got ", dtype_name(x.dtype()),
             " (pass a floating dtype to convert it)");
  const ScalarType dt = dtype.value_or(x.dtype());
  WICK_CHECK(is_floating_point(dt), op, "expected a floating point dtype, got ", dtype_name(dt));
  const int64_t d = wrap_dim(op, dim, x.dim());
  const ScalarType compute = compute_dtype(x.device(), dt);
  const Tensor in = (x.dtype() == compute ? x : x.to(compute)).contiguous();
  Tensor out;
  if (in.numel() == 0) {
    out = make_empty(in.sizes(), compute, x.device());
  } else if (x.dim() == 0) {
    out = full_like(in, log_form ? 0.0 : 1.0);
  } else if (FusedKernels* fused = detail::fused_for(x.device(), FusedOp::Softmax, compute)) {
    out = make_empty(in.sizes(), compute, x.device());
    fused->softmax(view_of(out), view_of(in), int(d), log_form);
  } else {
    out = composed_softmax(in, d, log_form);
  }
  if (compute != dt) out = out.to(dt);
  if (record_needed(x))
    record(op, {&x}, out, [so = save_output(out), d, log_form](Grads g) {
      const Tensor y = so.get();
      const Tensor& go = g.out[0];
      FusedKernels* fused = detail::fused_for(y.device(), FusedOp::Softmax, y.dtype());
      if (detail::grad_mode_enabled() || y.dim() == 0 || !fused ||
          !backend_for(y.device()).computes_natively(y.dtype())) {
        g.in[0] = log_form ? go - exp(y) * go.sum({d}, true) : y * (go - (go * y).sum({d}, true));
        return;
      }
      const Tensor gc = go.contiguous();
      const Tensor yc = y.contiguous();
      Tensor gi = make_empty(y.sizes(), y.dtype(), y.device());
      fused->softmax_backward(view_of(gi), view_of(gc), view_of(yc), int(d), log_form);
      g.in[0] = gi;
    });
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("softmax", x);
  return softmax_impl("softmax", false, x, dim, dtype);
}

Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  WICK_PROFILE_OP("log_softmax", x);
  return softmax_impl("log_softmax", true, x, dim, dtype);
}

}  // namespace wick
