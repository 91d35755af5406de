// Deterministic numerics mode (wick::set_deterministic_numerics): while it is on, the CPU backend gives the same
// output bits on every x86-64 kernel set and on AArch64, at any thread count. How:
//   - simd_table() is the deterministic table (simd_scalar.cpp): reductions in one canonical order, the portable
//     loops' (each output summed along its run in index order; threads split outputs, never one output's sum);
//     GEMM in the widest kernel set's ordered_gemm (one order of fused multiply-adds, simd_gemm.h's kOrdered, each
//     rounded once on every set); float32 exp, log, tanh and what is built on them in deterministic_float_math.h's
//     algorithms on the widest set's vectors (lane for lane the scalar loop's operations), other transcendental
//     functions in deterministic_math.h's; no other fused multiply-add (-ffp-contract=off, and those kernels never
//     call one);
//   - matmul and convolution skip oneDNN (its kernels depend on the CPU); supports() says no to the fused softmax,
//     normalisation and average pooling, so lib/ composes them from the primitives above (as with
//     WICK_FUSED_KERNELS=0, which then gives the same bits); the portable convolution, max pooling and the recurrent
//     cells' forward stay, their bits being the composed forms' (lib/ composes a recurrent step the tape records);
//   - int8 linear layers run the widest int8 kernel set, as outside the mode: every set gives the same bits (integer
//     sums are exact in any order, and the float epilogue is the same operations in the same order, no FMA).
#pragma once

#include <atomic>

namespace wick::cpu {

inline std::atomic<bool> deterministic_numerics_on{false};

inline bool deterministic_numerics() { return deterministic_numerics_on.load(std::memory_order_relaxed); }

}  // namespace wick::cpu
