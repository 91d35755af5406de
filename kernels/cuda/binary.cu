// Binary elementwise ops (arithmetic, comparisons, logical) and where(). Broadcast operands arrive as
// stride-0 views; a broadcast scalar keeps the vectorised linear kernel.
#include "backend_impl.h"
#include "loops.cuh"
#include "math.cuh"

namespace wick::cuda {
namespace {

template <BinaryOp op, class T>
struct FloatBinaryF {
  __device__ T operator()(T a, T b) const { return from_value<T>(float_binary<op>(to_acc(a), to_acc(b))); }
};

template <BinaryOp op, class T>
struct IntBinaryF {
  FaultRecord* faults;
  __device__ T operator()(T a, T b) const { return int_binary<op>(a, b, faults); }
};

// Comparisons are cheap and memory-bound: one kernel per dtype with the op as a (uniform) run-time switch
// keeps the number of instantiations, and the build time, down.
template <class T>
struct CompareF {
  BinaryOp op;
  __device__ bool operator()(T x, T y) const {
    const acc_t<T> a = to_acc(x), b = to_acc(y);
    switch (op) {
      case BinaryOp::Eq: return compare<BinaryOp::Eq>(a, b);
      case BinaryOp::Ne: return compare<BinaryOp::Ne>(a, b);
      case BinaryOp::Lt: return compare<BinaryOp::Lt>(a, b);
      case BinaryOp::Le: return compare<BinaryOp::Le>(a, b);
      case BinaryOp::Gt: return compare<BinaryOp::Gt>(a, b);
      case BinaryOp::Ge: return compare<BinaryOp::Ge>(a, b);
      case BinaryOp::LogicalAnd: return compare<BinaryOp::LogicalAnd>(a, b);
      case BinaryOp::LogicalOr: return compare<BinaryOp::LogicalOr>(a, b);
      default: return compare<BinaryOp::LogicalXor>(a, b);
    }
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
    dispatch_enum(
        op,
        [&](auto op_c) {
          constexpr BinaryOp kOp = decltype(op_c)::value;
          if constexpr (is_float_v<T>) {
            elementwise<T, T, T>("binary", FloatBinaryF<kOp, T>{}, out, {&a, &b});
          } else if constexpr (kOp != BinaryOp::Atan2) {
            (void)launch_stream(out.data);
            elementwise<T, T, T>("binary", IntBinaryF<kOp, T>{fault_record(current_device())}, out, {&a, &b});
          } else {
            fail("atan2", "op is not defined for integer tensors (got ", dtype_name(a.dtype), ")");
          }
        },
        std::make_integer_sequence<int, int(BinaryOp::Eq)>{});  // the ops before Eq keep the dtype
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
