// 2-D convolution and its two backward passes on the CPU. float32 runs on oneDNN primitives when it is
// built in and suits the geometry (conv_onednn.cpp); float64, every dtype in builds without oneDNN, and the
// rest take the portable path here: im2col + the packed xsimd GEMM.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "conv_geometry.h"
#include "conv_onednn.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "scratch.h"
#include "simd/simd_table.h"
#include "thread_pool.h"
#include "widened.h"

namespace wick::cpu {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// Output columns [lo, hi) whose input column ow * stride + offset lies inside [0, W).
void valid_range(int64_t offset, int64_t stride, int64_t W, int64_t OW, int64_t& lo, int64_t& hi) {
  lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, OW);
  hi = std::clamp<int64_t>(ceil_div(W - offset, stride), lo, OW);
}

// dst[0, n) = src[0, n), in 32-byte copies the compiler inlines: a row of im2col is a few dozen bytes (a LeNet
// layer's 8 to 24 floats), and a call to memcpy for each cost as much as the copying.
template <class T>
void copy_row(T* dst, const T* src, int64_t n) {
  constexpr int64_t kChunk = int64_t(32 / sizeof(T));
  if (n < kChunk) {
    for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    return;
  }
  int64_t i = 0;
  for (; i + kChunk <= n; i += kChunk) std::memcpy(dst + i, src + i, 32);
  if (i < n) std::memcpy(dst + n - kChunk, src + n - kChunk, 32);  // the tail, overlapping the last chunk
}

// col[(c, kh, kw), (oh, ow)] = x[c, oh*s0 - p0 + kh*d0, ow*s1 - p1 + kw*d1], zero outside the input.
// With accumulate = true it runs backwards: x[...] += col[...] (col2im). The geometry is copied into locals: the
// copies' stores may alias it, and reloading it for each row cost more than the row's copy.
template <class T, bool kCol2Im>
void im2col(const Geometry& g, std::conditional_t<kCol2Im, T*, const T*> x,
            std::conditional_t<kCol2Im, const T*, T*> col) {
  const int64_t C = g.Cg(), KH = g.KH, KW = g.KW, H = g.H, W = g.W, OH = g.OH, OW = g.OW, OHW = g.OHW();
  const int64_t s0 = g.s0, s1 = g.s1, p0 = g.p0, p1 = g.p1, d0 = g.d0, d1 = g.d1;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw) {
        auto* row = col + ((c * KH + kh) * KW + kw) * OHW;
        const int64_t woff = kw * d1 - p1;
        int64_t lo, hi;
        valid_range(woff, s1, W, OW, lo, hi);
        for (int64_t oh = 0; oh < OH; ++oh) {
          auto* r = row + oh * OW;
          const int64_t ih = oh * s0 - p0 + kh * d0;
          const bool inside = ih >= 0 && ih < H;
          if constexpr (kCol2Im) {
            if (!inside) continue;
            T* xr = x + (c * H + ih) * W;
            for (int64_t ow = lo; ow < hi; ++ow) xr[ow * s1 + woff] += r[ow];
          } else {
            if (!inside) {
              std::fill(r, r + OW, T(0));
              continue;
            }
            const T* xr = x + (c * H + ih) * W;
            std::fill(r, r + lo, T(0));
            if (s1 == 1)
              copy_row(r + lo, xr + lo + woff, hi - lo);
            else
              for (int64_t ow = lo; ow < hi; ++ow) r[ow] = xr[ow * s1 + woff];
            std::fill(r + hi, r + OW, T(0));
          }
        }
      }
}

// Unit strides and dilations, no padding, and rows wide enough: the forward computes each output row W wide instead
// of OW (the last KW - 1 columns of each are discarded), so that the column matrix's row (c, kh, kw) is one
// contiguous run of input channel c, from kh * W + kw on: one copy per row instead of one per output row (for a
// small image, most of im2col's time). Each kept output is the same sum in the same order; at most half as many
// columns again are computed and thrown away.
bool wide_rows(const Geometry& g) {
  return g.s0 == 1 && g.s1 == 1 && g.d0 == 1 && g.d1 == 1 && g.p0 == 0 && g.p1 == 0 && !g.pointwise() &&
         2 * (g.KW - 1) <= g.OW;
}

// The column matrix [(c, kh, kw), OH * W] for wide_rows(); a run that would pass its channel's end (the last rows'
// discarded columns) ends in zeros.
template <class T>
void im2col_wide(const Geometry& g, const T* x, T* col) {
  const int64_t n = g.OH * g.W, HW = g.HW(), KH = g.KH, KW = g.KW, W = g.W;
  for (int64_t c = 0; c < g.Cg(); ++c)
    for (int64_t kh = 0; kh < KH; ++kh)
      for (int64_t kw = 0; kw < KW; ++kw) {
        T* row = col + ((c * KH + kh) * KW + kw) * n;
        const int64_t start = kh * W + kw, copied = std::min(n, HW - start);
        std::memcpy(row, x + c * HW + start, size_t(copied) * sizeof(T));
        std::fill(row + copied, row + n, T(0));
      }
}

