// In-place ops with autograd: the op is computed out of place, its values written back into self, and, when
// recording, self takes the result's history (PyTorch's rebase of an in-place op's output). Shared by the
// in-place methods (tensor_methods.cpp) and the in-place ops defined next to their out-of-place forms.
#pragma once

#include "ops/elementwise.h"
#include "wick/detail/record.h"
#include "wick/error.h"
#include "wick/shape.h"
#include "wick/tensor.h"

namespace wick {

// After `result`'s values were written into self in place: self now carries result's history, and if self is a
// view, its base's history becomes "base with this region replaced by result" (tensor_methods.cpp).
void rebase_history(const char* op, const Tensor& self, const Tensor& result);

inline void check_castable(const char* op, ScalarType result, ScalarType self) {
  const bool ok = result == self ||
                  ((is_floating_point(self) || !is_floating_point(result)) && !(self == kBool && result != kBool));
  WICK_CHECK(ok, op, "result type ", dtype_name(result), " can't be cast to the desired output type ",
             dtype_name(self));
}

// Whether an in-place op on self (with `other`, if any) goes on the tape.
inline bool records(const Tensor& self, const Tensor* other) {
  return detail::grad_mode_enabled() && (self.requires_grad() || (other && other->defined() && other->requires_grad()));
}

// compute(value_of_self) -> result with self's shape; written back into self.
template <class F>
Tensor& inplace(const Tensor& handle, const char* op, const Tensor* other, F compute) {
  // In-place methods are const, as in LibTorch: the handle does not change, the data does.
  Tensor& self = const_cast<Tensor&>(handle);
  if (!records(self, other)) {
    Tensor result = compute(self);
    check_castable(op, result.dtype(), self.dtype());
    assign_into(op, self, result);
    return self;
  }
  detail::prepare_inplace(op, self);  // a leaf that requires grad refuses
  if (self.impl()->view_base) {
    const TensorImpl* base = self.impl()->view_base;
    WICK_CHECK(!(base->grad_fn == nullptr && base->requires_grad), op,
               "a view of a leaf tensor that requires grad is being used in an in-place operation");
  }
  // Work on a recorded copy: rules that saved `self` must still see its old value.
  Tensor result = compute(self.clone());
  check_castable(op, result.dtype(), self.dtype());
  if (result.dtype() != self.dtype()) result = result.to(self.dtype());
  WICK_CHECK(IntArrayRef(result.sizes()).equals(self.sizes()), op, "output with shape ", shape_str(self.sizes()),
             " doesn't match the broadcast shape ", shape_str(result.sizes()));
  assign_into(op, self, result.detach());
  rebase_history(op, self, result);
  return self;
}

}  // namespace wick
