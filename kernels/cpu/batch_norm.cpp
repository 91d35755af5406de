// Batch normalisation, forward and backward, float32 and float64, in every build. [N, C, S] is N samples, each a
// row of C * S values; a pass runs one of the kernel set's vector loops (simd_table) along a row, against rows that
// hold each channel's value (mean, scale...) at its S positions, and per-channel sums accumulate row by row. Threads
// split channels, each taking its slice of every row. Long rows make few calls whatever S is: one kernel call per
// channel's run of S values instead made BatchNorm1d's [N, C] (S = 1) 100x slower than composing it, and was 1.6x
// slower on a LeNet-sized map. oneDNN 2.6's primitive for this plain layout is a C++ loop, not JIT code (twice
// these passes' time there).
//
// Per-position sums accumulate across samples in T, then over each channel's S positions in double; the variance is
// the mean squared deviation from the mean (two passes), never E[x^2] - mean^2, which cancels when the mean is large.
#include <algorithm>
#include <cmath>

#include "cpu_backend.h"
#include "dispatch.h"
#include "scratch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

// input [N, C, S...]: N rows of R = C * S values.
struct Layout {
  int64_t N, C, S;
  int64_t R() const { return C * S; }
  int64_t M() const { return N * S; }  // values per channel
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

// The vector loops for T, on n contiguous values (out may be an input).
template <class T>
struct Loops {
  static constexpr int d = sizeof(T) == sizeof(float) ? 0 : 1;
  SimdTable::Binary sub_fn = simd_table().binary[int(BinaryOp::Sub)][d];
  SimdTable::Binary mul_fn = simd_table().binary[int(BinaryOp::Mul)][d];
  SimdTable::Binary add_fn = simd_table().binary[int(BinaryOp::Add)][d];
  SimdTable::ReduceRows add_rows_fn = simd_table().reduce_rows[int(ReduceOp::Sum)][d];

