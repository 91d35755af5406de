// The bodies of the vectorised loops, written once against xsimd::batch<T, Arch>. Each simd_<arch>.cpp
// includes this with WICK_SIMD_ARCH set and builds its SimdTable; only that file is compiled with the
// instruction set's flags.
//
// Everything here lives in a per-arch namespace and avoids out-of-line std:: templates (std::vector,
// std::fill, std::min...): the linker merges those across files, and an AVX-512 copy could then run on
// a CPU without it.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <utility>

#include <xsimd/xsimd.hpp>

#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

using Arch = WICK_SIMD_ARCH;
template <class T>
using Vec = xsimd::batch<T, Arch>;

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

// A growable 64-byte aligned scratch buffer, one per thread and element type.
template <class T>
struct Scratch {
  T* data = nullptr;
  size_t capacity = 0;
  T* get(size_t n) {
    if (n > capacity) {
      std::free(data);
      capacity = (n * sizeof(T) + 63) / 64 * 64 / sizeof(T);
      data = static_cast<T*>(std::aligned_alloc(64, capacity * sizeof(T)));
    }
    return data;
  }
  ~Scratch() { std::free(data); }
};

// ---- binary ops -------------------------------------------------------------------------------------
struct Add { template <class V> static V f(const V& a, const V& b) { return a + b; } };
struct Sub { template <class V> static V f(const V& a, const V& b) { return a - b; } };
struct Mul { template <class V> static V f(const V& a, const V& b) { return a * b; } };
struct Div { template <class V> static V f(const V& a, const V& b) { return a / b; } };
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

