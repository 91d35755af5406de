// The vectorised elementwise and reduction loops, written once against xsimd::batch<T, Arch>; each op's math is
// kernels/common/elementwise_math.h, instantiated here with the vector vocabulary below.
#pragma once

#include <cmath>
#include <cstdlib>
#include <limits>
#include <type_traits>
#include <utility>

#include "common/elementwise_math.h"
#include "simd/simd_arch.h"
#include "simd/simd_table.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

// ---- the vector vocabulary of kernels/common/elementwise_math.h, where each op's math is ----------------------
// sqrt with IEEE's special cases on every architecture: xsimd 8's NEON float sqrt is an estimate refined by
// Newton steps, which turns +inf into NaN and loses the sign of -0 (x86's sqrt instructions already agree).
template <class V>
V sqrt_v(const V& x) {
  using T = typename V::value_type;
#if defined(__aarch64__)  // AArch64 has a correctly rounded square root
  if constexpr (std::is_same_v<T, float>)
    return V(vsqrtq_f32(x));
  else
    return V(vsqrtq_f64(x));
#endif
  const V r = xsimd::sqrt(x);
  return xsimd::select(x == V(T(0)) || x == V(std::numeric_limits<T>::infinity()), x, r);
}

// The C library's functions get every IEEE special case right; xsimd's vector forms miss some (pow of a
// negative base with an infinite exponent or of -inf, atan2 of two infinities, fmod by an infinity). When a
// vector holds such an input, all its lanes are recomputed with `scalar`: rare, so the common path stays
// vectorised, and the results are PyTorch's (whose CPU kernels follow the C library there).
template <class V, class Mask, class F>
V scalar_if_any(const V& r, const V& a, const V& b, const Mask& special, F scalar) {
  if (!xsimd::any(special)) return r;
  using T = typename V::value_type;
  alignas(64) T ra[V::size], aa[V::size], ba[V::size];
  a.store_aligned(aa);
  b.store_aligned(ba);
  for (std::size_t i = 0; i < V::size; ++i) ra[i] = scalar(aa[i], ba[i]);
  return V::load_aligned(ra);
}

// The same for one operand.
template <class V, class Mask, class F>
V scalar_if_any(const V& r, const V& x, const Mask& special, F scalar) {
  if (!xsimd::any(special)) return r;
  using T = typename V::value_type;
  alignas(64) T ra[V::size], xa[V::size];
  x.store_aligned(xa);
  for (std::size_t i = 0; i < V::size; ++i) ra[i] = scalar(xa[i]);
  return V::load_aligned(ra);
}

