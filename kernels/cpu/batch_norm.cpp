// Batch normalisation, forward and backward, float32 and float64, in every build, each pass one of the kernel set's
// vector loops (simd_table). Two ways through [N, C, S], by the length of a channel's runs:
//   - S >= kChannelRuns (feature maps): per channel, a few passes over its N runs of S values (reductions, and
//     arithmetic with a per-channel scalar); threads split channels;
//   - shorter runs (BatchNorm1d's [N, C], or [N, C, L] with a short L): per sample, passes over its row of C * S
//     values against rows of per-channel values spread over S (reductions across rows, arithmetic row by row).
// oneDNN 2.6's primitive for this plain layout is a C++ loop, not JIT code, and took 1.2x these passes' time on a
// LeNet-sized map.
//
// Row sums are the vector loops' (float32 for float32), added across rows in double, so a channel's mean and
// variance keep their digits over large batches; the variance is the mean squared deviation from the mean (two
// passes), never E[x^2] - mean^2, which cancels when the mean is large.
#include <algorithm>
#include <cmath>
#include <vector>

#include "cpu_backend.h"
#include "dispatch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

// input [N, C, S...] seen as N rows of S values per channel.
struct Layout {
  int64_t N, C, S;
  int64_t M() const { return N * S; }  // values per channel
  int64_t row(int64_t n, int64_t c) const { return (n * C + c) * S; }
};

Layout layout_of(const View& input) {
  int64_t S = 1;
  for (int d = 2; d < input.ndim; ++d) S *= input.sizes[d];
  return {input.sizes[0], input.ndim > 1 ? input.sizes[1] : 1, S};
}

template <class T>
const T* cptr(const View* v) {
  return v ? static_cast<const T*>(v->data) : nullptr;
}
template <class T>
T* ptr(const View* v) {
  return v ? static_cast<T*>(v->data) : nullptr;
}

// The vector loops for T.
template <class T>
struct Loops {
  static constexpr int d = sizeof(T) == sizeof(float) ? 0 : 1;
  SimdTable::Reduce sum = simd_table().reduce[int(ReduceOp::Sum)][d];
  SimdTable::Binary sub = simd_table().binary[int(BinaryOp::Sub)][d];
  SimdTable::Binary mul = simd_table().binary[int(BinaryOp::Mul)][d];
  SimdTable::Binary add = simd_table().binary[int(BinaryOp::Add)][d];
  SimdTable::ReduceRows add_rows = simd_table().reduce_rows[int(ReduceOp::Sum)][d];

  T row_sum(const T* x, int64_t n) const {
    T s = 0;
    sum(x, n, &s);
    return s;
  }
  // out = x - k, out = x * k, out = x + k (k a scalar); out may be x.
  void minus(const T* x, T k, T* out, int64_t n) const { sub(x, 1, &k, 0, out, n); }
  void times(const T* x, T k, T* out, int64_t n) const { mul(x, 1, &k, 0, out, n); }
  void plus(const T* x, T k, T* out, int64_t n) const { add(x, 1, &k, 0, out, n); }
};

// Runs shorter than this go row by row: a call per run would cost more than its arithmetic.
constexpr int64_t kChannelRuns = 32;

// A thread's scratch (kUse tells apart two buffers of one type), reused across calls: no allocation per step.
template <class T, int kUse = 0>
T* scratch(size_t n) {
  thread_local std::vector<T> buffer;
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

// The rows path's per-channel sums: sum over samples into `rows` (R = C * S values), then over each channel's S.
template <class T>
void channel_sums(const Layout& l, const T* rows, double* sums) {
  for (int64_t c = 0; c < l.C; ++c) {
    double s = 0;
    for (int64_t i = 0; i < l.S; ++i) s += double(rows[c * l.S + i]);
    sums[c] = s;
  }
}

// A row of R = C * S values holding value(c) at each of channel c's S positions.
template <class T, class F>
void spread(const Layout& l, T* row, F&& value) {
  for (int64_t c = 0; c < l.C; ++c) {
    const T v = value(c);
    for (int64_t i = 0; i < l.S; ++i) row[c * l.S + i] = v;
  }
}

// Channels split across the pool, a channel at least a few thousand values of work.
template <class F>
void for_each_channel(const Layout& l, F&& channel) {
  const int64_t grain = l.M() >= 4096 ? 1 : 4096 / (l.M() > 0 ? l.M() : 1);
  parallel_for(0, l.C, grain, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) channel(c);
  });
}

}  // namespace

