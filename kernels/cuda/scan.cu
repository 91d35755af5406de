// Inclusive scans (cumsum) along one dim. Short slices: one thread walks each slice in order (the common case
// of many rows). Long slices: one block per slice scans chunks of kBlock * kItems elements with cub::BlockScan,
// carrying the running value from chunk to chunk. Accumulation as in reduce.cu: float for float16/bfloat16,
// the element type otherwise (integer sums wrap as on the CPU).
#include <cub/block/block_scan.cuh>

#include "backend_impl.h"
#include "common.cuh"
#include "common/reduce_math.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

constexpr int kItems = 4;
// Slices at least this long get a block each.
constexpr int64_t kBlockScanLength = 1024;

struct ScanParams {
  const void* in;
  void* out;
  int nk;
  int64_t k_size[kMaxDims], k_in[kMaxDims], k_out[kMaxDims];  // the other dims, outermost first
  int64_t K, len, in_step, out_step;
};

// Offsets of slice s's first element in `in` and `out`.
__device__ __forceinline__ void slice_offsets(const ScanParams& p, int64_t s, int64_t& in_off, int64_t& out_off) {
  in_off = out_off = 0;
  for (int d = p.nk - 1; d >= 0; --d) {
    const int64_t i = s % p.k_size[d];
    s /= p.k_size[d];
    in_off += i * p.k_in[d];
    out_off += i * p.k_out[d];
  }
}

template <ReduceOp op, class A>
struct Combine {
  __device__ __forceinline__ A operator()(const A& a, const A& b) const { return kernels::reduce_combine<op>(a, b); }
};

template <class T, ReduceOp op>
__global__ void __launch_bounds__(kBlock) scan_rows_kernel(ScanParams p) {
  using A = acc_t<T>;
  for (int64_t s = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; s < p.K; s += int64_t(gridDim.x) * blockDim.x) {
    int64_t in_off, out_off;
    slice_offsets(p, s, in_off, out_off);
    const T* x = static_cast<const T*>(p.in) + in_off;
    T* o = static_cast<T*>(p.out) + out_off;
    A acc = to_acc(x[0]);
    o[0] = from_value<T>(acc);
    for (int64_t k = 1; k < p.len; ++k) {
      acc = kernels::reduce_combine<op>(acc, to_acc(x[k * p.in_step]));
      o[k * p.out_step] = from_value<T>(acc);
    }
  }
}

// The running value of a slice: each chunk's scan starts from the combination of all chunks before it.
template <ReduceOp op, class A>
struct RunningPrefix {
  A total;
  __device__ __forceinline__ A operator()(A chunk_total) {
    const A before = total;
    total = kernels::reduce_combine<op>(total, chunk_total);
    return before;
  }
};

template <class T, ReduceOp op>
__global__ void __launch_bounds__(kBlock) scan_blocks_kernel(ScanParams p) {
  using A = acc_t<T>;
  using BlockScan = cub::BlockScan<A, kBlock>;
  __shared__ typename BlockScan::TempStorage temp;
  const A identity = kernels::reduce_identity<op, A>();  // pads the last chunk; combining with it changes nothing
  for (int64_t s = blockIdx.x; s < p.K; s += gridDim.x) {
    int64_t in_off, out_off;
    slice_offsets(p, s, in_off, out_off);
    const T* x = static_cast<const T*>(p.in) + in_off;
    T* o = static_cast<T*>(p.out) + out_off;
    RunningPrefix<op, A> prefix{identity};
    for (int64_t base = 0; base < p.len; base += int64_t(kBlock) * kItems) {
      A items[kItems];
      const int64_t first = base + int64_t(threadIdx.x) * kItems;
#pragma unroll
      for (int i = 0; i < kItems; ++i) items[i] = first + i < p.len ? to_acc(x[(first + i) * p.in_step]) : identity;
      BlockScan(temp).InclusiveScan(items, items, Combine<op, A>{}, prefix);
      __syncthreads();  // temp is reused by the next chunk
#pragma unroll
      for (int i = 0; i < kItems; ++i)
        if (first + i < p.len) o[(first + i) * p.out_step] = from_value<T>(items[i]);
    }
  }
}

}  // namespace

void CudaBackend::scan(ReduceOp op, const View& out, const View& in, int dim) {
  WICK_CHECK(in.ndim <= kMaxDims, "cumsum", "tensors of more than ", kMaxDims, " dims are not supported on CUDA");
  if (in.numel() == 0) return;
  ScanParams p{};
  p.in = in.data;
  p.out = out.data;
  p.len = in.sizes[dim];
  p.in_step = in.strides[dim];
  p.out_step = out.strides[dim];
  p.K = 1;
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim || in.sizes[d] == 1) continue;
    p.k_size[p.nk] = in.sizes[d];
    p.k_in[p.nk] = in.strides[d];
    p.k_out[p.nk] = out.strides[d];
    p.K *= in.sizes[d];
    ++p.nk;
  }
  const cudaStream_t stream = launch_stream(out.data);
  const bool per_block = p.len >= kBlockScanLength;
  dispatch_all(in.dtype, "cumsum", [&](auto tag) {
    using T = typename decltype(tag)::type;
    visit_op(op, [&](auto kop) {
      constexpr ReduceOp kOp = decltype(kop)::value;
      if (per_block) {
        scan_blocks_kernel<T, kOp><<<blocks_for(p.K, 1), kBlock, 0, stream>>>(p);
        check_launch("cumsum", "scan_blocks_kernel");
      } else {
        scan_rows_kernel<T, kOp><<<blocks_for(p.K, kBlock), kBlock, 0, stream>>>(p);
        check_launch("cumsum", "scan_rows_kernel");
      }
    });
  });
}

}  // namespace wick::cuda
