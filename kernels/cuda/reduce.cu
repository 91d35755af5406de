// Reductions (sum, prod, max, min, all, any) and arg-reductions.
//
// The output view has the input's shape with stride 0 on reduced dims (see backend.h). Dims are grouped
// into kept and reduced ones and merged where they walk memory as one, as in kernels/cpu/reduce.cpp. Each
// output is then reduced by a group of "lanes":
//   lanes along x: the reduced elements are the contiguous ones (row sums, softmax-like rows); lanes of a
//                  warp read neighbouring elements and combine with warp shuffles;
//   lanes along y: the kept elements are the contiguous ones (column sums, the batch dim); neighbouring
//                  threads serve neighbouring outputs and lanes combine through shared memory.
// When the outputs alone cannot fill the GPU (a full sum), the reduced range is split over grid.y into
// float/double partials in scratch memory and a second pass reduces those. Accumulation is in float for
// float16/bfloat16, in the element type otherwise (integer sums wrap exactly as on the CPU).
#include <limits>

#include "allocator.h"
#include "backend_impl.h"
#include "common/planning.h"
#include "common/reduce_math.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

// ---- the ops: kernels/common/reduce_math.h ----------------------------------------------------------
template <ReduceOp op, class A>
__host__ __device__ __forceinline__ A identity() {
  return kernels::reduce_identity<op, A>();
}

template <ReduceOp op, class A>
__device__ __forceinline__ A combine(A a, A b) {
  return kernels::reduce_combine<op>(a, b);
}

template <class T>
__device__ __forceinline__ T shfl_xor(T v, int offset) {
  if constexpr (sizeof(T) < 4)
    return T(__shfl_xor_sync(0xffffffffu, int(v), offset));
  else
    return __shfl_xor_sync(0xffffffffu, v, offset);
}

// ---- plans ------------------------------------------------------------------------------------------
struct ReduceParams {
  const void* in;
  void* out;
  int nk, nr;
  int64_t k_size[kMaxDims], k_in[kMaxDims], k_out[kMaxDims];  // kept dims, outermost first
  int64_t r_size[kMaxDims], r_in[kMaxDims];                   // reduced dims, outermost first
  int64_t K, R;                                               // outputs, reduced elements per output
  int64_t chunk;                                              // reduced elements per grid.y split
  int64_t in_linear;   // > 0: output o reads from o * in_linear (the second pass over partials)
  int64_t out_linear;  // > 0: output o of split s writes o * out_linear + s (the partials of the first pass)
};

void plan_reduction(const View& out, const View& in, ReduceParams& p) {
  kernels::ReduceDim dims[kMaxDims];
  const int m = kernels::plan_reduce_dims(out, in, dims);
  p.nk = p.nr = 0;
  p.K = p.R = 1;
  for (int d = 0; d < m; ++d) {
    if (dims[d].out_stride != 0) {
      p.k_size[p.nk] = dims[d].size;
      p.k_in[p.nk] = dims[d].in_stride;
      p.k_out[p.nk] = dims[d].out_stride;
      p.K *= dims[d].size;
      ++p.nk;
    } else {
      p.r_size[p.nr] = dims[d].size;
      p.r_in[p.nr] = dims[d].in_stride;
      p.R *= dims[d].size;
      ++p.nr;
    }
  }
  if (p.nr == 0) {  // every dim kept (a reduction over size-1 dims): one element per output
    p.r_size[0] = 1;
    p.r_in[0] = 0;
    p.nr = 1;
  }
  p.in_linear = p.out_linear = 0;
}

