// cuBLAS behind a small row-major GEMM call. The library is loaded with dlopen on the first matmul: linking
// it would add ~0.1 s and ~200 MB of resident memory to the start of every wick program, GPU or not.
#pragma once

#include <cstdint>

#include "wick/dtype.h"

namespace wick::cuda {

void set_tf32(bool allow);
bool tf32_allowed();

// One operand of a row-major GEMM: a [rows, cols] matrix stored with leading dimension `ld` (the row
// stride), or, when `trans`, stored transposed ([cols, rows] row-major). Batches step by `batch_stride`.
struct GemmOperand {
  const void* data;
  bool trans;
  int64_t ld;
  int64_t batch_stride;
};

// C[b] = alpha * A[b] @ B[b] + beta * C[b] for b < batch; A is [M, K], B is [K, N], C is [M, N] row-major
// with leading dimension ldc. Runs on the calling thread's stream of the current device.
void gemm(const char* op, ScalarType dtype, int64_t M, int64_t N, int64_t K, const GemmOperand& a, const GemmOperand& b,
          void* c, int64_t ldc, int64_t c_batch_stride, int64_t batch, double alpha, double beta);

}  // namespace wick::cuda
