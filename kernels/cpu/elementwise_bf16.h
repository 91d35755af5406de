// bfloat16 unary and binary ops over dense operands, without float32 temporaries (elementwise_bf16.cpp).
#pragma once

#include "backend.h"

namespace wick::cpu {

// out = op(in), both bfloat16 and contiguous. False, having done nothing, for any other form.
bool unary_bf16(UnaryOp op, const View& out, const View& in, double p0, double p1);
// out = op(a, b), all bfloat16; out contiguous, a and b laid out like it or one value for all. False, having done
// nothing, for any other form (and for ops with bool results).
bool binary_bf16(BinaryOp op, const View& out, const View& a, const View& b);

}  // namespace wick::cpu
