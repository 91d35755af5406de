// Fused softmax / log_softmax along one dim, and their backward: per row max, exp(x - max), sum, scale;
// numerically stable at any logit magnitude.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "common/planning.h"
#include "common/reduce_math.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

using Layout = kernels::SoftmaxLayout;
constexpr auto layout_of = kernels::softmax_layout;

// Rows are taken in blocks of up to kBlock elements: exp runs once over the whole block (short rows, as a policy's
// few actions or a short sequence's scores, would otherwise be all vector tail, one call per row) while the other
// passes stay per row. A block's elements take the kernel set's vector exp where a row alone would have been its
// tail loop, so results may move by an ulp against one row at a time; the block (8 KB of float32) stays in L1.
// log_softmax on [64, 10]: 6.7 -> 3.8 us forward, 12.6 -> 7.7 us with its backward (AVX-512, 2026-12-07).
constexpr int64_t kBlock = 2048;

// Calls block(b, e) for consecutive row ranges [b, e) of [begin, end), each at most kBlock elements (or one row).
template <class F>
void for_each_block(int64_t begin, int64_t end, int64_t len, F&& block) {
  const int64_t rows = std::max<int64_t>(1, kBlock / len);
  for (int64_t b = begin; b < end; b += rows) block(b, std::min(end, b + rows));
}

// Rows [begin, end) of contiguous float32 or float64 rows (the dim innermost, as attention's scores): each pass
// is one of the kernel set's vector loops (max, x - max, exp, sum, scale) while the block sits in the L1 cache. The
// sum is in the row's dtype, over the reduction loop's accumulators, where the strided loop below sums in double.
// Nothing is allocated (a compiled step's replay and InferenceMode allocate nothing): log_softmax computes x - max
// a second time rather than keep the exps apart.
template <class T>
void softmax_contiguous_rows(const T* x, T* y, int64_t begin, int64_t end, int64_t len, bool log) {
  const SimdTable& t = simd_table();
  constexpr int d = std::is_same_v<T, float> ? 0 : 1;
  const auto max = t.reduce[int(ReduceOp::Max)][d], sum = t.reduce[int(ReduceOp::Sum)][d];
  const auto sub = t.binary[int(BinaryOp::Sub)][d], mul = t.binary[int(BinaryOp::Mul)][d];
  const auto exp = t.unary[int(UnaryOp::Exp)][d];
  T maxima[kBlock];
  for_each_block(begin, end, len, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      T& m = maxima[r - b];
      m = kernels::reduce_identity<T>(ReduceOp::Max);
      max(x + r * len, len, &m);                     // NaN if the row has one, which then fills the row
      if (std::isinf(m) && m < 0) m = 0;             // a row of -inf: avoid inf - inf
      sub(x + r * len, 1, &m, 0, y + r * len, len);  // x - m
    }
    exp(y + b * len, y + b * len, (e - b) * len, 0, 0);
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * len;
      T* yr = y + r * len;
      T s = 0;
      sum(yr, len, &s);
      if (log) {
        // (x - m) - log(s), not x - (m + log(s)): m + log(s) rounds away digits at large |x|
        const T ls = T(std::log(s));
        sub(xr, 1, &maxima[r - b], 0, yr, len);
        sub(yr, 1, &ls, 0, yr, len);
      } else {
        const T inv = T(1) / s;
        mul(yr, 1, &inv, 0, yr, len);
      }
    }
  });
}

// The backward of softmax_contiguous_rows: grad_in = y * (g - sum(g * y)) for softmax, g - exp(y) * sum(g) for
// log_softmax (y its output), each pass a vector loop, with grad_in as the only scratch; log_softmax's exp runs
// once per block, as the forward's.
template <class T>
void softmax_backward_contiguous_rows(const T* g, const T* y, T* gi, int64_t begin, int64_t end, int64_t len,
                                      bool log) {
  const SimdTable& t = simd_table();
  constexpr int d = std::is_same_v<T, float> ? 0 : 1;
  const auto sum = t.reduce[int(ReduceOp::Sum)][d];
  const auto sub = t.binary[int(BinaryOp::Sub)][d], mul = t.binary[int(BinaryOp::Mul)][d];
  const auto exp = t.unary[int(UnaryOp::Exp)][d];
  if (!log) {
    for (int64_t r = begin; r < end; ++r) {
      const T* gr = g + r * len;
      const T* yr = y + r * len;
      T* out = gi + r * len;
      T s = 0;
      mul(gr, 1, yr, 1, out, len);
      sum(out, len, &s);
      sub(gr, 1, &s, 0, out, len);
      mul(out, 1, yr, 1, out, len);
    }
    return;
  }
  for_each_block(begin, end, len, [&](int64_t b, int64_t e) {
    exp(y + b * len, gi + b * len, (e - b) * len, 0, 0);
    for (int64_t r = b; r < e; ++r) {
      const T* gr = g + r * len;
      T* out = gi + r * len;
      T s = 0;
      sum(gr, len, &s);
      mul(out, 1, &s, 0, out, len);
      sub(gr, 1, out, 1, out, len);
    }
  });
}

}  // namespace

