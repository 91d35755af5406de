// The portable kernel set: every SimdTable entry as a plain loop over kernels/common/elementwise_math.h's
// scalar definitions (the ones CUDA runs), compiled without instruction-set flags. It runs where no vector set
// applies and under WICK_CPU_CAPABILITY=scalar, which the tests use to check the vector sets against it.
#include "common/elementwise_math.h"
#include "common/reduce_math.h"
#include "simd/simd_table.h"

namespace wick::cpu {
namespace {

using kernels::ScalarMath;

template <BinaryOp op, class T>
void binary_loop(const void* pa, int64_t sa, const void* pb, int64_t sb, void* po, int64_t n) {
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  T* out = static_cast<T*>(po);
  for (int64_t i = 0; i < n; ++i) out[i] = kernels::float_binary<op, ScalarMath>(a[i * sa], b[i * sb]);
}

template <class T>
void where_loop(const bool* cond, int64_t sc, const void* pa, int64_t sa, const void* pb, int64_t sb, void* po,
                int64_t n) {
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  T* out = static_cast<T*>(po);
  for (int64_t i = 0; i < n; ++i) out[i] = cond[i * sc] ? a[i * sa] : b[i * sb];
}

template <UnaryOp op, class T>
void unary_loop(const void* pin, void* pout, int64_t n, double p0, double p1) {
  const T* in = static_cast<const T*>(pin);
  T* out = static_cast<T*>(pout);
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (op == UnaryOp::PowScalar)
      if (kernels::pow_scalar_shortcut(in[i], p0, out[i])) continue;
    out[i] = kernels::float_unary<op, ScalarMath>(in[i], T(p0), T(p1));
  }
}

template <ReduceOp op, class T>
void reduce_loop(const void* pin, int64_t n, void* pacc) {
  const T* in = static_cast<const T*>(pin);
  T& acc = *static_cast<T*>(pacc);
  for (int64_t i = 0; i < n; ++i) acc = kernels::reduce_combine<op>(acc, in[i]);
}

template <ReduceOp op, class T>
void reduce_rows_loop(const void* pin, void* pout, int64_t n) {
  const T* in = static_cast<const T*>(pin);
  T* out = static_cast<T*>(pout);
  for (int64_t i = 0; i < n; ++i) out[i] = kernels::reduce_combine<op>(out[i], in[i]);
}

// C = A @ B (+ C): the i-k-j order keeps B's and C's rows streaming.
template <class T>
void gemm(int64_t M, int64_t N, int64_t K, const void* pa, int64_t a_rs, int64_t a_cs, const void* pb, int64_t b_rs,
          int64_t b_cs, void* pc, int64_t c_rs, bool accumulate) {
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

template <BinaryOp op>
void fill_op(SimdTable& t) {
  if constexpr (!produces_bool(op)) {
    t.binary[int(op)][0] = &binary_loop<op, float>;
    t.binary[int(op)][1] = &binary_loop<op, double>;
  }
}
template <UnaryOp op>
void fill_op(SimdTable& t) {
  if constexpr (!produces_bool(op)) {
    t.unary[int(op)][0] = &unary_loop<op, float>;
    t.unary[int(op)][1] = &unary_loop<op, double>;
  }
}
template <class Op, int... Is>
void fill_ops(SimdTable& t, std::integer_sequence<int, Is...>) {
  (fill_op<Op(Is)>(t), ...);
}
template <ReduceOp op>
void fill_reduce(SimdTable& t) {
  t.reduce[int(op)][0] = &reduce_loop<op, float>;
  t.reduce[int(op)][1] = &reduce_loop<op, double>;
  t.reduce_rows[int(op)][0] = &reduce_rows_loop<op, float>;
  t.reduce_rows[int(op)][1] = &reduce_rows_loop<op, double>;
}

SimdTable make_scalar_table() {
  SimdTable t{};
  t.name = "scalar";
  fill_ops<BinaryOp>(t, std::make_integer_sequence<int, kNumOps<BinaryOp>>{});
  fill_ops<UnaryOp>(t, std::make_integer_sequence<int, kNumOps<UnaryOp>>{});
  t.where[0] = &where_loop<float>;
  t.where[1] = &where_loop<double>;
  fill_reduce<ReduceOp::Sum>(t);
  fill_reduce<ReduceOp::Prod>(t);
  fill_reduce<ReduceOp::Max>(t);
  fill_reduce<ReduceOp::Min>(t);
  t.gemm[0] = &gemm<float>;
  t.gemm[1] = &gemm<double>;
  return t;
}

}  // namespace

const SimdTable& simd_table_scalar() {
  static const SimdTable t = make_scalar_table();
  return t;
}

}  // namespace wick::cpu