// The column matrix (and, for wide rows, the wide output after it): a thread scratch buffer (scratch.h).
struct ColumnMatrix;

template <class T>
constexpr int gemm_index() {
  return sizeof(T) == 4 ? 0 : 1;
}

// ---- portable path ------------------------------------------------------------------------------------
template <class T>
void forward_portable(const Geometry& g, const T* x, const T* w, const T* bias, T* y) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  const bool wide = wide_rows(g);
  parallel_for(0, g.N * g.G, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / g.G, grp = i % g.G;
      const T* xg = x + (n * g.C + grp * g.Cg()) * g.HW();
      T* yg = y + (n * g.OC + grp * g.OCg()) * g.OHW();
      if (wide) {
        const int64_t cols_n = g.OH * g.W;
        T* cols = thread_scratch<T, ColumnMatrix>(size_t((g.K() + g.OCg()) * cols_n));
        T* out = cols + g.K() * cols_n;  // [OCg, OH, W]
        im2col_wide<T>(g, xg, cols);
        gemm(g.OCg(), cols_n, g.K(), w + grp * g.OCg() * g.K(), g.K(), 1, cols, cols_n, 1, out, cols_n, false);
        for (int64_t oc = 0; oc < g.OCg(); ++oc) {
          const T b = bias ? bias[grp * g.OCg() + oc] : T(0);
          for (int64_t oh = 0; oh < g.OH; ++oh) {
            const T* from = out + (oc * g.OH + oh) * g.W;
            T* to = yg + (oc * g.OH + oh) * g.OW;
            if (bias)
              for (int64_t ow = 0; ow < g.OW; ++ow) to[ow] = from[ow] + b;
            else
              std::copy(from, from + g.OW, to);
          }
        }
        continue;
      }
      const T* cols = xg;
      if (!g.pointwise()) {
        T* buf = thread_scratch<T, ColumnMatrix>(size_t(g.K() * g.OHW()));
        im2col<T, false>(g, xg, buf);
        cols = buf;
      }
      gemm(g.OCg(), g.OHW(), g.K(), w + grp * g.OCg() * g.K(), g.K(), 1, cols, g.OHW(), 1, yg, g.OHW(), false);
      if (bias)
        for (int64_t oc = 0; oc < g.OCg(); ++oc) {
          const T b = bias[grp * g.OCg() + oc];
          T* row = yg + oc * g.OHW();
          for (int64_t j = 0; j < g.OHW(); ++j) row[j] += b;
        }
    }
  });
}

template <class T>
void backward_input_portable(const Geometry& g, const T* gy, const T* w, T* gx) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  parallel_for(0, g.N * g.G, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int64_t n = i / g.G, grp = i % g.G;
      T* gxg = gx + (n * g.C + grp * g.Cg()) * g.HW();
      const T* gyg = gy + (n * g.OC + grp * g.OCg()) * g.OHW();
      const T* wg = w + grp * g.OCg() * g.K();
      // cols = W_g^T @ gy_g, then scattered back onto the input positions they came from
      if (g.pointwise()) {
        gemm(g.K(), g.OHW(), g.OCg(), wg, 1, g.K(), gyg, g.OHW(), 1, gxg, g.HW(), false);
        continue;
      }
      T* cols = thread_scratch<T, ColumnMatrix>(size_t(g.K() * g.OHW()));
      gemm(g.K(), g.OHW(), g.OCg(), wg, 1, g.K(), gyg, g.OHW(), 1, cols, g.OHW(), false);
      std::fill(gxg, gxg + g.Cg() * g.HW(), T(0));
      im2col<T, true>(g, gxg, cols);
    }
  });
}

