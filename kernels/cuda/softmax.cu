// Fused softmax / log_softmax along one dim and their backward, on contiguous tensors seen as
// [outer, len, inner]. Softmax over the last dim (inner = 1, the common case) gives each row to a warp, or
// to a whole block when the row is long; other dims give each (outer, inner) column to a thread, so
// neighbouring threads read neighbouring memory. Max-subtracted, accumulated in float (double for double).
#include "backend_impl.h"
#include "common.cuh"
#include "common/planning.h"

namespace wick::cuda {
namespace {

using Layout = kernels::SoftmaxLayout;
constexpr auto layout_of = kernels::softmax_layout;

template <class A>
__device__ __forceinline__ A max_nan(A a, A b) {
  return (a != a || b != b) ? a + b : (a < b ? b : a);
}

// Reduces v over the blockDim.x lanes of a row (a warp, or the whole block when kBlockRow).
template <bool kBlockRow, bool kMax, class A>
__device__ __forceinline__ A row_reduce(A v, A* shared) {
  for (int s = 16; s > 0; s >>= 1) {
    const A o = __shfl_xor_sync(0xffffffffu, v, s);
    v = kMax ? max_nan(v, o) : v + o;
  }
  if constexpr (kBlockRow) {
    const int warps = blockDim.x / 32;
    __syncthreads();  // `shared` may still be read from the previous reduction
    if ((threadIdx.x & 31) == 0) shared[threadIdx.x / 32] = v;
    __syncthreads();
    v = shared[0];
    for (int w = 1; w < warps; ++w) v = kMax ? max_nan(v, shared[w]) : v + shared[w];
  }
  return v;
}

// kCache: the block's rows are kept in (dynamic) shared memory, so the input is read from global memory once
// instead of three times. Each thread only revisits the elements it loaded itself: no barrier needed.
template <class T, bool kLog, bool kBlockRow, bool kCache>
__global__ void __launch_bounds__(kBlock) softmax_rows_kernel(const T* x, T* y, int64_t rows, int64_t len) {
  using A = acc_t<T>;
  __shared__ A shared[kBlock / 32];
  extern __shared__ unsigned char row_cache[];
  const int64_t row = kBlockRow ? int64_t(blockIdx.x) : int64_t(blockIdx.x) * blockDim.y + threadIdx.y;
  if (row >= rows) return;  // whole warps (or the whole block) leave together
  A* cache = reinterpret_cast<A*>(row_cache) + (kBlockRow ? 0 : threadIdx.y * len);
  const T* xr = x + row * len;
  T* yr = y + row * len;
  A m = -INFINITY;
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
    const A v = to_acc(xr[k]);
    if (kCache) cache[k] = v;
    m = max_nan(m, v);
  }
  m = row_reduce<kBlockRow, true>(m, shared);
  if (isinf(m) && m < A(0)) m = A(0);  // a row of -inf: avoid inf - inf
  A s = 0;
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
    const A e = exp((kCache ? cache[k] : to_acc(xr[k])) - m);
    if (kCache && !kLog) cache[k] = e;
    s += e;
  }
  s = row_reduce<kBlockRow, false>(s, shared);
  if (kLog) {
    // (x - m) - log(s), not x - (m + log(s)): m + log(s) rounds away digits at large |x| (as the CPU kernel)
    const A ls = log(s);
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x)
      yr[k] = from_value<T>(((kCache ? cache[k] : to_acc(xr[k])) - m) - ls);
  } else {
    const A inv = A(1) / s;
    for (int64_t k = threadIdx.x; k < len; k += blockDim.x)
      yr[k] = from_value<T>((kCache ? cache[k] : exp(to_acc(xr[k]) - m)) * inv);
  }
}

template <class T, bool kLog>
__global__ void __launch_bounds__(kBlock) softmax_cols_kernel(const T* x, T* y, Layout l) {
  using A = acc_t<T>;
  const int64_t columns = l.outer * l.inner;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < columns; c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (c / l.inner) * l.len * l.inner + c % l.inner;
    const T* xr = x + base;
    T* yr = y + base;
    A m = -INFINITY;
    for (int64_t k = 0; k < l.len; ++k) m = max_nan(m, to_acc(xr[k * l.inner]));
    if (isinf(m) && m < A(0)) m = A(0);
    A s = 0;
    for (int64_t k = 0; k < l.len; ++k) s += exp(to_acc(xr[k * l.inner]) - m);
    if (kLog) {
      const A ls = log(s);
      for (int64_t k = 0; k < l.len; ++k) yr[k * l.inner] = from_value<T>((to_acc(xr[k * l.inner]) - m) - ls);
    } else {
      const A inv = A(1) / s;
      for (int64_t k = 0; k < l.len; ++k) yr[k * l.inner] = from_value<T>(exp(to_acc(xr[k * l.inner]) - m) * inv);
    }
  }
}

template <class T, bool kLog, bool kBlockRow>
__global__ void __launch_bounds__(kBlock)
    softmax_backward_rows_kernel(T* gi, const T* g, const T* y, int64_t rows, int64_t len) {
  using A = acc_t<T>;
  __shared__ A shared[kBlock / 32];
  const int64_t row = kBlockRow ? int64_t(blockIdx.x) : int64_t(blockIdx.x) * blockDim.y + threadIdx.y;
  if (row >= rows) return;
  const int64_t base = row * len;
  A s = 0;
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x)
    s += kLog ? to_acc(g[base + k]) : to_acc(g[base + k]) * to_acc(y[base + k]);
  s = row_reduce<kBlockRow, false>(s, shared);
  for (int64_t k = threadIdx.x; k < len; k += blockDim.x) {
    const A gv = to_acc(g[base + k]), yv = to_acc(y[base + k]);
    gi[base + k] = from_value<T>(kLog ? gv - exp(yv) * s : yv * (gv - s));
  }
}

