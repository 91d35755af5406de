// softmax / log_softmax: one fused backend pass forward. Backward uses the fused kernel too, unless a
// higher-order gradient is being built, where the composed (differentiable) formula runs instead.
#include "ops/elementwise.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::record_needed;
using detail::save_output;

namespace {

Tensor softmax_impl(const char* op, bool log_form, const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  // As PyTorch: integer input needs an explicit floating dtype (softmax(x, dim, kFloat)); it is not promoted.
  WICK_CHECK(dtype || is_floating_point(x.dtype()), op, "expected a floating point input, got ",
             dtype_name(x.dtype()), " (pass a floating dtype to convert it)");
  const ScalarType dt = dtype.value_or(x.dtype());
  WICK_CHECK(is_floating_point(dt), op, "expected a floating point dtype, got ", dtype_name(dt));
  const int64_t d = wrap_dim(op, dim, x.dim());
  const ScalarType compute = compute_dtype(x.device(), dt);
  const Tensor in = (x.dtype() == compute ? x : x.to(compute)).contiguous();
  Tensor out = make_empty(in.sizes(), compute, x.device());
  if (in.numel() > 0) {
    if (x.dim() == 0) {
      backend_for(x.device()).fill(view_of(out), log_form ? 0.0 : 1.0);
    } else {
      backend_for(x.device()).softmax(view_of(out), view_of(in), int(d), log_form);
    }
  }
  if (compute != dt) out = out.to(dt);
  if (record_needed(x))
    record(op, {&x}, out, [so = save_output(out), d, log_form](Grads g) {
      const Tensor y = so.get();
      const Tensor& go = g.out[0];
      if (detail::grad_mode_enabled() || y.dim() == 0 || !backend_for(y.device()).computes_natively(y.dtype())) {
        g.in[0] = log_form ? go - exp(y) * go.sum({d}, true) : y * (go - (go * y).sum({d}, true));
        return;
      }
      const Tensor gc = go.contiguous();
      const Tensor yc = y.contiguous();
      Tensor gi = make_empty(y.sizes(), y.dtype(), y.device());
      backend_for(y.device()).softmax_backward(view_of(gi), view_of(gc), view_of(yc), int(d), log_form);
      g.in[0] = gi;
    });
  return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl("softmax", false, x, dim, dtype);
}

Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<ScalarType> dtype) {
  return softmax_impl("log_softmax", true, x, dim, dtype);
}

}  // namespace wick
