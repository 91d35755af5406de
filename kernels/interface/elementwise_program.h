// A chain of elementwise ops over the same n elements, handed to a backend in one call so that it can evaluate
// the chain a few hundred elements at a time: every intermediate the chain does not keep lives in a small scratch
// ("register") that stays in the L1 cache, and memory is read and written once. wick::compile replays a fused
// group this way (lib/src/compile/plan.cpp) when every step of the group is an elementwise op of one floating
// dtype over dense or single-value operands.
//
// Each instruction is exactly the backend primitive it replaces (Backend::unary / Backend::binary on the same
// operands), applied to the elements in order, so the results are those of the separate calls, bit for bit.
//
// A row program (row_length > 0) takes its numel elements as rows of row_length and runs the whole chain on one
// row before the next, so it may also hold what a row needs whole: Reduce instructions (Backend::reduce over the
// row, into one value per row) and operands with one value per row (a LayerNorm's mean, read along its row).
// Instructions whose out is per_row compute one value per row (var + eps, its rsqrt).
#pragma once

#include <cstdint>

#include "ops.h"
#include "wick/dtype.h"

namespace wick {

struct ElementwiseProgram {
  // Where an instruction's operand is: `scratch` >= 0 names one of the program's scratch registers (element i of
  // the chain at register position i of the current chunk); otherwise `data` is memory of `numel` elements laid
  // out densely (element i at data[i]) or, `broadcast`, one value read for every element.
  // Row programs: `per_row` is one value per row, data[r] for every element of row r (a register then holds the
  // current row's value).
  struct Operand {
    const void* data = nullptr;
    int scratch = -1;
    bool broadcast = false;
    bool per_row = false;
  };
  struct Instruction {
    // Reduce (row programs only): out (per_row) = a's row combined by the ReduceOp, as Backend::reduce would.
    enum class Kind : uint8_t { Unary, Binary, Reduce } kind = Kind::Unary;
    uint8_t op = 0;  // a UnaryOp, BinaryOp or ReduceOp, by kind; never one that produces bool
    double p0 = 0, p1 = 0;
    Operand out, a, b;  // b: binary only; out is never broadcast
  };
  // Programs longer than this, or with more registers, are declined (the caller runs the ops one by one).
  static constexpr int kMaxInstructions = 64;
  static constexpr int kMaxScratch = 16;

  ScalarType dtype = ScalarType::Float;  // every operand's
  int64_t numel = 0;
  int64_t row_length = 0;  // > 0: a row program of numel / row_length rows
  const Instruction* instructions = nullptr;
  int instruction_count = 0;
  int scratch_count = 0;
};

}  // namespace wick
