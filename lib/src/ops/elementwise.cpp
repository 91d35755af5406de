#include "ops/elementwise.h"

#include "compile/capture.h"
#include "elementwise_program.h"
#include "wick/ops.h"

namespace wick {

void check_same_device(const char* op, const Tensor& a, const Tensor& b) {
  WICK_CHECK(a.device() == b.device(), op, "expected all tensors on one device, but got ", a.device().str(), " and ",
             b.device().str());
}

SizeVec broadcast_shape(const char* op, IntArrayRef a, IntArrayRef b) {
  const size_t n = a.size() > b.size() ? a.size() : b.size();
  SizeVec out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    WICK_CHECK(da == db || da == 1 || db == 1, op, "shapes ", shape_str(a), " and ", shape_str(b),
               " cannot be broadcast together (size ", da, " vs ", db, " at dim ", int64_t(i), ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

ScalarType compute_dtype(Device device, ScalarType t) { return backend_for(device).computes_natively(t) ? t : kFloat; }

Tensor as_compute(const Tensor& t, ScalarType compute) {
  return (t.dtype() == compute ? t : t.to(compute)).contiguous();
}

namespace {
// PyTorch converts every operand to the result dtype before computing, even when the arithmetic then runs in
// float32 (float16/bfloat16 on the CPU): bfloat16(1) < 1.001 is false because 1.001 rounds to 1 first. These
// give an operand that rounding, on its way to the compute dtype.
double round_through(ScalarType t, double v) {
  if (t == kHalf) return float(Half(float(v)));
  if (t == kBFloat16) return float(BFloat16(float(v)));
  return v;
}
Tensor to_compute(const Tensor& t, ScalarType result, ScalarType compute) {
  if (t.dtype() == compute) return t;
  if (t.dtype() != result && result != compute) return t.to(result).to(compute);
  return t.to(compute);
}
}  // namespace

namespace {
// Whether the backend takes an op on these operands of `dtype` without lib/ widening them (a bfloat16 ReLU on the
// CPU): all of that dtype, contiguous, a result that is not bool.
bool elementwise_natively(const Tensor& a, const Tensor* b, ScalarType dtype, bool bool_result) {
  if (bool_result || a.dtype() != dtype || !a.is_contiguous() || (b && (b->dtype() != dtype || !b->is_contiguous())))
    return false;
  return backend_for(a.device()).elementwise_natively(dtype);
}
}  // namespace

Tensor unary_kernel(UnaryOp op, const Tensor& x, ScalarType dtype, double p0, double p1) {
  const ScalarType compute = compute_dtype(x.device(), dtype);
  if (compute != dtype && elementwise_natively(x, nullptr, dtype, produces_bool(op))) {
    Tensor out = make_empty(x.sizes(), dtype, x.device());
    backend_for(x.device()).unary(op, view_of(out), view_of(x), p0, p1);
    return out;
  }
  const Tensor in = x.dtype() == compute ? x : x.to(compute);
  const ScalarType out_dtype = produces_bool(op) ? kBool : compute;
  Tensor out = make_empty(in.sizes(), out_dtype, in.device());
  backend_for(in.device()).unary(op, view_of(out), view_of(in), p0, p1);
  if (!produces_bool(op) && compute != dtype) return out.to(dtype);
  return out;
}

Tensor binary_kernel(const char* name, BinaryOp op, const Tensor& a, const Tensor& b, ScalarType dtype) {
  check_same_device(name, a, b);
  if (a.dtype() == dtype && b.dtype() == dtype && IntArrayRef(a.sizes()).equals(b.sizes()) &&
      (backend_for(a.device()).computes_natively(dtype) || elementwise_natively(a, &b, dtype, produces_bool(op)))) {
    // Same shape and dtype: nothing to broadcast or convert (the common case in a model).
    Tensor out = make_empty(a.sizes(), produces_bool(op) ? kBool : dtype, a.device());
    backend_for(a.device()).binary(op, view_of(out), view_of(a), view_of(b));
    return out;
  }
  const SizeVec shape = broadcast_shape(name, a.sizes(), b.sizes());
  const ScalarType compute = compute_dtype(a.device(), dtype);
  const Tensor ca = to_compute(a, dtype, compute);
  const Tensor cb = to_compute(b, dtype, compute);
  Tensor out = make_empty(shape, produces_bool(op) ? kBool : compute, a.device());
  const SizeVec sa = broadcast_strides(ca, shape), sb = broadcast_strides(cb, shape);
  backend_for(a.device()).binary(op, view_of(out), view_of(ca, shape, sa), view_of(cb, shape, sb));
  if (!produces_bool(op) && compute != dtype) return out.to(dtype);
  return out;
}

namespace {
// A scalar in `compute`'s representation, for a broadcast view of one element that lives on the stack.
struct ScalarBytes {
  alignas(8) unsigned char value[8];
  ScalarBytes(const char* name, Scalar b, ScalarType compute) {
    switch (compute) {
      case kBool: *reinterpret_cast<bool*>(value) = b.to_bool(); break;
      case kUInt8: *reinterpret_cast<uint8_t*>(value) = uint8_t(b.to_long()); break;
      case kInt8: *reinterpret_cast<int8_t*>(value) = int8_t(b.to_long()); break;
      case kInt32: *reinterpret_cast<int32_t*>(value) = int32_t(b.to_long()); break;
      case kInt64: *reinterpret_cast<int64_t*>(value) = b.to_long(); break;
      case kFloat: *reinterpret_cast<float*>(value) = float(b.to_double()); break;
      case kBFloat16: *reinterpret_cast<BFloat16*>(value) = BFloat16(float(b.to_double())); break;
      case kDouble: *reinterpret_cast<double*>(value) = b.to_double(); break;
      default: fail(name, "unsupported compute dtype ", dtype_name(compute));
    }
  }
};

// out = op(a, scalar): on the CPU the scalar stays on the stack (no allocation); elsewhere it is a 0-dim tensor.
void binary_with_scalar(const char* name, BinaryOp op, const Tensor& out, const Tensor& a, Scalar b,
                        ScalarType compute) {
  Backend& be = backend_for(a.device());
  const SizeVec zero(a.dim(), 0);
  if (a.device().is_cpu()) {
    ScalarBytes bytes(name, b, compute);
    detail::note_host_scalar(bytes.value, element_size(compute));
    const View sv{bytes.value, compute, int(a.dim()), a.impl()->sizes.data(), zero.data()};
    be.binary(op, view_of(out), view_of(a), sv);
  } else {
    const Tensor sb = full({}, b, TensorOptions().dtype(compute).device(a.device()));
    be.binary(op, view_of(out), view_of(a), view_of(sb, a.impl()->sizes, zero));
  }
}
}  // namespace

Tensor binary_kernel(const char* name, BinaryOp op, const Tensor& a, Scalar b, ScalarType dtype) {
  ScalarType compute = compute_dtype(a.device(), dtype);
  if (compute != dtype && is_floating_point(dtype)) b = round_through(dtype, b.to_double());
  // The scalar, rounded to the dtype above, is then exactly a value of it.
  if (compute != dtype && elementwise_natively(a, nullptr, dtype, produces_bool(op))) compute = dtype;
  const Tensor ca = to_compute(a, dtype, compute);
  Tensor out = make_empty(ca.sizes(), produces_bool(op) ? kBool : compute, a.device());
  binary_with_scalar(name, op, out, ca, b, compute);
  if (!produces_bool(op) && compute != dtype) return out.to(dtype);
  return out;
}

namespace {
// Whether self = op(self, b) may be written straight into self (binary_into_self's contract, less the broadcast).
bool writes_into_self(BinaryOp op, const Tensor& self, const Tensor& b) {
  // Floating point only: integer and bool in-place arithmetic has promotion and error rules of its own.
  return !produces_bool(op) && self.defined() && b.defined() && self.is_floating_point() && self.dtype() == b.dtype() &&
         self.device() == b.device() && self.is_contiguous() && b.impl()->storage != self.impl()->storage &&
         backend_for(self.device()).computes_natively(self.dtype());
}
}  // namespace

bool binary_into_self(BinaryOp op, const Tensor& self, const Tensor& b) {
  if (!writes_into_self(op, self, b) || b.dim() > self.dim()) return false;
  for (int64_t i = 1; i <= b.dim(); ++i)  // b must broadcast to self's shape, not widen it
    if (b.size(-i) != 1 && b.size(-i) != self.size(-i)) return false;
  const SizeVec sb = broadcast_strides(b, self.sizes());
  backend_for(self.device()).binary(op, view_of(self), view_of(self), view_of(b, self.sizes(), sb));
  bump_version(self);
  return true;
}

bool scaled_binary_into_self(BinaryOp op, const Tensor& self, const Tensor& b, Scalar alpha) {
  if (alpha.to_double() == 1) return binary_into_self(op, self, b);
  // One pass on the CPU only: alpha is read from this function's stack, where another device's program could not
  // reach it. Elsewhere, or when the backend declines, b * alpha materialises first.
  if (!self.device().is_cpu() || !writes_into_self(op, self, b) || !b.is_contiguous() ||
      !b.sizes().equals(self.sizes()) || result_type(b, alpha) != b.dtype())
    return writes_into_self(op, self, b) && binary_into_self(op, self, b * alpha);
  using Program = ElementwiseProgram;
  ScalarBytes alpha_bytes("in-place op", alpha, self.dtype());
  Program::Instruction steps[2];
  // register 0 = b * alpha, as mul(b, alpha) computes it; then self = op(self, register 0).
  steps[0].kind = steps[1].kind = Program::Instruction::Kind::Binary;
  steps[0].op = uint8_t(BinaryOp::Mul);
  steps[0].out.scratch = 0;
  steps[0].a.data = b.data_ptr();
  steps[0].b.data = alpha_bytes.value;
  steps[0].b.broadcast = true;
  steps[1].op = uint8_t(op);
  steps[1].out.data = steps[1].a.data = self.data_ptr();
  steps[1].b.scratch = 0;
  Program program;
  program.dtype = self.dtype();
  program.numel = self.numel();
  program.instructions = steps;
  program.instruction_count = 2;
  program.scratch_count = 1;
  if (!backend_for(self.device()).run_elementwise_program(program)) return binary_into_self(op, self, b * alpha);
  bump_version(self);
  return true;
}

bool binary_into_self(BinaryOp op, const Tensor& self, Scalar b) {
  if (produces_bool(op) || !self.defined() || !self.is_floating_point() || !self.is_contiguous() ||
      result_type(self, b) != self.dtype() || !backend_for(self.device()).computes_natively(self.dtype()))
    return false;
  binary_with_scalar("in-place op", op, self, self, b, self.dtype());
  bump_version(self);
  return true;
}

void assign_into(const char* name, const Tensor& dst, const Tensor& src) {
  check_same_device(name, dst, src);
  const SizeVec shape = broadcast_shape(name, dst.sizes(), src.sizes());
  WICK_CHECK(IntArrayRef(shape).equals(dst.sizes()), name, "output with shape ", shape_str(dst.sizes()),
             " doesn't match the broadcast shape ", shape_str(shape));
  const SizeVec ss = broadcast_strides(src, shape);
  backend_for(dst.device()).copy(view_of(dst), view_of(src, shape, ss));
  bump_version(dst);
}

}  // namespace wick
