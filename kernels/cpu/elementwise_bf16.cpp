// bfloat16 unary and binary ops over dense operands, computed in float32 as PyTorch's CPU does, but without
// float32 copies of whole tensors: each thread's share goes through in chunks that stay in the L1 cache, widened
// (exactly) into a float32 buffer, run through the float32 vector kernel, and narrowed straight into the output.
// The bits equal widening the whole tensor, computing and rounding (lib/'s path for every other layout): each
// element meets the same float32 kernel at the same vector lane, since chunks start on multiples of 64 elements
// as the thread pool's splits do, and is rounded once.
#include "elementwise_bf16.h"

#include <algorithm>

#include "cpu_backend.h"
#include "dense_operands.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

// float32 elements per chunk: three 2 KB buffers (two operands and the result) stay in the L1 cache.
constexpr int64_t kChunk = 512;

bool is_bf16(const View& v) { return v.dtype == kBFloat16; }

}  // namespace

bool CpuBackend::elementwise_natively(ScalarType t) const { return t == kBFloat16 || computes_natively(t); }

bool unary_bf16(UnaryOp op, const View& out, const View& in, double p0, double p1) {
  if (produces_bool(op) || !is_bf16(out) || !is_bf16(in) || !out.is_contiguous() || !in.is_contiguous()) return false;
  const SimdTable& table = simd_table();
  const SimdTable::Unary kernel = table.unary[int(op)][0];
  if (!kernel) return false;
  const auto* src = static_cast<const uint16_t*>(in.data);
  auto* dst = static_cast<uint16_t*>(out.data);
  parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
    alignas(64) float x[kChunk], y[kChunk];
    for (int64_t first = begin; first < end; first += kChunk) {
      const int64_t n = std::min(kChunk, end - first);
      bf16_to_float_loop(src + first, x, n);
      kernel(x, y, n, p0, p1);
      table.float_to_bf16(y, dst + first, n);
    }
  });
  return true;
}

bool binary_bf16(BinaryOp op, const View& out, const View& a, const View& b) {
  if (produces_bool(op) || !is_bf16(out) || !is_bf16(a) || !is_bf16(b) || !out.is_contiguous() ||
      !dense_or_scalar(a, out) || !dense_or_scalar(b, out))
    return false;
  const SimdTable& table = simd_table();
  const SimdTable::Binary kernel = table.binary[int(op)][0];
  if (!kernel) return false;
  const int64_t sa = unit_stride(a), sb = unit_stride(b);
  const auto* pa = static_cast<const uint16_t*>(a.data);
  const auto* pb = static_cast<const uint16_t*>(b.data);
  auto* dst = static_cast<uint16_t*>(out.data);
  parallel_for(0, out.numel(), kElementwiseGrain, [&](int64_t begin, int64_t end) {
    alignas(64) float x[kChunk], y[kChunk], z[kChunk];
    // A broadcast operand is widened once, and the kernel reads it with stride 0.
    if (!sa) bf16_to_float_loop(pa, x, 1);
    if (!sb) bf16_to_float_loop(pb, y, 1);
    for (int64_t first = begin; first < end; first += kChunk) {
      const int64_t n = std::min(kChunk, end - first);
      if (sa) bf16_to_float_loop(pa + first, x, n);
      if (sb) bf16_to_float_loop(pb + first, y, n);
      kernel(x, sa, y, sb, z, n);
      table.float_to_bf16(z, dst + first, n);
    }
  });
  return true;
}

}  // namespace wick::cpu
