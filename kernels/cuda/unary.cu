// Unary elementwise ops. Floating types compute in float (half, bfloat16, float) or double; integer and
// bool tensors take the ops ops.def marks Int and reject the rest, as the CPU backend does. The math of each op
// is kernels/common/elementwise_math.h, the same definitions the CPU's vector kernels instantiate.
#include "backend_impl.h"
#include "common/elementwise_math.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

template <UnaryOp op, class T>
struct FloatUnaryF {
  acc_t<T> p0, p1;
  __device__ T operator()(T x) const {
    if constexpr (op == UnaryOp::PowScalar)
      if (kernels::pow_scalar_has_shortcut(double(p0)))
        return from_value<T>(kernels::pow_scalar_shortcut<kernels::ScalarMath>(to_acc(x), double(p0)));
    return from_value<T>(kernels::float_unary<op, kernels::ScalarMath>(to_acc(x), p0, p1));
  }
};

template <UnaryOp op, class T>
struct IntUnaryF {
  double p0, p1;
  __device__ T operator()(T x) const {
    kernels::IntFault fault = kernels::IntFault::None;  // none possible: the host checked the exponent
    return kernels::int_unary<op>(x, p0, p1, fault);
  }
};

template <UnaryOp op, class T>
struct PredicateF {
  __device__ bool operator()(T x) const { return kernels::predicate<op>(to_acc(x)); }
};

}  // namespace

void CudaBackend::unary(UnaryOp op, const View& out, const View& in, double p0, double p1) {
  if (out.numel() == 0) return;
  dispatch_all(in.dtype, "unary", [&](auto tag) {
    using T = typename decltype(tag)::type;
    visit_op(op, [&](auto op_c) {
      constexpr UnaryOp kOp = decltype(op_c)::value;
      if constexpr (produces_bool(kOp)) {
        elementwise<bool, T>("unary", PredicateF<kOp, T>{}, out, {&in});
      } else if constexpr (is_float_v<T>) {
        using A = acc_t<T>;
        elementwise<T, T>("unary", FloatUnaryF<kOp, T>{A(p0), A(p1)}, out, {&in});
      } else if constexpr (takes_integers(kOp)) {
        if constexpr (kOp == UnaryOp::PowScalar && std::is_signed_v<T>)
          WICK_CHECK(p0 >= 0, "pow", "integers to negative integer powers are not allowed (exponent ", p0, ")");
        elementwise<T, T>("unary", IntUnaryF<kOp, T>{p0, p1}, out, {&in});
      } else {
        fail("unary", "op is not defined for integer tensors (got ", dtype_name(in.dtype), ")");
      }
    });
  });
}

}  // namespace wick::cuda