template <class T, bool kLog>
__global__ void __launch_bounds__(kBlock) softmax_backward_cols_kernel(T* gi, const T* g, const T* y, Layout l) {
  using A = acc_t<T>;
  const int64_t columns = l.outer * l.inner;
  for (int64_t c = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; c < columns; c += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (c / l.inner) * l.len * l.inner + c % l.inner;
    A s = 0;
    for (int64_t k = 0; k < l.len; ++k) {
      const int64_t j = base + k * l.inner;
      s += kLog ? to_acc(g[j]) : to_acc(g[j]) * to_acc(y[j]);
    }
    for (int64_t k = 0; k < l.len; ++k) {
      const int64_t j = base + k * l.inner;
      const A gv = to_acc(g[j]), yv = to_acc(y[j]);
      gi[j] = from_value<T>(kLog ? gv - exp(yv) * s : yv * (gv - s));
    }
  }
}

constexpr int64_t kWarpRowMax = 1024;        // rows up to this long go to one warp each
constexpr size_t kRowCacheBytes = 48 << 10;  // shared memory a block may use without opting in

// Picks the kernel for the layout: rows_kernel(grid, block, shared_bytes, by_block, cached) for softmax over
// the last dim, cols(grid, block) otherwise.
template <class Rows, class Cols>
void launch_softmax(const Layout& l, size_t acc_size, Rows rows_kernel, Cols cols) {
  if (l.inner == 1) {
    if (l.len <= kWarpRowMax) {
      const dim3 block(32, kBlock / 32);
      const size_t bytes = size_t(l.len) * block.y * acc_size;
      rows_kernel(dim3(blocks_for(l.outer, block.y)), block, bytes, false, bytes <= kRowCacheBytes);
    } else {
      WICK_CHECK(l.outer <= 0x7fffffff, "softmax", "too many rows (", l.outer, ")");
      const size_t bytes = size_t(l.len) * acc_size;
      rows_kernel(dim3(unsigned(l.outer)), dim3(kBlock), bytes, true, bytes <= kRowCacheBytes);
    }
  } else {
    cols(dim3(blocks_for(l.outer * l.inner, kBlock)), dim3(kBlock));
  }
}

}  // namespace

void CudaBackend::softmax(const View& out, const View& in, int dim, bool log) {
  if (in.numel() == 0) return;
  const Layout l = layout_of(in, dim);
  const cudaStream_t stream = launch_stream(out.data);
  dispatch_floating(in.dtype, "softmax", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = static_cast<const T*>(in.data);
    T* y = static_cast<T*>(out.data);
    auto go = [&](auto log_c) {
      constexpr bool kLog = decltype(log_c)::value;
      launch_softmax(
          l, sizeof(acc_t<T>),
          [&](dim3 g, dim3 b, size_t bytes, bool by_block, bool cached) {
            if (by_block && cached)
              softmax_rows_kernel<T, kLog, true, true><<<g, b, bytes, stream>>>(x, y, l.outer, l.len);
            else if (by_block)
              softmax_rows_kernel<T, kLog, true, false><<<g, b, 0, stream>>>(x, y, l.outer, l.len);
            else if (cached)
              softmax_rows_kernel<T, kLog, false, true><<<g, b, bytes, stream>>>(x, y, l.outer, l.len);
            else
              softmax_rows_kernel<T, kLog, false, false><<<g, b, 0, stream>>>(x, y, l.outer, l.len);
          },
          [&](dim3 g, dim3 b) { softmax_cols_kernel<T, kLog><<<g, b, 0, stream>>>(x, y, l); });
    };
    if (log)
      go(std::true_type{});
    else
      go(std::false_type{});
    check_launch(log ? "log_softmax" : "softmax", "softmax kernel");
  });
}

void CudaBackend::softmax_backward(const View& grad_in, const View& grad_out, const View& out, int dim, bool log) {
  if (out.numel() == 0) return;
  const Layout l = layout_of(out, dim);
  const cudaStream_t stream = launch_stream(grad_in.data);
  dispatch_floating(out.dtype, "softmax_backward", [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* gi = static_cast<T*>(grad_in.data);
    const T* g = static_cast<const T*>(grad_out.data);
    const T* y = static_cast<const T*>(out.data);
    auto go = [&](auto log_c) {
      constexpr bool kLog = decltype(log_c)::value;
      launch_softmax(
          l, sizeof(acc_t<T>),
          [&](dim3 gr, dim3 b, size_t, bool by_block, bool) {
            if (by_block)
              softmax_backward_rows_kernel<T, kLog, true><<<gr, b, 0, stream>>>(gi, g, y, l.outer, l.len);
            else
              softmax_backward_rows_kernel<T, kLog, false><<<gr, b, 0, stream>>>(gi, g, y, l.outer, l.len);
          },
          [&](dim3 gr, dim3 b) { softmax_backward_cols_kernel<T, kLog><<<gr, b, 0, stream>>>(gi, g, y, l); });
    };
    if (log)
      go(std::true_type{});
    else
      go(std::false_type{});
    check_launch("softmax_backward", "softmax backward kernel");
  });
}

}  // namespace wick::cuda
