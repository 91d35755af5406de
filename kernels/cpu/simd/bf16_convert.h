// float32 -> bfloat16 over a contiguous array, for the kernel sets' tables: BFloat16::from_float's rounding (to
// nearest even, a NaN kept a NaN, denormals kept) written branch-free, so that each kernel set's compiler flags
// vectorise it at that set's width (AVX-512 narrows ~3x faster than SSE).
//
// Internal linkage on purpose: every kernel-set translation unit includes this and gets its own copy, compiled
// with its own instruction-set flags. An inline function would be one symbol, and the linker would keep one
// copy for all sets (perhaps the AVX-512 one, on a CPU without it).
#pragma once

#include <cstdint>

namespace wick::cpu {
namespace {  // NOLINT(google-build-namespaces): see above

[[maybe_unused]] void float_to_bf16_loop(const void* in, void* out, int64_t n) {
  const uint32_t* src = static_cast<const uint32_t*>(in);
  uint16_t* dst = static_cast<uint16_t*>(out);
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t x = src[i];
    const uint32_t rounded = (x + 0x7fffu + ((x >> 16) & 1u)) >> 16, nan = (x >> 16) | 0x40u;
    dst[i] = uint16_t((x & 0x7fffffffu) > 0x7f800000u ? nan : rounded);
  }
}

}  // namespace
}  // namespace wick::cpu