template <class T>
void backward_weight_portable(const Geometry& g, const T* gy, const T* x, T* gw, T* gb) {
  const auto gemm = simd_table().gemm[gemm_index<T>()];
  const int64_t wnumel = g.OC * g.K();
  std::fill(gw, gw + wnumel, T(0));
  // One chunk covering the whole batch writes straight into gw; others sum privately, and the partial sums
  // are added in batch order afterwards, so a run's bits do not depend on which thread finished first.
  std::mutex merge;
  std::vector<std::pair<int64_t, std::vector<T>>> partials;  // (first sample of the chunk, its sum)
  parallel_for(0, g.N, 1, [&](int64_t begin, int64_t end) {
    const bool whole = begin == 0 && end == g.N;
    std::vector<T> partial(whole ? 0 : size_t(wnumel), T(0));
    T* acc = whole ? gw : partial.data();
    for (int64_t n = begin; n < end; ++n)
      for (int64_t grp = 0; grp < g.G; ++grp) {
        const T* xg = x + (n * g.C + grp * g.Cg()) * g.HW();
        const T* gyg = gy + (n * g.OC + grp * g.OCg()) * g.OHW();
        const T* cols = xg;
        if (!g.pointwise()) {
          T* buf = thread_scratch<T, ColumnMatrix>(size_t(g.K() * g.OHW()));
          im2col<T, false>(g, xg, buf);
          cols = buf;
        }
        // gW_g += gy_g [OCg, OHW] @ cols^T [OHW, K]
        gemm(g.OCg(), g.K(), g.OHW(), gyg, g.OHW(), 1, cols, 1, g.OHW(), acc + grp * g.OCg() * g.K(), g.K(), true);
      }
    if (!whole) {
      std::lock_guard<std::mutex> lock(merge);
      partials.emplace_back(begin, std::move(partial));
    }
  });
  std::sort(partials.begin(), partials.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [begin, partial] : partials)
    for (int64_t j = 0; j < wnumel; ++j) gw[j] += partial[size_t(j)];
  if (gb) {
    const auto sum_row = simd_table().reduce[int(ReduceOp::Sum)][gemm_index<T>()];
    for (int64_t oc = 0; oc < g.OC; ++oc) {
      T s = 0;
      for (int64_t n = 0; n < g.N; ++n) sum_row(gy + (n * g.OC + oc) * g.OHW(), g.OHW(), &s);
      gb[oc] = s;
    }
  }
}

}  // namespace

void CpuBackend::conv2d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) {
  if (out.numel() == 0 || conv2d_onednn(out, input, weight, bias, p)) return;
  if (input.dtype == kBFloat16) {  // a geometry oneDNN refused: in float32
    const Widened x(*this, input), w(*this, weight), y(*this, out, false);
    std::optional<Widened> b;
    if (bias) b.emplace(*this, *bias);
    conv2d(y.view(), x.view(), w.view(), b ? &b->view() : nullptr, p);
    y.store(*this, out);
    return;
  }
  const Geometry g = geometry(input, weight, out, p);
  dispatch_floating(input.dtype, "conv2d", [&]<class T>() {
    forward_portable<T>(g, static_cast<const T*>(input.data), static_cast<const T*>(weight.data),
                        bias ? static_cast<const T*>(bias->data) : nullptr, static_cast<T*>(out.data));
  });
}

void CpuBackend::conv2d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                       const ConvParams& p) {
  if (grad_input.numel() == 0 || conv2d_backward_input_onednn(grad_input, grad_out, weight, p)) return;
  if (grad_input.dtype == kBFloat16) {
    const Widened gx(*this, grad_input, false), gy(*this, grad_out), w(*this, weight);
    conv2d_backward_input(gx.view(), gy.view(), w.view(), p);
    gx.store(*this, grad_input);
    return;
  }
  const Geometry g = geometry(grad_input, weight, grad_out, p);
  dispatch_floating(grad_input.dtype, "conv2d_backward_input", [&]<class T>() {
    backward_input_portable<T>(g, static_cast<const T*>(grad_out.data), static_cast<const T*>(weight.data),
                               static_cast<T*>(grad_input.data));
  });
}

void CpuBackend::conv2d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                        const View& input, const ConvParams& p) {
  if (conv2d_backward_weight_onednn(grad_weight, grad_bias, grad_out, input, p)) return;
  if (input.dtype == kBFloat16) {
    const Widened gw(*this, grad_weight, false), gy(*this, grad_out), x(*this, input);
    std::optional<Widened> gb;
    if (grad_bias) gb.emplace(*this, *grad_bias, false);
    conv2d_backward_weight(gw.view(), gb ? &gb->view() : nullptr, gy.view(), x.view(), p);
    gw.store(*this, grad_weight);
    if (gb) gb->store(*this, *grad_bias);
    return;
  }
  const Geometry g = geometry(input, grad_weight, grad_out, p);
  dispatch_floating(input.dtype, "conv2d_backward_weight", [&]<class T>() {
    backward_weight_portable<T>(g, static_cast<const T*>(grad_out.data), static_cast<const T*>(input.data),
                                static_cast<T*>(grad_weight.data),
                                grad_bias ? static_cast<T*>(grad_bias->data) : nullptr);
  });
}

// 3-D: oneDNN's primitives or nothing (lib/ composes from the 2-D passes above).
bool CpuBackend::conv3d(const View& out, const View& input, const View& weight, const View* bias, const ConvParams& p) {
  return conv3d_onednn(out, input, weight, bias, p);
}
bool CpuBackend::conv3d_backward_input(const View& grad_input, const View& grad_out, const View& weight,
                                       const ConvParams& p) {
  return conv3d_backward_input_onednn(grad_input, grad_out, weight, p);
}
bool CpuBackend::conv3d_backward_weight(const View& grad_weight, const View* grad_bias, const View& grad_out,
                                        const View& input, const ConvParams& p) {
  return conv3d_backward_weight_onednn(grad_weight, grad_bias, grad_out, input, p);
}

}  // namespace wick::cpu