void CpuBackend::batch_norm(const View& out, const View& input, const View& mean, const View& var, const View* scale,
                            const View* shift, double eps, bool training) {
  const Layout l = layout_of(input);
  dispatch_floating(input.dtype, "batch_norm", [&]<class T>() {
    const Loops<T> loops;
    const T* x = cptr<T>(&input);
    T* y = ptr<T>(&out);
    T* mu = ptr<T>(&mean);
    T* sigma2 = ptr<T>(&var);
    const T* gamma = cptr<T>(scale);
    const T* beta = cptr<T>(shift);
    if (l.S < kChannelRuns) {
      const int64_t R = l.C * l.S;
      T* acc = scratch<T>(size_t(5 * R));
      T *m_row = acc + R, *a_row = acc + 2 * R, *b_row = acc + 3 * R, *tmp = acc + 4 * R;
      double* sums = scratch<double, 1>(size_t(l.C));
      if (training) {
        std::fill(acc, acc + R, T(0));
        for (int64_t n = 0; n < l.N; ++n) loops.add_rows(x + n * R, acc, R);
        channel_sums(l, acc, sums);
        for (int64_t c = 0; c < l.C; ++c) mu[c] = T(sums[c] / double(l.M()));
        spread(l, m_row, [&](int64_t c) { return mu[c]; });
        std::fill(acc, acc + R, T(0));
        for (int64_t n = 0; n < l.N; ++n) {
          loops.sub(x + n * R, 1, m_row, 1, tmp, R);
          loops.mul(tmp, 1, tmp, 1, tmp, R);
          loops.add_rows(tmp, acc, R);
        }
        channel_sums(l, acc, sums);
        for (int64_t c = 0; c < l.C; ++c) sigma2[c] = T(sums[c] / double(l.M()));
      } else {
        spread(l, m_row, [&](int64_t c) { return mu[c]; });
      }
      spread(l, a_row, [&](int64_t c) {
        const T invstd = T(1) / std::sqrt(sigma2[c] + T(eps));
        return gamma ? gamma[c] * invstd : invstd;
      });
      spread(l, b_row, [&](int64_t c) { return beta ? beta[c] : T(0); });
      for (int64_t n = 0; n < l.N; ++n) {  // (x - mean) a + shift
        T* r = y + n * R;
        loops.sub(x + n * R, 1, m_row, 1, r, R);
        loops.mul(r, 1, a_row, 1, r, R);
        if (beta) loops.add(r, 1, b_row, 1, r, R);
      }
      return;
    }
    for_each_channel(l, [&](int64_t c) {
      if (training) {
        double total = 0;
        for (int64_t n = 0; n < l.N; ++n) total += loops.row_sum(x + l.row(n, c), l.S);
        const T m = T(total / double(l.M()));
        // The squared deviations go through out's rows, which the last pass overwrites.
        double squares = 0;
        for (int64_t n = 0; n < l.N; ++n) {
          T* r = y + l.row(n, c);
          loops.minus(x + l.row(n, c), m, r, l.S);
          loops.mul(r, 1, r, 1, r, l.S);
          squares += loops.row_sum(r, l.S);
        }
        mu[c] = m;
        sigma2[c] = T(squares / double(l.M()));
      }
      const T invstd = T(1) / std::sqrt(sigma2[c] + T(eps));
      const T a = gamma ? gamma[c] * invstd : invstd, b = beta ? beta[c] : T(0);
      for (int64_t n = 0; n < l.N; ++n) {  // (x - mean) a + shift
        T* r = y + l.row(n, c);
        loops.minus(x + l.row(n, c), mu[c], r, l.S);
        loops.times(r, a, r, l.S);
        if (beta) loops.plus(r, b, r, l.S);
      }
    });
  });
}

