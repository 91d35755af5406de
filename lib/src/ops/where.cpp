// where(condition, a, b) and masked_fill, with gradients routed by the condition.
#include "ops/elementwise.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

using detail::Grads;
using detail::record;
using detail::save;

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  WICK_PROFILE_OP("where", condition, a, b);
  WICK_CHECK(condition.dtype() == kBool, "where", "condition must be a bool tensor, got ",
             dtype_name(condition.dtype()));
  check_same_device("where", condition, a);
  check_same_device("where", a, b);
  const SizeVec shape = broadcast_shape("where", broadcast_shape("where", condition.sizes(), a.sizes()), b.sizes());
  const ScalarType dtype = result_type(a, b);
  const Tensor ca = a.dtype() == dtype ? a : a.to(dtype);
  const Tensor cb = b.dtype() == dtype ? b : b.to(dtype);
  Tensor out = make_empty(shape, dtype, a.device());
  const SizeVec sc = broadcast_strides(condition, shape), sa = broadcast_strides(ca, shape),
                sb = broadcast_strides(cb, shape);
  backend_for(a.device())
      .where(view_of(out), view_of(condition, shape, sc), view_of(ca, shape, sa), view_of(cb, shape, sb));
  if (detail::record_needed(a, b))
    record("where", {&a, &b}, out, [sc = save(condition)](Grads g) {
      const Tensor c = sc.get();
      if (g.needed(0)) g.in[0] = where(c, g.out[0], 0);
      if (g.needed(1)) g.in[1] = where(c, 0, g.out[0]);
    });
  return out;
}

Tensor where(const Tensor& condition, const Tensor& a, Scalar b) {
  WICK_PROFILE_OP("where", condition, a);
  return where(condition, a, full({}, b, TensorOptions().dtype(result_type(a, b)).device(a.device())));
}

Tensor where(const Tensor& condition, Scalar a, const Tensor& b) {
  WICK_PROFILE_OP("where", condition, b);
  return where(condition, full({}, a, TensorOptions().dtype(result_type(b, a)).device(b.device())), b);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, Scalar value) {
  WICK_PROFILE_OP("masked_fill", x, mask);
  WICK_CHECK(mask.dtype() == kBool, "masked_fill", "mask must be a bool tensor, got ", dtype_name(mask.dtype()));
  broadcast_shape("masked_fill", x.sizes(), mask.sizes());
  const uint64_t since = detail::tape_position();
  Tensor out = detail::named(where(mask, full({}, value, x.options()), x), "masked_fill", since);
  WICK_CHECK(IntArrayRef(out.sizes()).equals(x.sizes()), "masked_fill", "mask of shape ", shape_str(mask.sizes()),
             " does not broadcast to the tensor's shape ", shape_str(x.sizes()));
  return out;
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  WICK_PROFILE_OP("masked_fill", x, mask, value);
  WICK_CHECK(value.dim() == 0, "masked_fill", "value must be a 0-dim tensor, got shape ", shape_str(value.sizes()));
  WICK_CHECK(mask.dtype() == kBool, "masked_fill", "mask must be a bool tensor, got ", dtype_name(mask.dtype()));
  WICK_CHECK(broadcast_shape("masked_fill", x.sizes(), mask.sizes()) == x.sizes(), "masked_fill", "mask of shape ",
             shape_str(mask.sizes()), " does not broadcast to the tensor's shape ", shape_str(x.sizes()));
  const uint64_t since = detail::tape_position();
  return detail::named(where(mask, value.to(x.dtype()), x), {"masked_fill", 1}, since);
}

}  // namespace wick
