// Max and average pooling over NCHW planes, and their backward passes, as direct loops parallel over
// planes. Float32 average pooling runs on oneDNN where it is built in and its windows are PyTorch's
// (pool_onednn.cpp); these loops take the rest, and all of max pooling, whose flat argmax indices and NaN
// propagation oneDNN's does not give.
// Each output row is built tap by tap across the whole row (no data-dependent branches, long inner loops),
// visiting a window's taps in PyTorch's order so ties and NaNs resolve the same way.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <vector>

#include "common/planning.h"
#include "cpu_backend.h"
#include "dispatch.h"
#include "pool_onednn.h"
#include "scratch.h"
#include "thread_pool.h"

namespace wick::cpu {
namespace {

using Planes = kernels::PoolPlanes;
constexpr auto planes_of = kernels::pool_planes;

// Planes per parallel chunk: about kElementwiseGrain input elements.
int64_t grain(const Planes& q) { return std::max<int64_t>(1, kElementwiseGrain / std::max<int64_t>(1, q.H * q.W)); }

int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Output columns [lo, hi) whose tap at input column ow * stride + offset lies inside [0, W).
void valid_columns(int64_t offset, int64_t stride, int64_t W, int64_t OW, int64_t& lo, int64_t& hi) {
  lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, OW);
  hi = std::clamp<int64_t>(ceil_div(W - offset, stride), lo, OW);
}

using kernels::first_tap;

// Per output column of one row: 1 / divisor of its average window (0 for an empty window).
template <class T>
void avg_scales(const PoolParams& p, const Planes& q, int64_t oh, T* scale) {
  const kernels::PoolSpan hs = kernels::avg_pool_span(oh, p.kernel[0], p.stride[0], p.padding[0], q.H);
  for (int64_t ow = 0; ow < q.OW; ++ow) {
    const kernels::PoolSpan ws = kernels::avg_pool_span(ow, p.kernel[1], p.stride[1], p.padding[1], q.W);
    const int64_t divisor = kernels::avg_pool_divisor(hs, ws, p.count_include_pad);
    scale[ow] = divisor > 0 ? T(1) / T(divisor) : T(0);
  }
}

// c ? a : b through bit masks: compilers turn a plain ?: on floats into a branch, which mispredicts half
// the time on random data.
template <class T>
inline T select(bool c, T a, T b) {
  using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  U ua, ub;
  std::memcpy(&ua, &a, sizeof(T));
  std::memcpy(&ub, &b, sizeof(T));
  const U m = U(0) - U(c);
  const U r = (ua & m) | (ub & ~m);
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

// One kernel tap across a row: best[ow] = max(best[ow], row[ow * stride]) with its flat index, NaN winning
// (as in PyTorch). kStride > 0 fixes the stride at compile time.
template <class T, int64_t kStride>
void max_taps(const T* row, int64_t base, int64_t lo, int64_t hi, int64_t stride, T* best, int64_t* at) {
  const int64_t s = kStride > 0 ? kStride : stride;
  for (int64_t ow = lo; ow < hi; ++ow) {
    const T v = row[ow * s];
    const bool take = (v > best[ow]) | (v != v);
    best[ow] = select(take, v, best[ow]);
    at[ow] = select<int64_t>(take, base + ow * s, at[ow]);
  }
}

// The commonest pooling, 2x2 windows at stride 2 without padding, in one pass over each pair of rows.
template <class T>
void max_pool_2x2(const T* xp, int64_t W, int64_t OH, int64_t OW, T* y, int64_t* idx) {
  for (int64_t oh = 0; oh < OH; ++oh) {
    const T* r0 = xp + 2 * oh * W;
    const T* r1 = r0 + W;
    T* yr = y + oh * OW;
    int64_t* ir = idx + oh * OW;
    for (int64_t ow = 0; ow < OW; ++ow) {
      const int64_t base = 2 * oh * W + 2 * ow;
      T best = r0[2 * ow];
      int64_t at = base;
      const T taps[3] = {r0[2 * ow + 1], r1[2 * ow], r1[2 * ow + 1]};
      const int64_t where[3] = {base + 1, base + W, base + W + 1};
      for (int k = 0; k < 3; ++k) {  // PyTorch's order; NaN wins
        const bool take = (taps[k] > best) | (taps[k] != taps[k]);
        best = select(take, taps[k], best);
        at = select<int64_t>(take, where[k], at);
      }
      yr[ow] = best;
      ir[ow] = at;
    }
  }
}

// A row of per-column factors: a thread scratch buffer (scratch.h).
struct PoolRow;

}  // namespace

void CpuBackend::max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p) {
  const Planes q = planes_of(input, out);
  dispatch_floating(input.dtype, "max_pool2d", [&]<class T>() {
    const T* x = static_cast<const T*>(input.data);
    T* y = static_cast<T*>(out.data);
    int64_t* idx = static_cast<int64_t*>(indices.data);
    // Per kernel column: the output columns whose tap lies inside the input; per output column: its first
    // in-range tap (reported by an all -inf window). Neither depends on the plane or row.
    const int64_t K1 = p.kernel[1], S1 = p.stride[1];
    std::vector<int64_t> cols(size_t(2 * K1)), first(size_t(q.OW));
    for (int64_t kw = 0; kw < K1; ++kw)
      valid_columns(kw * p.dilation[1] - p.padding[1], S1, q.W, q.OW, cols[size_t(2 * kw)], cols[size_t(2 * kw + 1)]);
    for (int64_t ow = 0; ow < q.OW; ++ow) first[size_t(ow)] = first_tap(ow * S1 - p.padding[1], p.dilation[1]);
    const bool two_by_two = p.kernel[0] == 2 && p.kernel[1] == 2 && p.stride[0] == 2 && p.stride[1] == 2 &&
                            p.padding[0] == 0 && p.padding[1] == 0 && p.dilation[0] == 1 && p.dilation[1] == 1 &&
                            2 * q.OH <= q.H && 2 * q.OW <= q.W;
    parallel_for(0, q.planes, grain(q), [&](int64_t begin, int64_t end) {
      for (int64_t pl = begin; pl < end; ++pl) {
        const T* xp = x + pl * q.H * q.W;
        if (two_by_two) {
          max_pool_2x2(xp, q.W, q.OH, q.OW, y + pl * q.OH * q.OW, idx + pl * q.OH * q.OW);
          continue;
        }
        for (int64_t oh = 0; oh < q.OH; ++oh) {
          T* best = y + (pl * q.OH + oh) * q.OW;
          int64_t* at = idx + (pl * q.OH + oh) * q.OW;
          const int64_t hs = oh * p.stride[0] - p.padding[0];
          const int64_t h0 = first_tap(hs, p.dilation[0]);
          for (int64_t ow = 0; ow < q.OW; ++ow) {
            best[ow] = -INFINITY;
            at[ow] = h0 * q.W + first[size_t(ow)];
          }
          for (int64_t kh = 0; kh < p.kernel[0]; ++kh) {
            const int64_t h = hs + kh * p.dilation[0];
            if (h < 0 || h >= q.H) continue;
            const T* row = xp + h * q.W;
            for (int64_t kw = 0; kw < K1; ++kw) {
              const int64_t off = kw * p.dilation[1] - p.padding[1], base = h * q.W + off;
              const int64_t lo = cols[size_t(2 * kw)], hi = cols[size_t(2 * kw + 1)];
              // Strides 1 and 2 (nearly every pooling) get a compile-time stride the compiler vectorises.
              if (S1 == 2)
                max_taps<T, 2>(row + off, base, lo, hi, 2, best, at);
              else if (S1 == 1)
                max_taps<T, 1>(row + off, base, lo, hi, 1, best, at);
              else
                max_taps<T, 0>(row + off, base, lo, hi, S1, best, at);
            }
          }
        }
      }
    });
  });
}