void CpuBackend::softmax(const View& out, const View& in, int dim, bool log) {
  const Layout l = layout_of(in, dim);
  dispatch_floating(in.dtype, "softmax", [&]<class T>() {
    const T* x = static_cast<const T*>(in.data);
    T* y = static_cast<T*>(out.data);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (l.inner == 1 && l.len > 0) {
        parallel_for(0, l.outer, std::max<int64_t>(1, 16384 / l.len),
                     [&](int64_t b, int64_t e) { softmax_contiguous_rows(x, y, b, e, l.len, log); });
        return;
      }
    }
    parallel_for(0, l.outer * l.inner, std::max<int64_t>(1, 16384 / std::max<int64_t>(l.len, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t r = b; r < e; ++r) {
                     const int64_t o = r / l.inner, i = r % l.inner;
                     const T* xr = x + o * l.len * l.inner + i;
                     T* yr = y + o * l.len * l.inner + i;
                     T m = -INFINITY;
                     for (int64_t k = 0; k < l.len; ++k)
                       m = xr[k * l.inner] > m || std::isnan(xr[k * l.inner]) ? xr[k * l.inner] : m;
                     if (std::isinf(m) && m < 0) m = 0;  // a row of -inf: avoid inf - inf
                     double s = 0;
                     for (int64_t k = 0; k < l.len; ++k) {
                       const T ex = std::exp(xr[k * l.inner] - m);
                       s += double(ex);
                       if (!log) yr[k * l.inner] = ex;
                     }
                     if (log) {
                       // (x - m) - log(s), not x - (m + log(s)): m + log(s) rounds away digits at large |x|
                       const T ls = T(std::log(s));
                       for (int64_t k = 0; k < l.len; ++k) yr[k * l.inner] = (xr[k * l.inner] - m) - ls;
                     } else {
                       const T inv = T(1.0 / s);
                       for (int64_t k = 0; k < l.len; ++k) yr[k * l.inner] *= inv;
                     }
                   }
                 });
  });
}

void CpuBackend::softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log) {
  const Layout l = layout_of(out, dim);
  dispatch_floating(out.dtype, "softmax_backward", [&]<class T>() {
    const T* g = static_cast<const T*>(grad_out.data);
    const T* y = static_cast<const T*>(out.data);
    T* gi = static_cast<T*>(grad_in.data);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      if (l.inner == 1 && l.len > 0) {
        parallel_for(0, l.outer, std::max<int64_t>(1, 16384 / l.len),
                     [&](int64_t b, int64_t e) { softmax_backward_contiguous_rows(g, y, gi, b, e, l.len, log); });
        return;
      }
    }
    parallel_for(0, l.outer * l.inner, std::max<int64_t>(1, 16384 / std::max<int64_t>(l.len, 1)),
                 [&](int64_t b, int64_t e) {
                   for (int64_t r = b; r < e; ++r) {
                     const int64_t base = (r / l.inner) * l.len * l.inner + r % l.inner;
                     double s = 0;
                     for (int64_t k = 0; k < l.len; ++k) {
                       const int64_t j = base + k * l.inner;
                       s += log ? double(g[j]) : double(g[j]) * double(y[j]);
                     }
                     for (int64_t k = 0; k < l.len; ++k) {
                       const int64_t j = base + k * l.inner;
                       gi[j] = log ? T(g[j] - std::exp(y[j]) * T(s)) : T(y[j] * (g[j] - T(s)));
                     }
                   }
                 });
  });
}

}  // namespace wick::cpu
