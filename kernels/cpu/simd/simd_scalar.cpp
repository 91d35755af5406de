// The portable kernel set: every SimdTable entry as a plain loop over kernels/common/elementwise_math.h's
// scalar definitions (the ones CUDA runs), compiled without instruction-set flags. It runs where no vector set
// applies and under WICK_CPU_CAPABILITY=scalar, which the tests use to check the vector sets against it.
#include "common/elementwise_math.h"
#include "common/reduce_math.h"
#include "simd/bf16_convert.h"
#include "simd/simd_table.h"
#include "simd/simd_table_builder.h"

namespace wick::cpu {
namespace {

using kernels::ScalarMath;

struct ScalarLoops {
  template <BinaryOp op, class T>
  static void binary(const void* pa, int64_t sa, const void* pb, int64_t sb, void* po, int64_t n) {
    const T* a = static_cast<const T*>(pa);
    const T* b = static_cast<const T*>(pb);
    T* out = static_cast<T*>(po);
    for (int64_t i = 0; i < n; ++i) out[i] = kernels::float_binary<op, ScalarMath>(a[i * sa], b[i * sb]);
  }

  template <class T>
  static void where(const bool* cond, int64_t sc, const void* pa, int64_t sa, const void* pb, int64_t sb, void* po,
                    int64_t n) {
    const T* a = static_cast<const T*>(pa);
    const T* b = static_cast<const T*>(pb);
    T* out = static_cast<T*>(po);
    for (int64_t i = 0; i < n; ++i) out[i] = cond[i * sc] ? a[i * sa] : b[i * sb];
  }

  template <UnaryOp op, class T>
  static void unary(const void* pin, void* pout, int64_t n, double p0, double p1) {
    const T* in = static_cast<const T*>(pin);
    T* out = static_cast<T*>(pout);
    if constexpr (op == UnaryOp::PowScalar) {
      if (kernels::pow_scalar_has_shortcut(p0)) {
        for (int64_t i = 0; i < n; ++i) out[i] = kernels::pow_scalar_shortcut<ScalarMath>(in[i], p0);
        return;
      }
    }
    for (int64_t i = 0; i < n; ++i) out[i] = kernels::float_unary<op, ScalarMath>(in[i], T(p0), T(p1));
  }

  template <ReduceOp op, class T>
  static void reduce(const void* pin, int64_t n, void* pacc) {
    const T* in = static_cast<const T*>(pin);
    T& acc = *static_cast<T*>(pacc);
    for (int64_t i = 0; i < n; ++i) acc = kernels::reduce_combine<op>(acc, in[i]);
  }

  template <ReduceOp op, class T>
  static void reduce_rows(const void* pin, void* pout, int64_t n) {
    const T* in = static_cast<const T*>(pin);
    T* out = static_cast<T*>(pout);
    for (int64_t i = 0; i < n; ++i) out[i] = kernels::reduce_combine<op>(out[i], in[i]);
  }

  // C = A @ B (+ C): the i-k-j order keeps B's and C's rows streaming.
  template <class T>
  static void gemm(int64_t M, int64_t N, int64_t K, const void* pa, int64_t a_rs, int64_t a_cs, const void* pb,
                   int64_t b_rs, int64_t b_cs, void* pc, int64_t c_rs, bool accumulate) {
    const T* A = static_cast<const T*>(pa);
    const T* B = static_cast<const T*>(pb);
    T* C = static_cast<T*>(pc);
    for (int64_t i = 0; i < M; ++i) {
      T* c = C + i * c_rs;
      if (!accumulate)
        for (int64_t j = 0; j < N; ++j) c[j] = T(0);
      for (int64_t k = 0; k < K; ++k) {
        const T a = A[i * a_rs + k * a_cs];
        const T* b = B + k * b_rs;
        for (int64_t j = 0; j < N; ++j) c[j] += a * b[j * b_cs];
      }
    }
  }

  static void float_to_bf16(const void* in, void* out, int64_t n) { float_to_bf16_loop(in, out, n); }
};

}  // namespace

const SimdTable& simd_table_scalar() {
  static const SimdTable t = SimdTableBuilder<ScalarLoops>::build("scalar");
  return t;
}

}  // namespace wick::cpu