// The scalar forms call the C library's double functions (::pow, not a std:: overload the linker could merge
// across the per-arch files); float results round once from the exact double ones.
template <class T>
T python_remainder(T a, T b) {  // PyTorch's: the result takes the divisor's sign
  T m = T(::fmod(double(a), double(b)));
  if (m != T(0) && ((b < T(0)) != (m < T(0)))) m += b;
  return m;
}
struct Remainder {  // Python's modulo: the result takes the divisor's sign
  template <class V> static V f(const V& a, const V& b) {
    V m = xsimd::fmod(a, b);
    auto fix = (m != V(0)) & ((b < V(0)) != (m < V(0)));
    // fmod as a - trunc(a / b) * b loses the remainder's digits once |a / b| passes the mantissa (2^24 or 2^53)
    using T = typename V::value_type;
    const V exact_quotients(T(sizeof(T) == 4 ? 16777216.0 : 9007199254740992.0));
    const auto special = xsimd::isinf(a) | xsimd::isinf(b) | (xsimd::abs(a) >= xsimd::abs(b) * exact_quotients);
    return scalar_if_any(xsimd::select(fix, m + b, m), a, b, special, python_remainder<T>);
  }
};
struct Pow {  // x^0 = 1 for every x (xsimd alone gives 0^0 = 0)
  template <class V> static V f(const V& a, const V& b) {
    using T = typename V::value_type;
    const V r = xsimd::select(b == V(0), V(1), xsimd::pow(a, b));
    return scalar_if_any(r, a, b, xsimd::isinf(a) | xsimd::isinf(b) | ((a == V(0)) & (b < V(0))),
                         [](T x, T y) { return T(::pow(double(x), double(y))); });
  }
};
struct Maximum {  // NaN in either operand gives NaN, as torch.maximum
  template <class V> static V f(const V& a, const V& b) {
    return xsimd::select(xsimd::isnan(a) | xsimd::isnan(b), a + b, xsimd::max(a, b));
  }
};
struct Minimum {
  template <class V> static V f(const V& a, const V& b) {
    return xsimd::select(xsimd::isnan(a) | xsimd::isnan(b), a + b, xsimd::min(a, b));
  }
};
struct Atan2 {
  template <class V> static V f(const V& a, const V& b) {
    using T = typename V::value_type;
    return scalar_if_any(xsimd::atan2(a, b), a, b, (xsimd::isinf(a) & xsimd::isinf(b)) | ((a == V(0)) & (b == V(0))),
                         [](T y, T x) { return T(::atan2(double(y), double(x))); });
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
    if (m == 1) out[i] = to[0];
    else for (int64_t k = 0; k < m; ++k) out[i + k] = to[k];
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
template <class V>
V sigmoid_v(const V& x) { return V(1) / (V(1) + xsimd::exp(-x)); }

// sqrt with IEEE's special cases on every architecture: xsimd 8's NEON float sqrt is an estimate refined by
// Newton steps, which turns +inf into NaN and loses the sign of -0 (x86's sqrt instructions already agree).
template <class V>
V sqrt_v(const V& x) {
  using T = typename V::value_type;
  const V r = xsimd::sqrt(x);
  return xsimd::select(x == V(T(0)) || x == V(std::numeric_limits<T>::infinity()), x, r);
}

template <UnaryOp op, class V>
V unary_f(const V& x, const V& p0, const V& p1) {
  using T = typename V::value_type;
  if constexpr (op == UnaryOp::Neg) return -x;
  else if constexpr (op == UnaryOp::Abs) return xsimd::abs(x);
  else if constexpr (op == UnaryOp::Sign)
    // As torch.sign: NaN gives 0 (NumPy would keep NaN); -0 stays -0.
    return xsimd::select(x > V(0), V(1), xsimd::select(x < V(0), V(-1), xsimd::select(x == x, x, V(0))));
  else if constexpr (op == UnaryOp::Exp) return xsimd::exp(x);
  else if constexpr (op == UnaryOp::Log) return xsimd::log(x);
  else if constexpr (op == UnaryOp::Log1p) return xsimd::log1p(x);
  else if constexpr (op == UnaryOp::Expm1) return xsimd::expm1(x);
  else if constexpr (op == UnaryOp::Sqrt) return sqrt_v(x);
  else if constexpr (op == UnaryOp::Rsqrt) return V(1) / sqrt_v(x);
  else if constexpr (op == UnaryOp::Reciprocal) return V(1) / x;
  else if constexpr (op == UnaryOp::Sin) return xsimd::sin(x);
  else if constexpr (op == UnaryOp::Cos) return xsimd::cos(x);
  else if constexpr (op == UnaryOp::Tanh) return xsimd::tanh(x);
  else if constexpr (op == UnaryOp::Sigmoid) return sigmoid_v(x);
  else if constexpr (op == UnaryOp::Erf) return xsimd::erf(x);
  else if constexpr (op == UnaryOp::Relu) return xsimd::select(x < V(0), V(0), x);  // relu(NaN) = NaN
  else if constexpr (op == UnaryOp::GeluErf)
    return V(0.5) * x * (V(1) + xsimd::erf(x * V(T(0.70710678118654752440))));
  else if constexpr (op == UnaryOp::GeluTanh) {
    const V inner = V(T(0.79788456080286535588)) * (x + V(T(0.044715)) * x * x * x);
    return V(0.5) * x * (V(1) + xsimd::tanh(inner));
  } else if constexpr (op == UnaryOp::Silu) return x * sigmoid_v(x);
  else if constexpr (op == UnaryOp::Softplus) {  // p0 = beta, p1 = threshold: linear above it, as PyTorch
    const V bx = x * p0;
    return xsimd::select(bx > p1, x, xsimd::log1p(xsimd::exp(bx)) / p0);
  } else if constexpr (op == UnaryOp::LeakyRelu) return xsimd::select(x < V(0), x * p0, x);
  else if constexpr (op == UnaryOp::Elu) return xsimd::select(x > V(0), x, p0 * xsimd::expm1(x));
  else if constexpr (op == UnaryOp::Floor) return xsimd::floor(x);
  else if constexpr (op == UnaryOp::Ceil) return xsimd::ceil(x);
  else if constexpr (op == UnaryOp::Round) return xsimd::nearbyint(x);  // half to even, as torch.round
  else if constexpr (op == UnaryOp::Trunc) return xsimd::trunc(x);
  else if constexpr (op == UnaryOp::Clamp) {  // comparisons with NaN are false, so NaN passes through
    const V lo = xsimd::select(x < p0, p0, x);
    return xsimd::select(lo > p1, p1, lo);
  } else if constexpr (op == UnaryOp::PowScalar) {
    return Pow::f(x, p0);
  } else {
    static_assert(op == UnaryOp::Neg, "unary op without a vector form");
  }
}

template <UnaryOp op, class T>
void unary_loop(const void* pin, void* pout, int64_t n, double p0d, double p1d) {
  const T* in = static_cast<const T*>(pin);
  T* out = static_cast<T*>(pout);
  constexpr int64_t W = Vec<T>::size;
  const Vec<T> p0(static_cast<T>(p0d)), p1(static_cast<T>(p1d));
  int64_t i = 0;
  if constexpr (op == UnaryOp::PowScalar) {  // common exponents take exact, cheaper forms
    if (p0d == 2.0) {
      for (; i + W <= n; i += W) {
        auto v = Vec<T>::load_unaligned(in + i);
        (v * v).store_unaligned(out + i);
      }
      for (; i < n; ++i) out[i] = in[i] * in[i];
      return;
    }
    if (p0d == 0.5) return unary_loop<UnaryOp::Sqrt, T>(pin, pout, n, 0, 0);
    if (p0d == 1.0) {
      for (; i < n; ++i) out[i] = in[i];
      return;
    }
  }
  for (; i + W <= n; i += W) unary_f<op>(Vec<T>::load_unaligned(in + i), p0, p1).store_unaligned(out + i);
  if (i < n) {
    alignas(64) T t[W] = {};
    for (int64_t k = 0; k < n - i; ++k) t[k] = in[i + k];
    unary_f<op>(Vec<T>::load_aligned(t), p0, p1).store_aligned(t);
    for (int64_t k = 0; k < n - i; ++k) out[i + k] = t[k];
  }
}

// ---- reductions -------------------------------------------------------------------------------------
template <ReduceOp op, class V>
V combine(const V& a, const V& b) {
  if constexpr (op == ReduceOp::Sum) return a + b;
  else if constexpr (op == ReduceOp::Prod) return a * b;
  else if constexpr (op == ReduceOp::Max)  // NaN wins, as torch.max
    return xsimd::select(xsimd::isnan(a) | xsimd::isnan(b), a + b, xsimd::max(a, b));
  else return xsimd::select(xsimd::isnan(a) | xsimd::isnan(b), a + b, xsimd::min(a, b));
}

template <ReduceOp op, class T>
T combine_scalar(T a, T b) {
  if constexpr (op == ReduceOp::Sum) return a + b;
  else if constexpr (op == ReduceOp::Prod) return a * b;
  else if constexpr (op == ReduceOp::Max) return (a != a || b != b) ? a + b : (a < b ? b : a);
  else return (a != a || b != b) ? a + b : (b < a ? b : a);
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
    alignas(64) T lanes[W];
    combine<op>(combine<op>(a0, a1), combine<op>(a2, a3)).store_aligned(lanes);
    for (int64_t k = 0; k < W; ++k) acc = combine_scalar<op>(acc, lanes[k]);
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

// ---- matrix multiply (the fallback when oneDNN is off, float64, and tiny shapes) --------------------
// Goto-style: B is packed into panels of NR columns, A into panels of MR rows, and an MR x NR block of C
// stays in registers across the K loop.
template <class T>
struct GemmKernel {
  static constexpr int64_t W = Vec<T>::size;
  static constexpr int64_t MR = 6, NR = 2 * W;
  static constexpr int64_t KC = 256, MC = 96, NC = 2048;

  static void micro(int64_t kc, const T* pa, const T* pb, T* c, int64_t c_rs, int64_t mr, int64_t nr,
                    bool accumulate) {
    Vec<T> acc[MR][2];
    for (int r = 0; r < MR; ++r) acc[r][0] = acc[r][1] = Vec<T>(T(0));
    for (int64_t k = 0; k < kc; ++k) {
      const Vec<T> b0 = Vec<T>::load_aligned(pb + k * NR), b1 = Vec<T>::load_aligned(pb + k * NR + W);
      for (int r = 0; r < MR; ++r) {
        const Vec<T> a(pa[k * MR + r]);
        acc[r][0] = xsimd::fma(a, b0, acc[r][0]);
        acc[r][1] = xsimd::fma(a, b1, acc[r][1]);
      }
    }
    if (mr == MR && nr == NR) {
      for (int r = 0; r < MR; ++r) {
        T* row = c + r * c_rs;
        if (accumulate) {
          acc[r][0] += Vec<T>::load_unaligned(row);
          acc[r][1] += Vec<T>::load_unaligned(row + W);
        }
        acc[r][0].store_unaligned(row);
        acc[r][1].store_unaligned(row + W);
      }
      return;
    }
    alignas(64) T tmp[MR * NR];
    for (int r = 0; r < MR; ++r) {
      acc[r][0].store_aligned(tmp + r * NR);
      acc[r][1].store_aligned(tmp + r * NR + W);
    }
    for (int64_t r = 0; r < mr; ++r)
      for (int64_t j = 0; j < nr; ++j) c[r * c_rs + j] = (accumulate ? c[r * c_rs + j] : T(0)) + tmp[r * NR + j];
  }

  // A few rows (batch-1 inference, policy networks): packing would cost more than the arithmetic, so
  // each output row is either a sum of scaled B rows (B row-major) or a set of dot products (B^T row-major,
  // i.e. a Linear layer's weight).
  static bool small_m(int64_t M, int64_t N, int64_t K, const T* A, int64_t a_rs, int64_t a_cs, const T* B,
                      int64_t b_rs, int64_t b_cs, T* C, int64_t c_rs, bool accumulate) {
    if (M > 4 || (b_cs != 1 && b_rs != 1)) return false;
    for (int64_t i = 0; i < M; ++i) {
      const T* a = A + i * a_rs;
      T* c = C + i * c_rs;
      if (b_cs == 1) {
        int64_t j = 0;
        for (; j + W <= N; j += W) {
          Vec<T> acc = accumulate ? Vec<T>::load_unaligned(c + j) : Vec<T>(T(0));
          for (int64_t k = 0; k < K; ++k) acc = xsimd::fma(Vec<T>(a[k * a_cs]), Vec<T>::load_unaligned(B + k * b_rs + j), acc);
          acc.store_unaligned(c + j);
        }
        for (; j < N; ++j) {
          T acc = accumulate ? c[j] : T(0);
          for (int64_t k = 0; k < K; ++k) acc += a[k * a_cs] * B[k * b_rs + j];
          c[j] = acc;
        }
      } else {
        int64_t j = 0;
        if (a_cs == 1 && K >= W) {
          // Four dot products at once: four independent FMA chains hide the FMA latency, and a shuffle-tree
          // horizontal add replaces summing the lanes one by one.
          for (; j + 4 <= N; j += 4) {
            const T* c0 = B + j * b_cs;
            const T* c1 = c0 + b_cs;
            const T* c2 = c1 + b_cs;
            const T* c3 = c2 + b_cs;
            Vec<T> v0(T(0)), v1(T(0)), v2(T(0)), v3(T(0));
            int64_t k = 0;
            for (; k + W <= K; k += W) {
              const Vec<T> x = Vec<T>::load_unaligned(a + k);
              v0 = xsimd::fma(x, Vec<T>::load_unaligned(c0 + k), v0);
              v1 = xsimd::fma(x, Vec<T>::load_unaligned(c1 + k), v1);
              v2 = xsimd::fma(x, Vec<T>::load_unaligned(c2 + k), v2);
              v3 = xsimd::fma(x, Vec<T>::load_unaligned(c3 + k), v3);
            }
            T s0 = xsimd::hadd(v0), s1 = xsimd::hadd(v1), s2 = xsimd::hadd(v2), s3 = xsimd::hadd(v3);
            for (; k < K; ++k) {
              s0 += a[k] * c0[k];
              s1 += a[k] * c1[k];
              s2 += a[k] * c2[k];
              s3 += a[k] * c3[k];
            }
            c[j] = (accumulate ? c[j] : T(0)) + s0;
            c[j + 1] = (accumulate ? c[j + 1] : T(0)) + s1;
            c[j + 2] = (accumulate ? c[j + 2] : T(0)) + s2;
            c[j + 3] = (accumulate ? c[j + 3] : T(0)) + s3;
          }
        }
        for (; j < N; ++j) {
          const T* col = B + j * b_cs;  // contiguous over k
          T acc = accumulate ? c[j] : T(0);
          int64_t k = 0;
          if (a_cs == 1 && K >= W) {
            Vec<T> v(T(0));
            for (; k + W <= K; k += W) v = xsimd::fma(Vec<T>::load_unaligned(a + k), Vec<T>::load_unaligned(col + k), v);
            alignas(64) T lanes[W];
            v.store_aligned(lanes);
            for (int64_t l = 0; l < W; ++l) acc += lanes[l];
          }
          for (; k < K; ++k) acc += a[k * a_cs] * col[k];
          c[j] = acc;
        }
      }
    }
    return true;
  }

  static void run(int64_t M, int64_t N, int64_t K, const void* vA, int64_t a_rs, int64_t a_cs, const void* vB,
                  int64_t b_rs, int64_t b_cs, void* vC, int64_t c_rs, bool accumulate) {
    const T* A = static_cast<const T*>(vA);
    const T* B = static_cast<const T*>(vB);
    T* C = static_cast<T*>(vC);
    if (small_m(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate)) return;
    if (K == 0) {
      if (!accumulate)
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j) C[i * c_rs + j] = T(0);
      return;
    }
    thread_local Scratch<T> b_scratch;
    T* const packed_b = b_scratch.get(size_t(KC * (NC + NR)));
    for (int64_t jc = 0; jc < N; jc += NC) {
      const int64_t nc = imin(NC, N - jc);
      for (int64_t pc = 0; pc < K; pc += KC) {
        const int64_t kc = imin(KC, K - pc);
        const bool acc = accumulate || pc > 0;
        // pack B[pc:pc+kc, jc:jc+nc] as panels of NR columns, zero-padded
        for (int64_t jr = 0; jr < nc; jr += NR) {
          T* dst = packed_b + jr * kc;
          const int64_t nr = imin(NR, nc - jr);
          for (int64_t k = 0; k < kc; ++k) {
            const T* src = B + (pc + k) * b_rs + (jc + jr) * b_cs;
            int64_t j = 0;
            for (; j < nr; ++j) dst[k * NR + j] = src[j * b_cs];
            for (; j < NR; ++j) dst[k * NR + j] = T(0);
          }
        }
        const T* pb_all = packed_b;
        const int64_t m_blocks = (M + MC - 1) / MC;
        // Threads split rows of C; each packs its own A block.
        const int64_t grain = imax(1, 32768 / imax(1, kc * nc / MC));
        parallel_for(0, m_blocks, grain, [&](int64_t b0, int64_t b1) {
          thread_local Scratch<T> a_scratch;
          T* const packed_a = a_scratch.get(size_t(MC * KC + MR * KC));
          for (int64_t blk = b0; blk < b1; ++blk) {
            const int64_t ic = blk * MC, mc = imin(MC, M - ic);
            for (int64_t ir = 0; ir < mc; ir += MR) {
              T* dst = packed_a + ir * kc;
              const int64_t mr = imin(MR, mc - ir);
              for (int64_t k = 0; k < kc; ++k) {
                const T* src = A + (ic + ir) * a_rs + (pc + k) * a_cs;
                int64_t r = 0;
                for (; r < mr; ++r) dst[k * MR + r] = src[r * a_rs];
                for (; r < MR; ++r) dst[k * MR + r] = T(0);
              }
            }
            for (int64_t jr = 0; jr < nc; jr += NR) {
              for (int64_t ir = 0; ir < mc; ir += MR) {
                micro(kc, packed_a + ir * kc, pb_all + jr * kc, C + (ic + ir) * c_rs + jc + jr, c_rs,
                      imin(MR, mc - ir), imin(NR, nc - jr), acc);
              }
            }
          }
        });
      }
    }
  }
};

template <class T>
void gemm_entry(int64_t M, int64_t N, int64_t K, const void* A, int64_t a_rs, int64_t a_cs, const void* B,
                int64_t b_rs, int64_t b_cs, void* C, int64_t c_rs, bool accumulate) {
  GemmKernel<T>::run(M, N, K, A, a_rs, a_cs, B, b_rs, b_cs, C, c_rs, accumulate);
}

// ---- the table --------------------------------------------------------------------------------------
template <int... Is>
constexpr void fill_unary(SimdTable& t, std::integer_sequence<int, Is...>) {
  ((t.unary[Is][0] = &unary_loop<UnaryOp(Is), float>, t.unary[Is][1] = &unary_loop<UnaryOp(Is), double>), ...);
}

SimdTable make_table(const char* name) {
  SimdTable t{};
  t.name = name;
#define WICK_BIN(OP, F) \
  t.binary[int(BinaryOp::OP)][0] = &binary_loop<F, float>; \
  t.binary[int(BinaryOp::OP)][1] = &binary_loop<F, double>;
  WICK_BIN(Add, Add) WICK_BIN(Sub, Sub) WICK_BIN(Mul, Mul) WICK_BIN(Div, Div) WICK_BIN(Remainder, Remainder)
  WICK_BIN(Pow, Pow) WICK_BIN(Maximum, Maximum) WICK_BIN(Minimum, Minimum) WICK_BIN(Atan2, Atan2)
#undef WICK_BIN
  t.where[0] = &where_loop<float>;
  t.where[1] = &where_loop<double>;
  fill_unary(t, std::make_integer_sequence<int, int(UnaryOp::LogicalNot)>{});
#define WICK_RED(OP) \
  t.reduce[int(ReduceOp::OP)][0] = &reduce_loop<ReduceOp::OP, float>; \
  t.reduce[int(ReduceOp::OP)][1] = &reduce_loop<ReduceOp::OP, double>; \
  t.reduce_rows[int(ReduceOp::OP)][0] = &reduce_rows_loop<ReduceOp::OP, float>; \
  t.reduce_rows[int(ReduceOp::OP)][1] = &reduce_rows_loop<ReduceOp::OP, double>;
  WICK_RED(Sum) WICK_RED(Prod) WICK_RED(Max) WICK_RED(Min)
#undef WICK_RED
  t.gemm[0] = &gemm_entry<float>;
  t.gemm[1] = &gemm_entry<double>;
  return t;
}

}  // namespace WICK_SIMD_NAMESPACE
}  // namespace wick::cpu
