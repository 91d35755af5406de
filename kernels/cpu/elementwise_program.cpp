// The CPU's evaluator of elementwise programs (kernels/interface/elementwise_program.h). Each thread's share of
// the elements goes through the whole chain one chunk at a time, with the SimdTable kernels CpuBackend::unary and
// ::binary call on dense rows: a chunk is a multiple of 64 elements, as the thread pool's splits are, so every
// element meets the same vector code at the same lane as in the separate calls, and the results agree bit for bit.
// A row program goes through the chain one row at a time, on rows that start on a 64-element boundary (so lanes
// still agree); see run_rows for its per-row values.
#include <algorithm>
#include <cstddef>

#include "common/reduce_math.h"
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

// A row program's rows: 16 registers of the longest row stay within the L2 cache (and a thread's stack).
constexpr int64_t kMaxRowBytes = 8192;
// Rows start on this many elements, a multiple of every vector width, where eager's calls put them too.
constexpr int64_t kLaneGrid = 64;

struct Kernel {
  SimdTable::Unary unary = nullptr;
  SimdTable::Binary binary = nullptr;
  SimdTable::Reduce reduce = nullptr;
};

// Ops whose vector form computes each lane from that lane alone. The others may recompute a whole vector with the C
// library when one of its lanes is special (simd_kernels.h's scalar_if_any: exp, log, pow, ...), so a value's bits
// can depend on its neighbours in the vector.
bool lane_local(const Program::Instruction& in) {
  if (in.kind == Program::Instruction::Kind::Binary) {
    const BinaryOp op = BinaryOp(in.op);
    return op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Div ||
           op == BinaryOp::Maximum || op == BinaryOp::Minimum;
  }
  const UnaryOp op = UnaryOp(in.op);
  return op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Sign || op == UnaryOp::Sqrt ||
         op == UnaryOp::Rsqrt || op == UnaryOp::Reciprocal || op == UnaryOp::Relu || op == UnaryOp::LeakyRelu ||
         op == UnaryOp::Floor || op == UnaryOp::Ceil || op == UnaryOp::Round || op == UnaryOp::Trunc ||
         op == UnaryOp::Clamp;
}

// Rows [begin, end) of a row program. Whole-row instructions run their kernel over the row, whose vectors hold the
// elements eager's call gave them (rows start on kLaneGrid); Reduce ones start from the op's identity and run the
// reduction kernel over the row, as Backend::reduce does for each output. A per-row instruction (a lane-local op,
// row_program_supported checks) runs its kernel on the one value: eager had it in a vector with other rows', which
// a lane-local op does not see.
template <class T>
void run_rows(const Program& p, const Kernel* kernels, int64_t begin, int64_t end) {
  const int64_t C = p.row_length;
  alignas(64) std::byte scratch[Program::kMaxScratch][kMaxRowBytes];
  for (int64_t r = begin; r < end; ++r) {
    auto at = [&](const Program::Operand& o) -> T* {
      T* base = o.scratch >= 0 ? reinterpret_cast<T*>(scratch[o.scratch]) : static_cast<T*>(const_cast<void*>(o.data));
      if (o.scratch >= 0 || o.broadcast) return base;
      return base + (o.per_row ? r : r * C);
    };
    auto stride = [](const Program::Operand& o) -> int64_t { return o.broadcast || o.per_row ? 0 : 1; };
    for (int i = 0; i < p.instruction_count; ++i) {
      const Program::Instruction& in = p.instructions[i];
      const Kernel& k = kernels[i];
      const int64_t n = in.out.per_row ? 1 : C;
      if (k.reduce) {
        T acc = kernels::reduce_identity<T>(ReduceOp(in.op));
        k.reduce(at(in.a), C, &acc);
        *at(in.out) = acc;
      } else if (k.unary) {
        k.unary(at(in.a), at(in.out), n, in.p0, in.p1);
      } else {
        k.binary(at(in.a), stride(in.a), at(in.b), stride(in.b), at(in.out), n);
      }
    }
  }
}

// Whether a row program's operands have the forms run_rows takes: a per-row instruction reads only per-row or
// single values, through a lane-local op; a whole-row one writes a whole row; a Reduce reads one into a per-row value.
bool row_program_supported(const Program& p) {
  if (p.row_length <= 0 || p.numel % p.row_length != 0 || p.row_length % kLaneGrid != 0 ||
      p.row_length * element_size(p.dtype) > kMaxRowBytes)
    return false;
  for (int i = 0; i < p.instruction_count; ++i) {
    const Program::Instruction& in = p.instructions[i];
    const bool binary = in.kind == Program::Instruction::Kind::Binary;
    const bool whole_a = !in.a.per_row && !in.a.broadcast, whole_b = binary && !in.b.per_row && !in.b.broadcast;
    if (in.kind == Program::Instruction::Kind::Reduce) {
      if (!in.out.per_row || !whole_a) return false;
    } else if (in.out.per_row) {
      if (whole_a || whole_b || !lane_local(in)) return false;
    } else if (in.kind == Program::Instruction::Kind::Unary && !whole_a) {
      return false;
    }
  }
  return true;
}

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
    if (in.out.broadcast || (!p.row_length && (in.kind == Program::Instruction::Kind::Reduce || in.out.per_row ||
                                               in.a.per_row || in.b.per_row)))
      return false;
    if (in.kind == Program::Instruction::Kind::Reduce) {
      const ReduceOp op = ReduceOp(in.op);
      if (op != ReduceOp::Sum && op != ReduceOp::Prod && op != ReduceOp::Max && op != ReduceOp::Min) return false;
      kernels[i].reduce = table.reduce[in.op][d];
      if (!kernels[i].reduce) return false;
      continue;
    }
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

  if (p.row_length) {
    if (!row_program_supported(p)) return false;
    const int64_t C = p.row_length;
    parallel_for(0, p.numel / C, std::max<int64_t>(1, kElementwiseGrain / C), [&](int64_t begin, int64_t end) {
      if (p.dtype == kFloat)
        run_rows<float>(p, kernels, begin, end);
      else
        run_rows<double>(p, kernels, begin, end);
    });
    return true;
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
