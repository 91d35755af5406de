// Binary elementwise ops (arithmetic, comparisons, logical) and where(). Broadcast operands arrive as
// stride-0 views; a broadcast scalar keeps the vectorised linear kernel. The math of each op is
// kernels/common/elementwise_math.h, the same definitions the CPU's vector kernels instantiate.
#include "backend_impl.h"
#include "common/elementwise_math.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

template <BinaryOp op, class T>
struct FloatBinaryF {
  __device__ T operator()(T a, T b) const {
    return from_value<T>(kernels::float_binary<op, kernels::ScalarMath>(to_acc(a), to_acc(b)));
  }
};

template <BinaryOp op, class T>
struct IntBinaryF {
  FaultRecord* faults;
  __device__ T operator()(T a, T b) const {
    kernels::IntFault fault = kernels::IntFault::None;
    const T r = kernels::int_binary<op>(a, b, fault);
    if (fault == kernels::IntFault::DivisionByZero)
      report_fault(faults, KernelFault::IntegerDivisionByZero, op == BinaryOp::Div ? FaultOp::Div : FaultOp::Remainder,
                   0, 0, 0);
    else if (fault == kernels::IntFault::NegativePower)
      report_fault(faults, KernelFault::NegativeIntegerPower, FaultOp::Pow, 0, (long long)b, 0);
    return r;
  }
};

// Comparisons are cheap and memory-bound: one kernel per dtype with the op as a (uniform) run-time switch
// keeps the number of instantiations, and the build time, down.
template <class T>
struct CompareF {
  BinaryOp op;
  __device__ bool operator()(T x, T y) const {
    const acc_t<T> a = to_acc(x), b = to_acc(y);
    bool result = false;
    visit_op(op, [&](auto op_c) {
      if constexpr (produces_bool(decltype(op_c)::value)) result = kernels::compare<decltype(op_c)::value>(a, b);
    });
    return result;
  }
};

template <class T>
struct WhereF {
  __device__ T operator()(bool c, T a, T b) const { return c ? a : b; }
};

}  // namespace

void CudaBackend::binary(BinaryOp op, const View& out, const View& a, const View& b) {
  if (out.numel() == 0) return;
  dispatch_all(a.dtype, "binary", [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (produces_bool(op)) {
      elementwise<bool, T, T>("binary", CompareF<T>{op}, out, {&a, &b});
      return;
    }
    visit_op(op, [&](auto op_c) {
      constexpr BinaryOp kOp = decltype(op_c)::value;
      if constexpr (produces_bool(kOp)) {
        // handled above, with one kernel for all comparisons
      } else if constexpr (is_float_v<T>) {
        elementwise<T, T, T>("binary", FloatBinaryF<kOp, T>{}, out, {&a, &b});
      } else if constexpr (takes_integers(kOp)) {
        (void)launch_stream(out.data);
        elementwise<T, T, T>("binary", IntBinaryF<kOp, T>{fault_record(current_device())}, out, {&a, &b});
      } else {
        fail(op_name(kOp), "op is not defined for integer tensors (got ", dtype_name(a.dtype), ")");
      }
    });
  });
}

void CudaBackend::where(const View& out, const View& cond, const View& a, const View& b) {
  if (out.numel() == 0) return;
  dispatch_by_size(out.dtype, [&](auto tag) {
    using U = typename decltype(tag)::type;
    elementwise<U, bool, U, U>("where", WhereF<U>{}, out, {&cond, &a, &b});
  });
}

}  // namespace wick::cuda