  void sub(const T* a, const T* b, T* out, int64_t n) const { sub_fn(a, 1, b, 1, out, n); }
  void mul(const T* a, const T* b, T* out, int64_t n) const { mul_fn(a, 1, b, 1, out, n); }
  void add(const T* a, const T* b, T* out, int64_t n) const { add_fn(a, 1, b, 1, out, n); }
  void accumulate(const T* row, T* acc, int64_t n) const { add_rows_fn(row, acc, n); }
};

// One thread's share: channels [c0, c1), the columns [c0 * S, c1 * S) of every row.
struct Slice {
  int64_t c0, c1, S;
  int64_t offset() const { return c0 * S; }
  int64_t width() const { return (c1 - c0) * S; }
};

// sums[c] for the slice's channels: the accumulated row `acc` (per position) summed over each channel's S positions.
template <class T>
void channel_sums(const Slice& s, const T* acc, double* sums) {
  for (int64_t c = s.c0; c < s.c1; ++c) {
    double total = 0;
    for (int64_t i = 0; i < s.S; ++i) total += double(acc[(c - s.c0) * s.S + i]);
    sums[c - s.c0] = total;
  }
}

// A row over the slice holding value(c) at each of channel c's S positions.
template <class T, class F>
void spread(const Slice& s, T* row, F&& value) {
  for (int64_t c = s.c0; c < s.c1; ++c) std::fill_n(row + (c - s.c0) * s.S, s.S, T(value(c)));
}

// The slice's rows and per-channel sums: two thread scratch buffers.
struct Rows;
struct ChannelSums;

// Channels split across the pool, each share at least ~16K values of work.
template <class F>
void for_each_slice(const Layout& l, F&& slice) {
  const int64_t per_channel = std::max<int64_t>(1, l.M());
  parallel_for(0, l.C, std::max<int64_t>(1, 16384 / per_channel), [&](int64_t c0, int64_t c1) {
    slice(Slice{c0, c1, l.S});
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
    for_each_slice(l, [&](const Slice& s) {
      const int64_t w = s.width(), R = l.R();
      const T* xs = x + s.offset();
      T* ys = y + s.offset();
      T* rows = thread_scratch<T, Rows>(size_t(4 * w));
      T *acc = rows, *m_row = rows + w, *a_row = rows + 2 * w, *b_row = rows + 3 * w;
      if (training) {
        double* sums = thread_scratch<double, ChannelSums>(size_t(s.c1 - s.c0));
        const double M = double(l.M());
        std::fill_n(acc, w, T(0));
        for (int64_t n = 0; n < l.N; ++n) loops.accumulate(xs + n * R, acc, w);
        channel_sums(s, acc, sums);
        for (int64_t c = s.c0; c < s.c1; ++c) mu[c] = T(sums[c - s.c0] / M);
        spread(s, m_row, [&](int64_t c) { return mu[c]; });
        // The squared deviations pass through out's rows, which the last pass overwrites.
        std::fill_n(acc, w, T(0));
        for (int64_t n = 0; n < l.N; ++n) {
          T* r = ys + n * R;
          loops.sub(xs + n * R, m_row, r, w);
          loops.mul(r, r, r, w);
          loops.accumulate(r, acc, w);
        }
        channel_sums(s, acc, sums);
        for (int64_t c = s.c0; c < s.c1; ++c) sigma2[c] = T(sums[c - s.c0] / M);
      } else {
        spread(s, m_row, [&](int64_t c) { return mu[c]; });
      }
      spread(s, a_row, [&](int64_t c) {
        const T invstd = T(1) / std::sqrt(sigma2[c] + T(eps));
        return gamma ? gamma[c] * invstd : invstd;
      });
      if (beta) spread(s, b_row, [&](int64_t c) { return beta[c]; });
      for (int64_t n = 0; n < l.N; ++n) {  // (x - mean) a + shift
        T* r = ys + n * R;
        loops.sub(xs + n * R, m_row, r, w);
        loops.mul(r, a_row, r, w);
        if (beta) loops.add(r, b_row, r, w);
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
    for_each_slice(l, [&](const Slice& s) {
      const int64_t w = s.width(), R = l.R();
      const T* xs = x + s.offset();
      const T* gs = g + s.offset();
      T* gis = gi + s.offset();
      T* rows = thread_scratch<T, Rows>(size_t(6 * w));
      T *acc_g = rows, *acc_gc = rows + w, *m_row = rows + 2 * w, *k_row = rows + 3 * w, *mean_g_row = rows + 4 * w,
        *cc_row = rows + 5 * w;
      double* sum_g = thread_scratch<double, ChannelSums>(size_t(2 * (s.c1 - s.c0)));
      double* sum_gc = sum_g + (s.c1 - s.c0);
      // sum(g) and sum(g (x - mean)) per channel; grad_input's rows hold (x - mean) g on the way.
      spread(s, m_row, [&](int64_t c) { return mu[c]; });
      std::fill_n(acc_g, 2 * w, T(0));
      for (int64_t n = 0; n < l.N; ++n) {
        T* r = gis + n * R;
        loops.accumulate(gs + n * R, acc_g, w);
        loops.sub(xs + n * R, m_row, r, w);
        loops.mul(r, gs + n * R, r, w);
        loops.accumulate(r, acc_gc, w);
      }
      channel_sums(s, acc_g, sum_g);
      channel_sums(s, acc_gc, sum_gc);
      for (int64_t c = s.c0; c < s.c1; ++c) {
        if (d_beta) d_beta[c] = T(sum_g[c - s.c0]);
        if (d_gamma) d_gamma[c] = T(sum_gc[c - s.c0] * double(invstd_of(c)));
      }
      spread(s, k_row, [&](int64_t c) { return gamma ? gamma[c] * invstd_of(c) : invstd_of(c); });
      if (!training) {
        for (int64_t n = 0; n < l.N; ++n) loops.mul(gs + n * R, k_row, gis + n * R, w);
        return;
      }
      const double M = double(l.M());
      spread(s, mean_g_row, [&](int64_t c) { return sum_g[c - s.c0] / M; });
      spread(s, cc_row, [&](int64_t c) {
        const double invstd = double(invstd_of(c));
        return sum_gc[c - s.c0] / M * invstd * invstd;
      });
      for (int64_t n = 0; n < l.N; ++n) {  // k (g - mean_g - (x - mean) centered_coefficient)
        T* r = gis + n * R;
        loops.sub(xs + n * R, m_row, r, w);
        loops.mul(r, cc_row, r, w);
        loops.sub(gs + n * R, r, r, w);
        loops.sub(r, mean_g_row, r, w);
        loops.mul(r, k_row, r, w);
      }
    });
  });
}

}  // namespace wick::cpu