// ---- the kernel -----------------------------------------------------------------------------------
template <ReduceOp op, class In, class A, class Out, bool kLanesX>
__global__ void __launch_bounds__(kBlock) reduce_kernel(ReduceParams p) {
  __shared__ A shared[kBlock];
  const int lane = kLanesX ? threadIdx.x : threadIdx.y;
  const int lanes = kLanesX ? blockDim.x : blockDim.y;
  const int64_t o = int64_t(blockIdx.x) * (kLanesX ? blockDim.y : blockDim.x) + (kLanesX ? threadIdx.y : threadIdx.x);
  const int64_t split = blockIdx.y;
  const In* in = static_cast<const In*>(p.in);
  A acc = identity<op, A>();
  int64_t out_off = 0;
  if (o < p.K) {
    int64_t in_base = 0, rest = o;
    for (int d = p.nk - 1; d >= 0; --d) {
      const int64_t i = rest % p.k_size[d];
      rest /= p.k_size[d];
      in_base += i * p.k_in[d];
      out_off += i * p.k_out[d];
    }
    if (p.in_linear) in_base = o * p.in_linear;
    if (p.out_linear) out_off = o * p.out_linear + split;
    const int64_t r0 = split * p.chunk;
    const int64_t r1 = r0 + p.chunk < p.R ? r0 + p.chunk : p.R;
    if (p.nr == 1) {
      // Four independent accumulators keep four loads in flight per thread.
      const int64_t st = p.r_in[0];
      const In* x = in + in_base;
      A a1 = identity<op, A>(), a2 = a1, a3 = a1;
      int64_t r = r0 + lane;
      if (st == 1 && (reinterpret_cast<uintptr_t>(x + r0) & 15) == 0) {
        // Contiguous and aligned: 16-byte loads keep several times more bytes in flight per thread, which is
        // what a bandwidth-bound full sum needs; the scalar loops below take the tail.
        constexpr int kVec = 16 / sizeof(In);
        struct alignas(16) Vec {
          In v[kVec];
        };
        const Vec* xv = reinterpret_cast<const Vec*>(x + r0);
        const int64_t nv = (r1 - r0) / kVec;
        int64_t v = lane;
        for (; v + 3 * lanes < nv; v += 4 * lanes) {
          const Vec u0 = xv[v], u1 = xv[v + lanes], u2 = xv[v + 2 * lanes], u3 = xv[v + 3 * lanes];
#pragma unroll
          for (int k = 0; k < kVec; ++k) {
            acc = combine<op>(acc, A(to_acc(u0.v[k])));
            a1 = combine<op>(a1, A(to_acc(u1.v[k])));
            a2 = combine<op>(a2, A(to_acc(u2.v[k])));
            a3 = combine<op>(a3, A(to_acc(u3.v[k])));
          }
        }
        for (; v < nv; v += lanes) {
          const Vec u = xv[v];
#pragma unroll
          for (int k = 0; k < kVec; ++k) acc = combine<op>(acc, A(to_acc(u.v[k])));
        }
        r = r0 + nv * kVec + lane;
      }
      for (; r + 3 * lanes < r1; r += 4 * lanes) {
        acc = combine<op>(acc, A(to_acc(x[r * st])));
        a1 = combine<op>(a1, A(to_acc(x[(r + lanes) * st])));
        a2 = combine<op>(a2, A(to_acc(x[(r + 2 * lanes) * st])));
        a3 = combine<op>(a3, A(to_acc(x[(r + 3 * lanes) * st])));
      }
      for (; r < r1; r += lanes) acc = combine<op>(acc, A(to_acc(x[r * st])));
      acc = combine<op>(combine<op>(acc, a1), combine<op>(a2, a3));
    } else if (r0 + lane < r1) {
      // Several reduced dims: a mixed-radix counter, advanced by `lanes` per step (a division only on carry).
      int64_t idx[kMaxDims], off = 0, rest_r = r0 + lane;
      for (int d = p.nr - 1; d >= 0; --d) {
        idx[d] = rest_r % p.r_size[d];
        rest_r /= p.r_size[d];
        off += idx[d] * p.r_in[d];
      }
      for (int64_t r = r0 + lane; r < r1; r += lanes) {
        acc = combine<op>(acc, A(to_acc(in[in_base + off])));
        int d = p.nr - 1;
        idx[d] += lanes;
        off += lanes * p.r_in[d];
        while (d > 0 && idx[d] >= p.r_size[d]) {
          const int64_t carry = idx[d] / p.r_size[d];
          idx[d] -= carry * p.r_size[d];
          off -= carry * p.r_size[d] * p.r_in[d];
          idx[d - 1] += carry;
          off += carry * p.r_in[d - 1];
          --d;
        }
      }
    }
  }
  // Combine the lanes of each output.
  if constexpr (kLanesX) {
    for (int s = (lanes < 32 ? lanes : 32) / 2; s > 0; s >>= 1) acc = combine<op>(acc, shfl_xor(acc, s));
    if (lanes > 32) {
      const int warps = lanes / 32;
      if ((lane & 31) == 0) shared[threadIdx.y * warps + lane / 32] = acc;
      __syncthreads();
      if (lane < 32) {
        acc = lane < warps ? shared[threadIdx.y * warps + lane] : identity<op, A>();
        for (int s = 16; s > 0; s >>= 1) acc = combine<op>(acc, shfl_xor(acc, s));
      }
    }
  } else {
    shared[threadIdx.y * blockDim.x + threadIdx.x] = acc;
    __syncthreads();
    for (int s = lanes / 2; s > 0; s >>= 1) {
      if (lane < s)
        shared[threadIdx.y * blockDim.x + threadIdx.x] = combine<op>(
            shared[threadIdx.y * blockDim.x + threadIdx.x], shared[(threadIdx.y + s) * blockDim.x + threadIdx.x]);
      __syncthreads();
    }
    acc = shared[threadIdx.x];
  }
  if (lane == 0 && o < p.K) static_cast<Out*>(p.out)[out_off] = from_value<Out>(acc);
}

