// Unary elementwise ops. Floating types compute in float (half, bfloat16, float) or double; integer and
// bool tensors take the ops defined for them and reject the rest, as the CPU backend does.
#include "backend_impl.h"
#include "loops.cuh"
#include "math.cuh"

namespace wick::cuda {
namespace {

template <UnaryOp op, class T>
struct FloatUnaryF {
  acc_t<T> p0, p1;
  __device__ T operator()(T x) const { return from_value<T>(float_unary<op>(to_acc(x), p0, p1)); }
};

template <UnaryOp op, class T>
struct IntUnaryF {
  double p0, p1;
  __device__ T operator()(T x) const { return int_unary<op>(x, p0, p1); }
};

template <UnaryOp op, class T>
struct PredicateF {
  __device__ bool operator()(T x) const {
    const acc_t<T> v = to_acc(x);
    if constexpr (op == UnaryOp::LogicalNot)
      return v == acc_t<T>(0);
    else if constexpr (is_float_v<T>)
      return op == UnaryOp::IsNan ? bool(isnan(v)) : bool(isinf(v));
    else
      return false;
  }
};

constexpr int kNumValueOps = int(UnaryOp::LogicalNot);  // ops before LogicalNot keep the input dtype

}  // namespace

void CudaBackend::unary(UnaryOp op, const View& out, const View& in, double p0, double p1) {
  if (out.numel() == 0) return;
  if (produces_bool(op)) {
    dispatch_all(in.dtype, "unary", [&](auto tag) {
      using T = typename decltype(tag)::type;
      switch (op) {
        case UnaryOp::LogicalNot:
          elementwise<bool, T>("logical_not", PredicateF<UnaryOp::LogicalNot, T>{}, out, {&in});
          break;
        case UnaryOp::IsNan: elementwise<bool, T>("isnan", PredicateF<UnaryOp::IsNan, T>{}, out, {&in}); break;
        default: elementwise<bool, T>("isinf", PredicateF<UnaryOp::IsInf, T>{}, out, {&in}); break;
      }
    });
    return;
  }
  dispatch_all(in.dtype, "unary", [&](auto tag) {
    using T = typename decltype(tag)::type;
    dispatch_enum(
        op,
        [&](auto op_c) {
          constexpr UnaryOp kOp = decltype(op_c)::value;
          if constexpr (is_float_v<T>) {
            using A = acc_t<T>;
            elementwise<T, T>("unary", FloatUnaryF<kOp, T>{A(p0), A(p1)}, out, {&in});
          } else if constexpr (defined_for_integers<kOp>) {
            if constexpr (kOp == UnaryOp::PowScalar && std::is_signed_v<T>)
              WICK_CHECK(T(p0) >= 0, "pow", "integers to negative integer powers are not allowed (exponent ", p0, ")");
            elementwise<T, T>("unary", IntUnaryF<kOp, T>{p0, p1}, out, {&in});
          } else {
            fail("unary", "op is not defined for integer tensors (got ", dtype_name(in.dtype), ")");
          }
        },
        std::make_integer_sequence<int, kNumValueOps>{});
  });
}

}  // namespace wick::cuda
