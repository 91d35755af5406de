#include "cpu_backend.h"

#include <cstring>

#include "allocator.h"
#include "deterministic_numerics.h"
#include "fp_control.h"
#include "matmul_onednn.h"
#include "thread_pool.h"

namespace wick::cpu {

void* CpuBackend::allocate(size_t nbytes, int) { return cached_alloc(nbytes); }
void CpuBackend::deallocate(void* ptr, size_t nbytes, int) { cached_free(ptr, nbytes); }
void CpuBackend::empty_cache() { release_cached_memory(); }
void CpuBackend::copy_from_host(void* dst, const void* src, size_t nbytes, int) { std::memcpy(dst, src, nbytes); }
void CpuBackend::copy_to_host(void* dst, const void* src, size_t nbytes, int) { std::memcpy(dst, src, nbytes); }
void CpuBackend::set_num_threads(int n) { cpu::set_num_threads(n); }
int CpuBackend::get_num_threads() const { return cpu::get_num_threads(); }

bool CpuBackend::set_flush_denormal(bool on) {
  if (!kCanFlushDenormals) return false;
  const uint64_t v = fp_control();
  set_fp_control(on ? v | kFlushDenormalBits : v & ~kFlushDenormalBits);
  return true;
}

bool CpuBackend::flush_denormal() const {
  return kCanFlushDenormals && (fp_control() & kFlushDenormalBits) == kFlushDenormalBits;
}

bool CpuBackend::set_deterministic_numerics(bool on) {
  deterministic_numerics_on.store(on);
  return true;
}

Backend& cpu_backend() {
  static CpuBackend backend;
  return backend;
}

bool CpuBackend::supports(FusedOp op, ScalarType t) const {
  const bool floating = t == kFloat || t == kDouble;
  // Deterministic numerics (deterministic_numerics.h): lib/ composes the fused ops from the deterministic primitives,
  // so that a run without fused kernels (WICK_FUSED_KERNELS=0) gives the same bits too. Five keep their kernels,
  // whose bits are the composed forms' (tests/embedded/deterministic_numerics_test.cpp runs both): the portable
  // convolution (im2col and the ordered GEMM, as lib/'s unfold and matmul, then the bias), max pooling (exact),
  // int8 linear layers (the scalar set, which lib/'s composed form matches bit for bit), and the LSTM and GRU cells'
  // forward (the composed step's operations in order, on the same sigmoid and tanh kernels; lib/ composes a step
  // that the tape records or that computes in a wider dtype).
  if (deterministic_numerics() && op != FusedOp::Conv2d && op != FusedOp::MaxPool2d && op != FusedOp::LinearInt8 &&
      op != FusedOp::LstmCell && op != FusedOp::GruCell)
    return false;
  switch (op) {
    case FusedOp::LayerNorm:
#ifdef WICK_HAVE_ONEDNN
      return t == kFloat;  // oneDNN's primitives; float64 composes, as without oneDNN
#else
      return false;
#endif
    case FusedOp::Conv2d:
      // bfloat16 on bf16 hardware: oneDNN's bf16 convolution (widened to float32 for a geometry it refuses).
      return floating || (t == kBFloat16 && cpu_has_bf16_dot());
    case FusedOp::Conv3d:  // oneDNN's primitives only: without them lib/ folds depth into 2-D convolutions
#ifdef WICK_HAVE_ONEDNN
      return t == kFloat || (t == kBFloat16 && cpu_has_bf16_dot());
#else
      return false;
#endif
    case FusedOp::LinearInt8: return t == kFloat;
    default: return floating;
  }
}

}  // namespace wick::cpu