template <ReduceOp op, class In, class A, class Out>
void launch_reduce(const ReduceParams& p, unsigned splits, cudaStream_t stream) {
  const bool lanes_x = p.nk == 0 || p.r_in[p.nr - 1] <= p.k_in[p.nk - 1] || p.in_linear;
  dim3 block, grid;
  if (lanes_x) {
    block.x = unsigned(next_pow2(p.R < kBlock ? p.R : kBlock));
    block.y = kBlock / block.x;
    grid.x = blocks_for(p.K, block.y);
  } else {
    block.x = unsigned(next_pow2(p.K < 32 ? p.K : 32));
    const int64_t max_y = kBlock / block.x;
    block.y = unsigned(next_pow2(p.R < max_y ? p.R : max_y));
    grid.x = blocks_for(p.K, block.x);
  }
  grid.y = splits;
  if (lanes_x)
    reduce_kernel<op, In, A, Out, true><<<grid, block, 0, stream>>>(p);
  else
    reduce_kernel<op, In, A, Out, false><<<grid, block, 0, stream>>>(p);
  check_launch("reduce", "reduce_kernel");
}

template <ReduceOp op, class T>
void reduce_typed(const View& out, const View& in) {
  using A = acc_t<T>;
  const cudaStream_t stream = launch_stream(out.data);
  const int device = current_device();
  if (in.numel() == 0) {  // every output is the identity
    int64_t sizes[kMaxDims];
    for (int d = 0; d < in.ndim; ++d) sizes[d] = out.strides[d] == 0 ? 1 : in.sizes[d];
    const View compact{out.data, out.dtype, in.ndim, sizes, out.strides};
    elementwise<T>("reduce", FillValue<T>{from_value<T>(identity<op, A>())}, compact, {});
    return;
  }
  ReduceParams p{};
  plan_reduction(out, in, p);
  p.in = in.data;
  p.out = out.data;
  // Split the reduced range when the outputs alone leave most of the GPU idle.
  const int64_t lanes = 256;
  const int64_t output_blocks = (p.K + 7) / 8;
  const int64_t target = 8 * int64_t(sm_count(device));
  int64_t splits = 1;
  if (output_blocks < target && p.R >= 4096) {
    splits = (target + output_blocks - 1) / output_blocks;
    const int64_t by_work = (p.R + lanes * 16 - 1) / (lanes * 16);
    if (splits > by_work) splits = by_work;
    if (splits > 1024) splits = 1024;
  }
  if (splits <= 1) {
    p.chunk = p.R;
    launch_reduce<op, T, A, T>(p, 1, stream);
    return;
  }
  // Chunks of whole 64-element runs keep every split's start as aligned as the tensor's for the vector loads.
  p.chunk = ((p.R + splits - 1) / splits + 63) / 64 * 64;
  splits = (p.R + p.chunk - 1) / p.chunk;
  ScratchBuffer partials(size_t(p.K * splits) * sizeof(A), device);
  ReduceParams first = p;
  first.out = partials.get();
  first.out_linear = splits;
  launch_reduce<op, T, A, A>(first, unsigned(splits), stream);
  ReduceParams second = p;
  second.in = partials.get();
  second.in_linear = splits;
  second.nr = 1;
  second.r_size[0] = splits;
  second.r_in[0] = 1;
  second.R = splits;
  second.chunk = splits;
  launch_reduce<op, A, A, T>(second, 1, stream);
}

}  // namespace

void CudaBackend::reduce(ReduceOp op, const View& out, const View& in) {
  WICK_CHECK(in.ndim <= kMaxDims, "reduce", "tensors of more than ", kMaxDims, " dims are not supported on CUDA");
  dispatch_all(in.dtype, "reduce", [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case ReduceOp::Sum: reduce_typed<ReduceOp::Sum, T>(out, in); break;
      case ReduceOp::Prod: reduce_typed<ReduceOp::Prod, T>(out, in); break;
      case ReduceOp::Max: reduce_typed<ReduceOp::Max, T>(out, in); break;
      case ReduceOp::Min: reduce_typed<ReduceOp::Min, T>(out, in); break;
      case ReduceOp::All: reduce_typed<ReduceOp::All, T>(out, in); break;
      case ReduceOp::Any: reduce_typed<ReduceOp::Any, T>(out, in); break;
      default: fail("reduce", "unknown reduction");
    }
  });
}

