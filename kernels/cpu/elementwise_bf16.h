// bfloat16 unary and binary ops over dense operands, without float32 temporaries (elementwise_bf16.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "backend.h"

namespace wick::cpu {

// n bfloat16 values to float32, exactly (a bfloat16 is a float32's upper half); a loop the compiler vectorises. The
// bits go in through memcpy, so `out` may be any float32 storage (a float array on the stack too).
inline void bf16_to_float_loop(const void* in, void* out, int64_t n) {
  const auto* src = static_cast<const uint16_t*>(in);
  auto* dst = static_cast<std::byte*>(out);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t bits = uint32_t(src[i]) << 16;
    std::memcpy(dst + i * 4, &bits, 4);
  }
}

// out = op(in), both bfloat16 and contiguous. False, having done nothing, for any other form.
bool unary_bf16(UnaryOp op, const View& out, const View& in, double p0, double p1);
// out = op(a, b), all bfloat16; out contiguous, a and b laid out like it or one value for all. False, having done
// nothing, for any other form (and for ops with bool results).
bool binary_bf16(BinaryOp op, const View& out, const View& a, const View& b);

}  // namespace wick::cpu