// Where xsimd's vector forms leave IEEE's or PyTorch's answer, the lanes concerned take the C library's (tests/
// kernels/cpu/elementwise_math_test.cpp finds such cases by comparing every op with the scalar definitions).
// The scalar forms call the C library's double functions (::pow, not a std:: overload the linker could merge
// across the per-arch files); float results round once from the exact double ones.
struct VectorMath {
  template <class Mask, class V>
  static V select(const Mask& m, const V& a, const V& b) {
    return xsimd::select(m, a, b);
  }
  template <class V>
  static auto isnan(const V& x) {
    return xsimd::isnan(x);
  }
  template <class V>
  static V neg(const V& x) {
    return x ^ V(-0.0);
  }  // xsimd's 0 - x loses -0
  // xsimd 8 divides floats on AArch64 by a reciprocal estimate and Newton steps: not correctly rounded, and 1 / a
  // denormal gives -inf. AArch64 has a true division.
  template <class V>
  static V div(const V& a, const V& b) {
#if defined(__aarch64__)
    if constexpr (std::is_same_v<typename V::value_type, float>) return V(vdivq_f32(a, b));
#endif
    return a / b;
  }
  template <class V>
  static V max(const V& a, const V& b) {
    return xsimd::max(a, b);
  }
  template <class V>
  static V min(const V& a, const V& b) {
    return xsimd::min(a, b);
  }
  template <class V>
  static V abs(const V& x) {
    return xsimd::abs(x);
  }
  // Both overflow early (float: from 88.38 instead of 88.72) and flush results in the denormal range.
  template <class V>
  static V exp(const V& x) {
    using T = typename V::value_type;
    return scalar_if_any(xsimd::exp(x), x, xsimd::abs(x) > V(T(sizeof(T) == 4 ? 87.0 : 708.0)),
                         [](T v) { return T(::exp(double(v))); });
  }
  template <class V>
  static V expm1(const V& x) {
    using T = typename V::value_type;
    return scalar_if_any(xsimd::expm1(x), x, x > V(T(sizeof(T) == 4 ? 87.0 : 708.0)),
                         [](T v) { return T(::expm1(double(v))); });
  }
  template <class V>
  static V log(const V& x) {  // xsimd's double log misreads denormal inputs
    using T = typename V::value_type;
    return scalar_if_any(xsimd::log(x), x, (x > V(T(0))) & (x < V(std::numeric_limits<T>::min())),
                         [](T v) { return T(::log(double(v))); });
  }
  template <class V>
  static V log1p(const V& x) {
    return xsimd::log1p(x);
  }
  template <class V>
  static V sqrt(const V& x) {
    return sqrt_v(x);
  }
  template <class V>
  static V sin(const V& x) {
    return xsimd::sin(x);
  }
  template <class V>
  static V cos(const V& x) {
    return xsimd::cos(x);
  }
  template <class V>
  static V tanh(const V& x) {
    return xsimd::tanh(x);
  }
  template <class V>
  static V erf(const V& x) {  // xsimd's double erf gives NaN for huge inputs; erf is +-1 in T beyond 6
    using T = typename V::value_type;
    return xsimd::select(xsimd::abs(x) > V(T(6)), xsimd::copysign(V(T(1)), x), xsimd::erf(x));
  }
  template <class V>
  static V floor(const V& x) {
#if defined(__aarch64__)  // xsimd 8 rounds through integers there, losing -0 (and ceil(-0.5) = -0)
    if constexpr (std::is_same_v<typename V::value_type, float>)
      return V(vrndmq_f32(x));
    else
      return V(vrndmq_f64(x));
#else
    return xsimd::floor(x);
#endif
  }
  template <class V>
  static V ceil(const V& x) {
#if defined(__aarch64__)  // xsimd 8 rounds through integers there, losing -0 (and ceil(-0.5) = -0)
    if constexpr (std::is_same_v<typename V::value_type, float>)
      return V(vrndpq_f32(x));
    else
      return V(vrndpq_f64(x));
#else
    return xsimd::ceil(x);
#endif
  }
  template <class V>
  static V rint(const V& x) {
#if defined(__aarch64__)  // xsimd 8 rounds through integers there, losing -0 (and ceil(-0.5) = -0)
    if constexpr (std::is_same_v<typename V::value_type, float>)
      return V(vrndnq_f32(x));
    else
      return V(vrndnq_f64(x));
#else
    return xsimd::nearbyint(x);
#endif
  }
  template <class V>
  static V trunc(const V& x) {
#if defined(__aarch64__)  // xsimd 8 rounds through integers there, losing -0 (and ceil(-0.5) = -0)
    if constexpr (std::is_same_v<typename V::value_type, float>)
      return V(vrndq_f32(x));
    else
      return V(vrndq_f64(x));
#else
    return xsimd::trunc(x);
#endif
  }
  template <class V>
  static V copysign(const V& x, const V& y) {
    return xsimd::copysign(x, y);
  }
  template <class V>
  static V fmod(const V& a, const V& b) {
    // xsimd's a - trunc(a / b) * b is exact only where the quotient truncates to 0 (elsewhere a / b rounds,
    // and the product too); the other lanes, rare outside tests, take the C library's exact fmod. A zero
    // remainder keeps the dividend's sign.
    using T = typename V::value_type;
    const auto special = (xsimd::abs(a) >= xsimd::abs(b)) | xsimd::isnan(a) | xsimd::isnan(b) | xsimd::isinf(b);
    return xsimd::copysign(
        scalar_if_any(xsimd::fmod(a, b), a, b, special, [](T x, T y) { return T(::fmod(double(x), double(y))); }), a);
  }
  template <class V>
  static V pow(const V& a, const V& b) {
    // Also a NaN operand (xsimd's SSE and AVX2 forms give pow(0, NaN) = 0), a negative base with an exponent too
    // large to be odd (xsimd misjudges its parity), a denormal base (its log is misread), and an infinite result
    // (its exp overflows early: pow(DBL_MAX, 1) = inf).
    using T = typename V::value_type;
    const V always_even(T(sizeof(T) == 4 ? 16777216.0 : 9007199254740992.0));
    const V r = xsimd::pow(a, b);
    const auto special = xsimd::isinf(a) | xsimd::isinf(b) | xsimd::isnan(a) | xsimd::isnan(b) |
                         ((a == V(0)) & (b < V(0))) | ((a < V(0)) & (xsimd::abs(b) >= always_even)) |
                         ((a != V(0)) & (xsimd::abs(a) < V(std::numeric_limits<T>::min()))) | xsimd::isinf(r);
    return scalar_if_any(r, a, b, special, [](T x, T y) { return T(::pow(double(x), double(y))); });
  }
  template <class V>
  static V atan2(const V& a, const V& b) {
    // Two infinities, and zero or denormal operands (NEON's atan2(0, denormal) is NaN).
    using T = typename V::value_type;
    const V smallest_normal(std::numeric_limits<T>::min());
    const auto special =
        (xsimd::isinf(a) & xsimd::isinf(b)) | (xsimd::abs(a) < smallest_normal) | (xsimd::abs(b) < smallest_normal);
    return scalar_if_any(xsimd::atan2(a, b), a, b, special, [](T y, T x) { return T(::atan2(double(y), double(x))); });
  }
};