// With xhat = (x - mean) invstd: grad_shift = sum(g), grad_scale = sum(g xhat) and, in training (mean and var
// depend on x), grad_input = scale invstd (g - sum(g) / M - xhat sum(g xhat) / M); with running statistics,
// grad_input = scale invstd g.
void CpuBackend::batch_norm_backward(const View& grad_input, const View* grad_scale, const View* grad_shift,
                                     const View& grad_out, const View& input, const View& mean, const View& var,
                                     const View* scale, double eps, bool training) {
  const Layout l = layout_of(input);
  dispatch_floating(input.dtype, "batch_norm_backward", [&]<class T>() {
    const Loops<T> loops;
    const T* x = cptr<T>(&input);
    const T* g = cptr<T>(&grad_out);
    T* gi = ptr<T>(&grad_input);
    const T* mu = cptr<T>(&mean);
    const T* sigma2 = cptr<T>(&var);
    const T* gamma = cptr<T>(scale);
    T* d_gamma = ptr<T>(grad_scale);
    T* d_beta = ptr<T>(grad_shift);
    auto invstd_of = [&](int64_t c) { return T(1) / std::sqrt(sigma2[c] + T(eps)); };
    if (l.S < kChannelRuns) {
      const int64_t R = l.C * l.S;
      T* rows = scratch<T>(size_t(7 * R));
      T *acc_g = rows, *acc_gc = rows + R, *m_row = rows + 2 * R, *k_row = rows + 3 * R, *mean_g_row = rows + 4 * R,
        *cc_row = rows + 5 * R, *tmp = rows + 6 * R;
      double* sum_g = scratch<double, 1>(size_t(2 * l.C));
      double* sum_gc = sum_g + l.C;
      spread(l, m_row, [&](int64_t c) { return mu[c]; });
      std::fill(acc_g, acc_g + 2 * R, T(0));
      for (int64_t n = 0; n < l.N; ++n) {
        loops.add_rows(g + n * R, acc_g, R);
        loops.sub(x + n * R, 1, m_row, 1, tmp, R);
        loops.mul(tmp, 1, g + n * R, 1, tmp, R);
        loops.add_rows(tmp, acc_gc, R);
      }
      channel_sums(l, acc_g, sum_g);
      channel_sums(l, acc_gc, sum_gc);
      for (int64_t c = 0; c < l.C; ++c) {
        if (d_beta) d_beta[c] = T(sum_g[c]);
        if (d_gamma) d_gamma[c] = T(sum_gc[c] * double(invstd_of(c)));
      }
      spread(l, k_row, [&](int64_t c) { return gamma ? gamma[c] * invstd_of(c) : invstd_of(c); });
      if (!training) {
        for (int64_t n = 0; n < l.N; ++n) loops.mul(g + n * R, 1, k_row, 1, gi + n * R, R);
        return;
      }
      const double M = double(l.M());
      spread(l, mean_g_row, [&](int64_t c) { return T(sum_g[c] / M); });
      spread(l, cc_row, [&](int64_t c) {
        const double invstd = double(invstd_of(c));
        return T(sum_gc[c] / M * invstd * invstd);
      });
      for (int64_t n = 0; n < l.N; ++n) {  // k (g - mean_g - (x - mean) centered_coefficient)
        T* r = gi + n * R;
        loops.sub(x + n * R, 1, m_row, 1, r, R);
        loops.mul(r, 1, cc_row, 1, r, R);
        loops.sub(g + n * R, 1, r, 1, r, R);
        loops.sub(r, 1, mean_g_row, 1, r, R);
        loops.mul(r, 1, k_row, 1, r, R);
      }
      return;
    }
    for_each_channel(l, [&](int64_t c) {
      const T m = mu[c], invstd = invstd_of(c);
      // grad_input's rows hold x - mean, then (x - mean) g for the sum, then x - mean again below.
      double sum_g = 0, sum_g_centered = 0;
      for (int64_t n = 0; n < l.N; ++n) {
        const T* gr = g + l.row(n, c);
        T* r = gi + l.row(n, c);
        sum_g += loops.row_sum(gr, l.S);
        loops.minus(x + l.row(n, c), m, r, l.S);
        loops.mul(r, 1, gr, 1, r, l.S);
        sum_g_centered += loops.row_sum(r, l.S);
      }
      if (d_beta) d_beta[c] = T(sum_g);
      if (d_gamma) d_gamma[c] = T(sum_g_centered * double(invstd));
      const T k = gamma ? gamma[c] * invstd : invstd;
      if (!training) {
        for (int64_t n = 0; n < l.N; ++n) loops.times(g + l.row(n, c), k, gi + l.row(n, c), l.S);
        return;
      }
      const double M = double(l.M());
      const T mean_g = T(sum_g / M);
      const T centered_coefficient = T(sum_g_centered / M * double(invstd) * double(invstd));
      for (int64_t n = 0; n < l.N; ++n) {  // k (g - mean_g - (x - mean) centered_coefficient)
        const T* gr = g + l.row(n, c);
        T* r = gi + l.row(n, c);
        loops.minus(x + l.row(n, c), m, r, l.S);
        loops.times(r, centered_coefficient, r, l.S);
        loops.sub(gr, 1, r, 1, r, l.S);
        loops.minus(r, mean_g, r, l.S);
        loops.times(r, k, r, l.S);
      }
    });
  });
}

}  // namespace wick::cpu
