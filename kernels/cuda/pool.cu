// Max and average pooling over NCHW planes and their backward passes, one thread per output (forward) or
// per input element (average backward), with the CPU backend's window rules (kernels/cpu/pool.cpp):
// ceil_mode, count_include_pad, dilation for max pooling, NaN propagation, flat argmax indices per plane.
#include "backend_impl.h"
#include "common.cuh"
#include "common/planning.h"

namespace wick::cuda {
namespace {

using Planes = kernels::PoolPlanes;
constexpr auto planes_of = kernels::pool_planes;
using kernels::first_tap;

struct Window {  // PoolParams, device-copyable
  int64_t k0, k1, s0, s1, p0, p1, d0, d1;
  bool count_include_pad;
};

Window window_of(const PoolParams& p) {
  return Window{p.kernel[0],  p.kernel[1],   p.stride[0],   p.stride[1],        p.padding[0],
                p.padding[1], p.dilation[0], p.dilation[1], p.count_include_pad};
}

struct AvgWindow {
  int64_t h0, h1, w0, w1, divisor;
};

__device__ __forceinline__ AvgWindow avg_window(const Window& p, const Planes& q, int64_t oh, int64_t ow) {
  const kernels::PoolSpan h = kernels::avg_pool_span(oh, p.k0, p.s0, p.p0, q.H);
  const kernels::PoolSpan w = kernels::avg_pool_span(ow, p.k1, p.s1, p.p1, q.W);
  return AvgWindow{h.begin, h.end, w.begin, w.end, kernels::avg_pool_divisor(h, w, p.count_include_pad)};
}

template <class T>
__global__ void __launch_bounds__(kBlock) max_pool_kernel(const T* x, T* y, int64_t* indices, Planes q, Window p) {
  using A = acc_t<T>;
  const int64_t total = q.planes * q.OH * q.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % q.OW, oh = (i / q.OW) % q.OH, pl = i / (q.OH * q.OW);
    const T* xp = x + pl * q.H * q.W;
    const int64_t hs = oh * p.s0 - p.p0, ws = ow * p.s1 - p.p1;
    const int64_t he = min(hs + (p.k0 - 1) * p.d0 + 1, q.H), we = min(ws + (p.k1 - 1) * p.d1 + 1, q.W);
    const int64_t h0 = first_tap(hs, p.d0), w0 = first_tap(ws, p.d1);
    A best = -INFINITY;
    int64_t at = h0 * q.W + w0;
    bool nan = false;
    for (int64_t h = h0; h < he && !nan; h += p.d0)
      for (int64_t w = w0; w < we; w += p.d1) {
        const A v = to_acc(xp[h * q.W + w]);
        if (v > best || v != v) {  // NaN wins and sticks, as in PyTorch
          best = v;
          at = h * q.W + w;
          if (v != v) {
            nan = true;
            break;
          }
        }
      }
    y[i] = from_value<T>(best);
    indices[i] = at;
  }
}

template <class T>
__global__ void __launch_bounds__(kBlock)
    max_pool_backward_kernel(T* gx, const T* gy, const int64_t* indices, Planes q) {
  const int64_t total = q.planes * q.OH * q.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t pl = i / (q.OH * q.OW);
    atomicAdd(gx + pl * q.H * q.W + indices[i], gy[i]);  // overlapping windows may pick one input twice
  }
}

template <class T>
__global__ void __launch_bounds__(kBlock) avg_pool_kernel(const T* x, T* y, Planes q, Window p) {
  using A = acc_t<T>;
  const int64_t total = q.planes * q.OH * q.OW;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t ow = i % q.OW, oh = (i / q.OW) % q.OH, pl = i / (q.OH * q.OW);
    const T* xp = x + pl * q.H * q.W;
    const AvgWindow a = avg_window(p, q, oh, ow);
    A s = 0;
    for (int64_t h = a.h0; h < a.h1; ++h)
      for (int64_t w = a.w0; w < a.w1; ++w) s += to_acc(xp[h * q.W + w]);
    y[i] = from_value<T>(a.divisor > 0 ? s / A(a.divisor) : A(0));
  }
}