template <BinaryOp op>
struct BinaryF {
  template <class V>
  static V f(const V& a, const V& b) {
    return kernels::float_binary<op, VectorMath>(a, b);
  }
};

template <class Op, class T>
void binary_loop(const void* pa, int64_t sa, const void* pb, int64_t sb, void* po, int64_t n) {
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  T* out = static_cast<T*>(po);
  constexpr int64_t W = Vec<T>::size;
  int64_t i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + W <= n; i += W)
      Op::f(Vec<T>::load_unaligned(a + i), Vec<T>::load_unaligned(b + i)).store_unaligned(out + i);
  } else if (sa == 0 && sb == 1) {
    const Vec<T> va(a[0]);
    for (; i + W <= n; i += W) Op::f(va, Vec<T>::load_unaligned(b + i)).store_unaligned(out + i);
  } else if (sa == 1 && sb == 0) {
    const Vec<T> vb(b[0]);
    for (; i + W <= n; i += W) Op::f(Vec<T>::load_unaligned(a + i), vb).store_unaligned(out + i);
  } else {
    const Vec<T> va(a[0]), vb(b[0]);
    for (; i + W <= n; i += W) Op::f(va, vb).store_unaligned(out + i);
  }
  if (i < n) {  // the tail through one more vector, so every element goes through the same vector code
    const int64_t m = n - i;
    alignas(64) T ta[W], tb[W], to[W];
    // Lanes past the end repeat a real element: nothing computes on uninitialised data. Broadcast operands
    // (and 1-element tensors, the per-op-overhead case) need no buffer at all.
    Vec<T> va(a[0]), vb(b[0]);
    if (sa != 0 && m > 1) {
      for (int64_t k = 0; k < W; ++k) ta[k] = a[i + (k < m ? k : 0)];
      va = Vec<T>::load_aligned(ta);
    } else if (sa != 0) {
      va = Vec<T>(a[i]);
    }
    if (sb != 0 && m > 1) {
      for (int64_t k = 0; k < W; ++k) tb[k] = b[i + (k < m ? k : 0)];
      vb = Vec<T>::load_aligned(tb);
    } else if (sb != 0) {
      vb = Vec<T>(b[i]);
    }
    Op::f(va, vb).store_aligned(to);
    if (m == 1)
      out[i] = to[0];
    else
      for (int64_t k = 0; k < m; ++k) out[i + k] = to[k];
  }
}

// ---- where(cond, a, b): the backward of relu, clamp and max lives on it ------------------------------
template <class T>
void where_loop(const bool* cond, int64_t sc, const void* pa, int64_t sa, const void* pb, int64_t sb, void* po,
                int64_t n) {
  using Mask = xsimd::batch_bool<T, Arch>;
  const T* a = static_cast<const T*>(pa);
  const T* b = static_cast<const T*>(pb);
  T* out = static_cast<T*>(po);
  constexpr int64_t W = Vec<T>::size;
  int64_t i = 0;
  alignas(64) T flags[W];
  for (; i + W <= n; i += W) {
    // Not batch_bool::load(bool*), which branches per element in xsimd 8: bools convert to 0/1 arithmetically.
    Mask m(cond[0]);
    if (sc) {
      for (int64_t k = 0; k < W; ++k) flags[k] = T(cond[i + k]);
      m = Vec<T>::load_aligned(flags) != Vec<T>(0);
    }
    const Vec<T> va = sa ? Vec<T>::load_unaligned(a + i) : Vec<T>(a[0]);
    const Vec<T> vb = sb ? Vec<T>::load_unaligned(b + i) : Vec<T>(b[0]);
    xsimd::select(m, va, vb).store_unaligned(out + i);
  }
  for (; i < n; ++i) out[i] = cond[i * sc] ? a[i * sa] : b[i * sb];
}

