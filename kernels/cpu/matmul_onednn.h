// bfloat16 matrix products on oneDNN's matmul primitive: bf16 operands, float32 accumulation, a bf16 result,
// on the CPU's bf16 dot-product instructions (AVX512-BF16, AMX). matmul.cpp calls it for bfloat16 when
// cpu_has_bf16_dot() says the hardware is there; elsewhere bfloat16 is widened to float32 by lib/.
#pragma once

#include "backend.h"

namespace wick::cpu {

// Whether this CPU multiplies bfloat16 in hardware and oneDNN is built in and switched on.
bool cpu_has_bf16_dot();

// out [B, M, N] = a [B, M, K] @ b [B, K, N], all bfloat16, any strides. Returns false (having done nothing)
// when oneDNN cannot take the problem; the caller then computes it another way.
bool matmul_bf16_onednn(const View& out, const View& a, const View& b);

}  // namespace wick::cpu
