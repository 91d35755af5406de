// A chain of elementwise ops over the same n elements, handed to a backend in one call so that it can evaluate
// the chain a few hundred elements at a time: every intermediate the chain does not keep lives in a small scratch
// ("register") that stays in the L1 cache, and memory is read and written once. wick::compile replays a fused
// group this way (lib/src/compile/plan.cpp) when every step of the group is an elementwise op of one floating
// dtype over dense or single-value operands.
//
// Each instruction is exactly the backend primitive it replaces (Backend::unary / Backend::binary on the same
// operands), applied to the elements in order, so the results are those of the separate calls, bit for bit.
#pragma once

#include <cstdint>

#include "ops.h"
#include "wick/dtype.h"

namespace wick {

struct ElementwiseProgram {
  // Where an instruction's operand is: `scratch` >= 0 names one of the program's scratch registers (element i of
  // the chain at register position i of the current chunk); otherwise `data` is memory of `numel` elements laid
  // out densely (element i at data[i]) or, `broadcast`, one value read for every element.
  struct Operand {
    const void* data = nullptr;
    int scratch = -1;
    bool broadcast = false;
  };
  struct Instruction {
    enum class Kind : uint8_t { Unary, Binary } kind = Kind::Unary;
    uint8_t op = 0;  // a UnaryOp or a BinaryOp, by kind; never one that produces bool
    double p0 = 0, p1 = 0;
    Operand out, a, b;  // b: binary only; out is never broadcast
  };
  // Programs longer than this, or with more registers, are declined (the caller runs the ops one by one).
  static constexpr int kMaxInstructions = 64;
  static constexpr int kMaxScratch = 16;

  ScalarType dtype = ScalarType::Float;  // every operand's
  int64_t numel = 0;
  const Instruction* instructions = nullptr;
  int instruction_count = 0;
  int scratch_count = 0;
};

}  // namespace wick