// ---- unary ops --------------------------------------------------------------------------------------
template <UnaryOp op, class T, class M = VectorMath>
void unary_loop(const void* pin, void* pout, int64_t n, double p0d, double p1d) {
  const T* in = static_cast<const T*>(pin);
  T* out = static_cast<T*>(pout);
  constexpr int64_t W = Vec<T>::size;
  const auto run = [&](const auto& f) {
    int64_t i = 0;
    for (; i + W <= n; i += W) f(Vec<T>::load_unaligned(in + i)).store_unaligned(out + i);
    if (i < n) {
      alignas(64) T t[W] = {};
      for (int64_t k = 0; k < n - i; ++k) t[k] = in[i + k];
      f(Vec<T>::load_aligned(t)).store_aligned(t);
      for (int64_t k = 0; k < n - i; ++k) out[i + k] = t[k];
    }
  };
  if constexpr (op == UnaryOp::PowScalar) {
    if (kernels::pow_scalar_has_shortcut(p0d))
      return run([p0d](const Vec<T>& x) { return kernels::pow_scalar_shortcut<M>(x, p0d); });
  }
  const Vec<T> p0(static_cast<T>(p0d)), p1(static_cast<T>(p1d));
  run([&](const Vec<T>& x) { return kernels::float_unary<op, M>(x, p0, p1); });
}

// ---- reductions -------------------------------------------------------------------------------------
// Max and min let NaN win, as torch.max: the same rule as maximum/minimum.
template <ReduceOp op, class M, class V>
V combine_with(const V& a, const V& b) {
  if constexpr (op == ReduceOp::Sum)
    return a + b;
  else if constexpr (op == ReduceOp::Prod)
    return a * b;
  else if constexpr (op == ReduceOp::Max)
    return kernels::float_binary<BinaryOp::Maximum, M>(a, b);
  else
    return kernels::float_binary<BinaryOp::Minimum, M>(a, b);
}
template <ReduceOp op, class V>
V combine(const V& a, const V& b) {
  return combine_with<op, VectorMath>(a, b);
}
template <ReduceOp op, class T>
T combine_scalar(T a, T b) {
  return combine_with<op, kernels::ScalarMath>(a, b);
}

template <ReduceOp op, class T>
void reduce_loop(const void* pin, int64_t n, void* pacc) {
  const T* in = static_cast<const T*>(pin);
  T& acc = *static_cast<T*>(pacc);
  constexpr int64_t W = Vec<T>::size;
  int64_t i = 0;
  if (n >= 4 * W) {  // four independent accumulators hide latency and keep float sums accurate
    Vec<T> a0 = Vec<T>::load_unaligned(in), a1 = Vec<T>::load_unaligned(in + W),
           a2 = Vec<T>::load_unaligned(in + 2 * W), a3 = Vec<T>::load_unaligned(in + 3 * W);
    for (i = 4 * W; i + 4 * W <= n; i += 4 * W) {
      a0 = combine<op>(a0, Vec<T>::load_unaligned(in + i));
      a1 = combine<op>(a1, Vec<T>::load_unaligned(in + i + W));
      a2 = combine<op>(a2, Vec<T>::load_unaligned(in + i + 2 * W));
      a3 = combine<op>(a3, Vec<T>::load_unaligned(in + i + 3 * W));
    }
    const Vec<T> v = combine<op>(combine<op>(a0, a1), combine<op>(a2, a3));
    alignas(64) T lanes[W];
    v.store_aligned(lanes);
    if ((op == ReduceOp::Max || op == ReduceOp::Min) && xsimd::any(xsimd::isnan(v))) {
      for (int64_t k = 0; k < W; ++k) acc = combine_scalar<op>(acc, lanes[k]);  // NaN wins, whatever follows
    } else {
      // The lanes as a tree (lane l with l + W/2, then l + W/4, ...) in loops of constant length the compiler
      // vectorises: one chain through the W lanes cost more than the rest of a softmax's 128-float row. Max and min
      // compare plainly, NaN being ruled out above.
      for (int64_t half = W / 2; half >= 1; half /= 2)
        for (int64_t l = 0; l < half; ++l) {
          const T a = lanes[l], b = lanes[l + half];
          if constexpr (op == ReduceOp::Sum)
            lanes[l] = a + b;
          else if constexpr (op == ReduceOp::Prod)
            lanes[l] = a * b;
          else if constexpr (op == ReduceOp::Max)
            lanes[l] = a < b ? b : a;
          else
            lanes[l] = b < a ? b : a;
        }
      acc = combine_scalar<op>(acc, lanes[0]);
    }
  }
  for (; i < n; ++i) acc = combine_scalar<op>(acc, in[i]);
}

template <ReduceOp op, class T>
void reduce_rows_loop(const void* pin, void* pout, int64_t n) {
  const T* in = static_cast<const T*>(pin);
  T* out = static_cast<T*>(pout);
  constexpr int64_t W = Vec<T>::size;
  int64_t i = 0;
  for (; i + W <= n; i += W)
    combine<op>(Vec<T>::load_unaligned(out + i), Vec<T>::load_unaligned(in + i)).store_unaligned(out + i);
  for (; i < n; ++i) out[i] = combine_scalar<op>(out[i], in[i]);
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
