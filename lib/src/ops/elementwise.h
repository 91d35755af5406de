// The shared path of every elementwise op: device check, dtype promotion, broadcasting, output allocation,
// one backend call. Op files (unary.cpp, binary.cpp, ...) add names, derivatives and special cases.
#pragma once

#include "tensor_factory.h"
#include "type_promotion.h"
#include "wick/tensor.h"

namespace wick {

// Throws naming both devices when a and b live on different devices.
void check_same_device(const char* op, const Tensor& a, const Tensor& b);
// numpy broadcasting of two shapes; throws naming both shapes.
SizeVec broadcast_shape(const char* op, IntArrayRef a, IntArrayRef b);

// The dtype the backend computes `t` in on `device` (float16/bfloat16 widen to float32 on the CPU).
ScalarType compute_dtype(Device device, ScalarType t);

// The tensor as the backend's conv/pool/upsample kernels take it: contiguous, in the compute dtype.
Tensor as_compute(const Tensor& t, ScalarType compute);

// out = op(x); x is converted to `dtype` first, and the result has `dtype` (bool for predicates).
Tensor unary_kernel(UnaryOp op, const Tensor& x, ScalarType dtype, double p0 = 0, double p1 = 0);

// out = op(a, b) computed in `dtype`, broadcast; result dtype is `dtype` or bool for comparisons.
Tensor binary_kernel(const char* name, BinaryOp op, const Tensor& a, const Tensor& b, ScalarType dtype);
Tensor binary_kernel(const char* name, BinaryOp op, const Tensor& a, Scalar b, ScalarType dtype);

// self = op(self, b) written straight into self's memory (and self's version bumped), for in-place methods
// that record nothing. Returns false, having done nothing, unless that equals the general path exactly: self
// contiguous, b broadcasting to self's shape without changing it, no dtype promotion, a natively computed
// dtype, and b not sharing self's storage. The caller then computes out of place and writes back.
bool binary_into_self(BinaryOp op, const Tensor& self, const Tensor& b);
bool binary_into_self(BinaryOp op, const Tensor& self, Scalar b);
// self = op(self, b * alpha), Add or Sub (an optimizer's p.add_(update, -lr)), straight into self as
// binary_into_self writes, and false where that cannot be done. With b dense and of self's shape on the CPU it runs as
// one pass of the backend's elementwise program, so that b * alpha never materialises: the same bits either way.
bool scaled_binary_into_self(BinaryOp op, const Tensor& self, const Tensor& b, Scalar alpha);

// Writes src into dst in place (casting, broadcasting src to dst's shape) and bumps dst's version.
void assign_into(const char* name, const Tensor& dst, const Tensor& src);

}  // namespace wick
