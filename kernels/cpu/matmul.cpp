// Batched matmul over 3-D strided views. float32 goes to oneDNN's sgemm when it is built in and the
// problem is big enough to amortise the call; everything else (float64, tiny shapes, builds without
// oneDNN) runs the packed xsimd GEMM in simd/simd_kernels.h. bfloat16 comes here only on CPUs that multiply
// it in hardware (matmul_natively): oneDNN's bf16 matmul, or for small problems the float32 path.
#include "cpu_backend.h"
#include "deterministic_numerics.h"
#include "dispatch.h"
#include "matmul_onednn.h"
#include "simd/simd_table.h"
#include "thread_pool.h"
#include "widened.h"

#ifdef WICK_HAVE_ONEDNN
#include <dnnl.h>
#endif

namespace wick::cpu {
namespace {

// Below this many multiply-adds the xsimd GEMM runs instead. Small products are where oneDNN wins least
// (a few microseconds), and its first sgemm call in a process JIT-compiles kernels for ~30 ms: a short
// program that only multiplies small matrices should not pay that at start-up.
constexpr int64_t kOneDnnMinFlops = int64_t(1) << 20;

#ifdef WICK_HAVE_ONEDNN
// Describes a strided matrix as BLAS does (transposed or not, leading dimension); false if neither
// stride is 1 and the matrix needs packing.
bool blas_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, char& trans, int64_t& ld) {
  if (cs == 1 && (rs >= cols || rows == 1)) {
    trans = 'N';
    ld = rows == 1 ? (cols > 0 ? cols : 1) : rs;
    return ld >= 1;
  }
  if (rs == 1 && (cs >= rows || cols == 1)) {
    trans = 'T';
    ld = cols == 1 ? (rows > 0 ? rows : 1) : cs;
    return ld >= 1;
  }
  return false;
}

bool onednn_sgemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t a_rs, int64_t a_cs, const float* B,
                  int64_t b_rs, int64_t b_cs, float* C, int64_t ldc) {
  char ta, tb;
  int64_t lda, ldb;
  if (!blas_layout(M, K, a_rs, a_cs, ta, lda) || !blas_layout(K, N, b_rs, b_cs, tb, ldb)) return false;
  const dnnl_status_t st = dnnl_sgemm(ta, tb, M, N, K, 1.0f, A, lda, B, ldb, 0.0f, C, ldc);
  WICK_CHECK(st == dnnl_success, "matmul", "oneDNN sgemm failed with status ", int(st));
  return true;
}
#endif

}  // namespace

bool CpuBackend::matmul_natively(ScalarType t) const {
  return t == kBFloat16 ? cpu_has_bf16_dot() : computes_natively(t);
}

void CpuBackend::matmul(const View& out, const View& a, const View& b) {
  if (out.dtype == kBFloat16) {
    const int64_t flops = out.sizes[0] * out.sizes[1] * out.sizes[2] * a.sizes[2];
    if (flops >= kOneDnnMinFlops && matmul_bf16_onednn(out, a, b)) return;
    const Widened wa(*this, a), wb(*this, b), wout(*this, out, false);
    matmul(wout.view(), wa.view(), wb.view());
    wout.store(*this, out);
    return;
  }
  const int64_t batch = out.sizes[0], M = out.sizes[1], N = out.sizes[2], K = a.sizes[2];
  const int64_t esz = element_size(out.dtype);
  dispatch_floating(out.dtype, "matmul", [&]<class T>() {
    const int ti = sizeof(T) == 4 ? 0 : 1;
    for (int64_t bi = 0; bi < batch; ++bi) {
      const char* pa = static_cast<const char*>(a.data) + bi * a.strides[0] * esz;
      const char* pb = static_cast<const char*>(b.data) + bi * b.strides[0] * esz;
      char* pc = static_cast<char*>(out.data) + bi * out.strides[0] * esz;
#ifdef WICK_HAVE_ONEDNN
      if constexpr (sizeof(T) == 4) {
        if (M * N * K >= kOneDnnMinFlops && !deterministic_numerics() &&
            onednn_sgemm(M, N, K, reinterpret_cast<const float*>(pa), a.strides[1], a.strides[2],
                         reinterpret_cast<const float*>(pb), b.strides[1], b.strides[2], reinterpret_cast<float*>(pc),
                         out.strides[1]))
          continue;
      }
#endif
      simd_table().gemm[ti](M, N, K, pa, a.strides[1], a.strides[2], pb, b.strides[1], b.strides[2], pc, out.strides[1],
                            false);
    }
  });
}

}  // namespace wick::cpu
