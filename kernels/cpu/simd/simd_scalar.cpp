// The portable kernel set: every SimdTable entry as a plain loop over kernels/common/elementwise_math.h's
// scalar definitions (the ones CUDA runs), compiled without instruction-set flags. It runs where no vector set
// applies and under WICK_CPU_CAPABILITY=scalar, which the tests use to check the vector sets against it.
//
// The same loops over DeterministicMath are deterministic numerics mode's table (deterministic_numerics.h): sums in
// index order, no fused multiply-add but the ordered GEMM's, which fuses every one (-ffp-contract=off keeps the
// compiler from fusing others; auto-vectorising the GEMM's j loop keeps each element's order), one implementation of
// each transcendental function.
#include <type_traits>

#include "common/elementwise_math.h"
#include "common/philox.h"
#include "common/reduce_math.h"
#include "deterministic_math.h"
#include "simd/bf16_convert.h"
#include "simd/simd_table.h"
#include "simd/simd_table_builder.h"

namespace wick::cpu {
namespace {

// a * b + c rounded once (the C library's fmaf/fma where this file is compiled without FMA). Here, in this file's
// own namespace, for simd_arch.h's reason: no inline copy compiled for another kernel set may stand in for it.
template <class T>
T fused_multiply_add(T a, T b, T c) {
  if constexpr (std::is_same_v<T, float>)
    return __builtin_fmaf(a, b, c);
  else
    return __builtin_fma(a, b, c);
}

using kernels::ScalarMath;

template <class Math>
struct ScalarLoops {
  static constexpr bool kScalar = true;
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
        for (int64_t i = 0; i < n; ++i) out[i] = kernels::pow_scalar_shortcut<Math>(in[i], p0);
        return;
      }
    }
    for (int64_t i = 0; i < n; ++i) out[i] = kernels::float_unary<op, Math>(in[i], T(p0), T(p1));
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

  // C = A @ B (+ C): the i-k-j order keeps B's and C's rows streaming. Each element sums in k order, unfused, or
  // (kFused, the ordered GEMM's) by fused multiply-adds.
  template <class T, bool kFused = false>
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
        for (int64_t j = 0; j < N; ++j)
          c[j] = kFused ? fused_multiply_add(a, b[j * b_cs], c[j]) : c[j] + a * b[j * b_cs];
      }
    }
  }

  template <UnaryOp op>
  static void deterministic_unary(const void* in, void* out, int64_t n, double p0, double p1) {
    ScalarLoops<DeterministicMath>::unary<op, float>(in, out, n, p0, p1);
  }

  // SimdTable::ordered_gemm's order (simd_gemm.h's kOrdered, which every vector set runs), every multiply-add fused
  // (one rounding): with B stored transposed, each element a 16-lane dot product (lane l sums k = l,
  // l + 16, ... in order; lanes combined pairwise), else each element's products added in k order.
  template <class T>
  static T ordered_dot(const T* a, int64_t a_cs, const T* b, int64_t K) {
    T lanes[16] = {};
    for (int64_t k = 0; k < K; ++k) lanes[k % 16] = fused_multiply_add(a[k * a_cs], b[k], lanes[k % 16]);
    for (int w = 8; w >= 1; w /= 2)
      for (int l = 0; l < w; ++l) lanes[l] = lanes[l] + lanes[l + w];
    return lanes[0];
  }

  static void ordered_gemm(int64_t M, int64_t N, int64_t K, const void* pa, int64_t a_rs, int64_t a_cs, const void* pb,
                           int64_t b_rs, int64_t b_cs, void* pc, int64_t c_rs, bool accumulate) {
    ordered_gemm_of<float>(M, N, K, pa, a_rs, a_cs, pb, b_rs, b_cs, pc, c_rs, accumulate);
  }

  template <class T>
  static void ordered_gemm_of(int64_t M, int64_t N, int64_t K, const void* pa, int64_t a_rs, int64_t a_cs,
                              const void* pb, int64_t b_rs, int64_t b_cs, void* pc, int64_t c_rs, bool accumulate) {
    if (b_rs == 1 && b_cs != 1) {
      const T* A = static_cast<const T*>(pa);
      const T* B = static_cast<const T*>(pb);
      T* C = static_cast<T*>(pc);
      for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          const T d = ordered_dot(A + i * a_rs, a_cs, B + j * b_cs, K);
          T& c = C[i * c_rs + j];
          c = accumulate ? c + d : d;
        }
      return;
    }
    gemm<T, /*kFused=*/true>(M, N, K, pa, a_rs, a_cs, pb, b_rs, b_cs, pc, c_rs, accumulate);
  }

  static void float_to_bf16(const void* in, void* out, int64_t n) { float_to_bf16_loop(in, out, n); }

  static void philox(uint64_t seed, uint64_t counter, int64_t n, uint32_t* words) {
    for (int64_t i = 0; i < n; ++i) {
      uint32_t w[4];
      kernels::philox4x32_10(seed, counter + uint64_t(i), w);
      for (int j = 0; j < 4; ++j) words[j * n + i] = w[j];
    }
  }

  static void bernoulli_float(uint64_t seed, uint64_t counter, int64_t n, uint64_t threshold, float* out) {
    for (int64_t i = 0; i < n; ++i) {
      uint32_t w[4];
      kernels::philox4x32_10(seed, counter + uint64_t(i), w);
      out[i] = kernels::bits53(w[0], w[1]) < threshold ? 1.0f : 0.0f;
    }
  }
};

// Only the unary ops that call a transcendental function differ from the scalar set's; the others are shared, which
// keeps the static binary small. float32 runs on the widest set's vectors (SimdTable::deterministic_unary) where the
// functions are vectorised, float64 and the rest on the scalar loops.
template <int... Is>
void use_deterministic_math(SimdTable& t, std::integer_sequence<int, Is...>) {
  (
      [&] {
        constexpr UnaryOp op = UnaryOp(Is);
        if constexpr (uses_deterministic_math(op)) {
          t.unary[int(op)][0] = vectorised_deterministic_math(op) ? chosen_simd_table().deterministic_unary[int(op)]
                                                                  : simd_table_scalar().deterministic_unary[int(op)];
          t.unary[int(op)][1] = &ScalarLoops<DeterministicMath>::template unary<op, double>;
        }
      }(),
      ...);
}

}  // namespace

const SimdTable& simd_table_scalar() {
  static const SimdTable t = SimdTableBuilder<ScalarLoops<ScalarMath>>::build("scalar");
  return t;
}

const SimdTable& simd_table_deterministic() {
  static const SimdTable t = [] {
    SimdTable d = simd_table_scalar();
    d.name = "deterministic";
    use_deterministic_math(d, std::make_integer_sequence<int, kNumOps<UnaryOp>>{});
    // float32 GEMM on the widest set's vectors, in the scalar loop's order; float64 in the scalar loop.
    d.gemm[0] = chosen_simd_table().ordered_gemm;
    d.gemm[1] = &ScalarLoops<ScalarMath>::ordered_gemm_of<double>;
    d.philox = chosen_simd_table().philox;  // every set's draws are the scalar definition's
    d.bernoulli_float = chosen_simd_table().bernoulli_float;
    return d;
  }();
  return t;
}

}  // namespace wick::cpu