// Each input element gathers the shares of the windows that contain it (no atomics).
template <class T>
__global__ void __launch_bounds__(kBlock) avg_pool_backward_kernel(T* gx, const T* gy, Planes q, Window p) {
  using A = acc_t<T>;
  const int64_t total = q.planes * q.H * q.W;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t w = i % q.W, h = (i / q.W) % q.H, pl = i / (q.H * q.W);
    const T* gyp = gy + pl * q.OH * q.OW;
    // Windows [oh*s - p, oh*s - p + k) containing h.
    const int64_t th = h + p.p0 - p.k0 + 1, tw = w + p.p1 - p.k1 + 1;
    const int64_t oh0 = th <= 0 ? 0 : (th + p.s0 - 1) / p.s0, ow0 = tw <= 0 ? 0 : (tw + p.s1 - 1) / p.s1;
    const int64_t oh1 = min((h + p.p0) / p.s0, q.OH - 1), ow1 = min((w + p.p1) / p.s1, q.OW - 1);
    A acc = 0;
    for (int64_t oh = oh0; oh <= oh1; ++oh)
      for (int64_t ow = ow0; ow <= ow1; ++ow) {
        const AvgWindow a = avg_window(p, q, oh, ow);
        if (a.divisor <= 0 || h < a.h0 || h >= a.h1 || w < a.w0 || w >= a.w1) continue;
        acc += to_acc(gyp[oh * q.OW + ow]) / A(a.divisor);
      }
    gx[i] = from_value<T>(acc);
  }
}

}  // namespace

void CudaBackend::max_pool2d(const View& out, const View& indices, const View& input, const PoolParams& p) {
  const Planes q = planes_of(input, out);
  const int64_t total = q.planes * q.OH * q.OW;
  if (total == 0) return;
  const cudaStream_t stream = launch_stream(out.data);
  dispatch_floating(input.dtype, "max_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    max_pool_kernel<T>
        <<<blocks_for(total, kBlock), kBlock, 0, stream>>>(static_cast<const T*>(input.data), static_cast<T*>(out.data),
                                                           static_cast<int64_t*>(indices.data), q, window_of(p));
    check_launch("max_pool2d", "max_pool_kernel");
  });
}

void CudaBackend::max_pool2d_backward(const View& grad_input, const View& grad_out, const View& indices,
                                      const PoolParams&) {
  const Planes q = planes_of(grad_input, grad_out);
  const cudaStream_t stream = launch_stream(grad_input.data);
  fill(grad_input, 0.0);
  const int64_t total = q.planes * q.OH * q.OW;
  if (total == 0) return;
  dispatch_floating(grad_input.dtype, "max_pool2d_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    max_pool_backward_kernel<T><<<blocks_for(total, kBlock), kBlock, 0, stream>>>(
        static_cast<T*>(grad_input.data), static_cast<const T*>(grad_out.data),
        static_cast<const int64_t*>(indices.data), q);
    check_launch("max_pool2d_backward", "max_pool_backward_kernel");
  });
}

void CudaBackend::avg_pool2d(const View& out, const View& input, const PoolParams& p) {
  const Planes q = planes_of(input, out);
  const int64_t total = q.planes * q.OH * q.OW;
  if (total == 0) return;
  const cudaStream_t stream = launch_stream(out.data);
  dispatch_floating(input.dtype, "avg_pool2d", [&](auto tag) {
    using T = typename decltype(tag)::type;
    avg_pool_kernel<T><<<blocks_for(total, kBlock), kBlock, 0, stream>>>(static_cast<const T*>(input.data),
                                                                         static_cast<T*>(out.data), q, window_of(p));
    check_launch("avg_pool2d", "avg_pool_kernel");
  });
}

void CudaBackend::avg_pool2d_backward(const View& grad_input, const View& grad_out, const PoolParams& p) {
  const Planes q = planes_of(grad_input, grad_out);
  const int64_t total = q.planes * q.H * q.W;
  if (total == 0) return;
  const cudaStream_t stream = launch_stream(grad_input.data);
  dispatch_floating(grad_input.dtype, "avg_pool2d_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    avg_pool_backward_kernel<T><<<blocks_for(total, kBlock), kBlock, 0, stream>>>(
        static_cast<T*>(grad_input.data), static_cast<const T*>(grad_out.data), q, window_of(p));
    check_launch("avg_pool2d_backward", "avg_pool_backward_kernel");
  });
}

}  // namespace wick::cuda