void CpuBackend::max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                                     const PoolParams&) {
  const Planes q = planes_of(grad_input, grad_out);
  dispatch_floating(grad_input.dtype, "max_pool2d_backward", [&]<class T>() {
    T* gx = static_cast<T*>(grad_input.data);
    const T* gy = static_cast<const T*>(grad_out.data);
    const int64_t* idx = static_cast<const int64_t*>(indices.data);
    parallel_for(0, q.planes, grain(q), [&](int64_t begin, int64_t end) {
      for (int64_t pl = begin; pl < end; ++pl) {
        T* gp = gx + pl * q.H * q.W;
        std::fill(gp, gp + q.H * q.W, T(0));
        const T* gyp = gy + pl * q.OH * q.OW;
        const int64_t* ip = idx + pl * q.OH * q.OW;
        for (int64_t j = 0; j < q.OH * q.OW; ++j) gp[ip[j]] += gyp[j];
      }
    });
  });
}

void CpuBackend::avg_pool2d(const View& out, const View& input, const PoolParams& p) {
  if (avg_pool2d_onednn(out, input, p)) return;
  const Planes q = planes_of(input, out);
  dispatch_floating(input.dtype, "avg_pool2d", [&]<class T>() {
    const T* x = static_cast<const T*>(input.data);
    T* y = static_cast<T*>(out.data);
    parallel_for(0, q.planes, grain(q), [&](int64_t begin, int64_t end) {
      T* scale = thread_scratch<T, PoolRow>(size_t(q.OW));
      for (int64_t pl = begin; pl < end; ++pl) {
        const T* xp = x + pl * q.H * q.W;
        for (int64_t oh = 0; oh < q.OH; ++oh) {
          T* sum = y + (pl * q.OH + oh) * q.OW;
          std::fill(sum, sum + q.OW, T(0));
          const kernels::PoolSpan hs = kernels::avg_pool_span(oh, p.kernel[0], p.stride[0], p.padding[0], q.H);
          for (int64_t h = hs.begin; h < hs.end; ++h) {
            const T* row = xp + h * q.W;
            for (int64_t kw = 0; kw < p.kernel[1]; ++kw) {
              const int64_t off = kw - p.padding[1];
              int64_t lo, hi;
              valid_columns(off, p.stride[1], q.W, q.OW, lo, hi);
              for (int64_t ow = lo; ow < hi; ++ow) sum[ow] += row[ow * p.stride[1] + off];
            }
          }
          avg_scales(p, q, oh, scale);
          for (int64_t ow = 0; ow < q.OW; ++ow) sum[ow] *= scale[ow];
        }
      }
    });
  });
}

