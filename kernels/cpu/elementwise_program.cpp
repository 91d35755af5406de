// The CPU's evaluator of elementwise programs (kernels/interface/elementwise_program.h). Each thread's share of
// the elements goes through the whole chain one chunk at a time, with the SimdTable kernels CpuBackend::unary and
// ::binary call on dense rows: a chunk is a multiple of 64 elements, as the thread pool's splits are, so every
// element meets the same vector code at the same lane as in the separate calls, and the results agree bit for bit.
#include <algorithm>
#include <cstddef>

#include "cpu_backend.h"
#include "elementwise_program.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

using Program = ElementwiseProgram;

// Bytes of one scratch register per chunk: 16 registers and a chunk of each memory operand fit a 48 KB L1 data
// cache, and the per-kernel call overhead is spread over 512 float32 or 256 float64 elements.
constexpr int64_t kChunkBytes = 2048;

struct Kernel {
  SimdTable::Unary unary = nullptr;
  SimdTable::Binary binary = nullptr;
};

}  // namespace

bool CpuBackend::run_elementwise_program(const ElementwiseProgram& p) {
  if ((p.dtype != kFloat && p.dtype != kDouble) || p.instruction_count > Program::kMaxInstructions ||
      p.scratch_count > Program::kMaxScratch || p.numel <= 0)
    return false;
  const int d = p.dtype == kFloat ? 0 : 1;
  const SimdTable& table = simd_table();
  Kernel kernels[Program::kMaxInstructions];
  for (int i = 0; i < p.instruction_count; ++i) {
    const Program::Instruction& in = p.instructions[i];
    if (in.out.broadcast) return false;
    if (in.kind == Program::Instruction::Kind::Unary) {
      // A single value through a unary kernel takes the strided path in CpuBackend::unary: not this one.
      if (in.op >= kNumOps<UnaryOp> || produces_bool(UnaryOp(in.op)) || in.a.broadcast) return false;
      kernels[i].unary = table.unary[in.op][d];
    } else {
      if (in.op >= kNumOps<BinaryOp> || produces_bool(BinaryOp(in.op))) return false;
      kernels[i].binary = table.binary[in.op][d];
    }
    if (!kernels[i].unary && !kernels[i].binary) return false;
  }

  const int64_t E = element_size(p.dtype), chunk = kChunkBytes / E;
  parallel_for(0, p.numel, kElementwiseGrain, [&](int64_t begin, int64_t end) {
    alignas(64) std::byte scratch[Program::kMaxScratch][kChunkBytes];
    for (int64_t first = begin; first < end; first += chunk) {
      const int64_t n = std::min(chunk, end - first);
      // Operand o's first element of this chunk, and its element stride (0: one value for all).
      auto at = [&](const Program::Operand& o) -> std::byte* {
        if (o.scratch >= 0) return scratch[o.scratch];
        std::byte* base = static_cast<std::byte*>(const_cast<void*>(o.data));
        return o.broadcast ? base : base + first * E;
      };
      for (int i = 0; i < p.instruction_count; ++i) {
        const Program::Instruction& in = p.instructions[i];
        if (kernels[i].unary)
          kernels[i].unary(at(in.a), at(in.out), n, in.p0, in.p1);
        else
          kernels[i].binary(at(in.a), in.a.broadcast ? 0 : 1, at(in.b), in.b.broadcast ? 0 : 1, at(in.out), n);
      }
    }
  });
  return true;
}

}  // namespace wick::cpu