// ---- arg max / arg min ----------------------------------------------------------------------------------
namespace {

struct ArgParams {
  const void* in;
  void* values;  // may be null
  int64_t* indices;
  int nk;
  int64_t k_size[kMaxDims], k_in[kMaxDims], k_val[kMaxDims], k_idx[kMaxDims];
  int64_t K, len, step;
};

// Whether (v, k) beats the current best (b, bk): NaN is the extreme (the first NaN wins), ties keep the
// lower index, as the CPU scan does.
template <bool kMax, class A>
__device__ __forceinline__ bool beats(A v, int64_t k, A b, int64_t bk) {
  const bool vn = v != v, bn = b != b;
  if (vn || bn) return vn && (!bn || k < bk);
  if (kMax ? b < v : v < b) return true;
  return v == b && k < bk;
}

template <class T, bool kMax>
__global__ void __launch_bounds__(kBlock) arg_reduce_kernel(ArgParams p) {
  using A = acc_t<T>;
  const int64_t o = int64_t(blockIdx.x) * blockDim.y + threadIdx.y;
  const int lane = threadIdx.x, lanes = blockDim.x;
  A best = A(0);
  int64_t best_i = -1;
  int64_t in_base = 0, val_off = 0, idx_off = 0;
  if (o < p.K) {
    int64_t rest = o;
    for (int d = p.nk - 1; d >= 0; --d) {
      const int64_t i = rest % p.k_size[d];
      rest /= p.k_size[d];
      in_base += i * p.k_in[d];
      val_off += i * p.k_val[d];
      idx_off += i * p.k_idx[d];
    }
    const T* x = static_cast<const T*>(p.in) + in_base;
    for (int64_t k = lane; k < p.len; k += lanes) {
      const A v = to_acc(x[k * p.step]);
      if (best_i < 0 || beats<kMax>(v, k, best, best_i)) {
        best = v;
        best_i = k;
      }
    }
  }
  for (int s = lanes / 2; s > 0; s >>= 1) {
    const A v = shfl_xor(best, s);
    const int64_t k = shfl_xor(best_i, s);
    if (k >= 0 && (best_i < 0 || beats<kMax>(v, k, best, best_i))) {
      best = v;
      best_i = k;
    }
  }
  if (lane == 0 && o < p.K) {
    p.indices[idx_off] = best_i;
    if (p.values) static_cast<T*>(p.values)[val_off] = from_value<T>(best);
  }
}

}  // namespace

void CudaBackend::arg_reduce(ArgReduceOp op, const View* values, const View& indices, const View& in, int dim) {
  const char* name = op == ArgReduceOp::ArgMax ? "argmax" : "argmin";
  WICK_CHECK(in.ndim <= kMaxDims, name, "tensors of more than ", kMaxDims, " dims are not supported on CUDA");
  const int64_t len = in.sizes[dim];
  WICK_CHECK(len > 0, name, "cannot reduce over an empty dim (size 0 at dim ", dim, ")");
  ArgParams p{};
  p.in = in.data;
  p.values = values ? values->data : nullptr;
  p.indices = static_cast<int64_t*>(indices.data);
  p.len = len;
  p.step = in.strides[dim];
  p.K = 1;
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim || in.sizes[d] == 1) continue;
    p.k_size[p.nk] = in.sizes[d];
    p.k_in[p.nk] = in.strides[d];
    p.k_val[p.nk] = values ? values->strides[d] : 0;
    p.k_idx[p.nk] = indices.strides[d];
    p.K *= in.sizes[d];
    ++p.nk;
  }
  if (p.K == 0) return;
  const cudaStream_t stream = launch_stream(indices.data);
  // Lanes along the dim when it is contiguous (warp shuffles combine them), one thread per output otherwise.
  dim3 block(p.step == 1 ? unsigned(next_pow2(len < 32 ? len : 32)) : 1u);
  block.y = kBlock / block.x;
  const dim3 grid(blocks_for(p.K, block.y));
  dispatch_all(in.dtype, name, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (op == ArgReduceOp::ArgMax)
      arg_reduce_kernel<T, true><<<grid, block, 0, stream>>>(p);
    else
      arg_reduce_kernel<T, false><<<grid, block, 0, stream>>>(p);
    check_launch(name, "arg_reduce_kernel");
  });
}

}  // namespace wick::cuda