void CpuBackend::avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p) {
  if (avg_pool2d_backward_onednn(grad_input, grad_out, p)) return;
  const Planes q = planes_of(grad_input, grad_out);
  dispatch_floating(grad_input.dtype, "avg_pool2d_backward", [&]<class T>() {
    T* gx = static_cast<T*>(grad_input.data);
    const T* gy = static_cast<const T*>(grad_out.data);
    parallel_for(0, q.planes, grain(q), [&](int64_t begin, int64_t end) {
      T* share = thread_scratch<T, PoolRow>(size_t(q.OW));
      for (int64_t pl = begin; pl < end; ++pl) {
        T* gp = gx + pl * q.H * q.W;
        std::fill(gp, gp + q.H * q.W, T(0));
        for (int64_t oh = 0; oh < q.OH; ++oh) {
          const T* g = gy + (pl * q.OH + oh) * q.OW;
          avg_scales(p, q, oh, share);
          for (int64_t ow = 0; ow < q.OW; ++ow) share[ow] *= g[ow];
          const kernels::PoolSpan hs = kernels::avg_pool_span(oh, p.kernel[0], p.stride[0], p.padding[0], q.H);
          for (int64_t h = hs.begin; h < hs.end; ++h) {
            T* row = gp + h * q.W;
            for (int64_t kw = 0; kw < p.kernel[1]; ++kw) {
              const int64_t off = kw - p.padding[1];
              int64_t lo, hi;
              valid_columns(off, p.stride[1], q.W, q.OW, lo, hi);
              for (int64_t ow = lo; ow < hi; ++ow) row[ow * p.stride[1] + off] += share[ow];
            }
          }
        }
      }
    });
  });
}

}  // namespace wick::cpu
