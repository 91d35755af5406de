// index_select, index_add, gather and scatter. As on the CPU (kernels/cpu/index.cpp), the indexed tensor is
// presented with stride 0 along `dim` and walked together with the index; each element adds
// index * stride(dim). Accumulating writes (index_add, scatter_add) use atomics, so repeated indices add
// up; plain scatter with repeated indices keeps one of the values, as in PyTorch. An index outside the dim
// is skipped and reported at the next synchronisation (see FaultRecord).
#include "backend_impl.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

struct Dims {
  int64_t sizes[kMaxDims];
  int64_t strides[kMaxDims];
};

// `v` presented with `shape` and stride 0 along dim (the index supplies that coordinate).
View along(const View& v, const int64_t* shape, int ndim, int dim, Dims& storage) {
  for (int d = 0; d < ndim; ++d) {
    storage.sizes[d] = shape[d];
    storage.strides[d] = d == dim ? 0 : v.strides[d];
  }
  return View{v.data, v.dtype, ndim, storage.sizes, storage.strides};
}

// A 1-D index walking along `dim` of `shape`.
View index_along(const View& index, const int64_t* shape, int ndim, int dim, Dims& storage) {
  for (int d = 0; d < ndim; ++d) {
    storage.sizes[d] = shape[d];
    storage.strides[d] = d == dim ? index.strides[0] : 0;
  }
  return View{index.data, index.dtype, ndim, storage.sizes, storage.strides};
}

struct IndexInfo {
  int64_t step;  // stride of dim in the indexed tensor, elements
  int64_t size;  // size of dim in the indexed tensor
  int dim;
  FaultOp op;
  FaultRecord* faults;
};

template <class I>
__device__ __forceinline__ bool read_index(const char* idx, uint32_t off, const IndexInfo& info, int64_t& k) {
  k = int64_t(reinterpret_cast<const I*>(idx)[off]);
  if (k >= 0 && k < info.size) return true;
  report_fault(info.faults, KernelFault::IndexOutOfRange, info.op, info.dim, k, info.size);
  return false;
}

// out[o] = src[s + index[i] * step]   (operands: out, src along dim, index)
template <class U, class I>
__global__ void __launch_bounds__(kBlock)
    index_read_kernel(char* out, const char* src, const char* idx, Offsets32<3> oc, uint32_t n, IndexInfo info) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    uint32_t off[3];
    oc.get(i, off);
    int64_t k;
    if (!read_index<I>(idx, off[2], info, k)) continue;
    reinterpret_cast<U*>(out)[off[0]] = reinterpret_cast<const U*>(src)[int64_t(off[1]) + k * info.step];
  }
}

template <class T>
__device__ __forceinline__ void atomic_add(T* target, T v) {
  if constexpr (std::is_same_v<T, bool>) {
    if (v) *target = true;  // logical or: every writer stores the same value
  } else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
    // No byte atomics: add inside the aligned 32-bit word with compare-and-swap (two's complement bytes add alike).
    unsigned* word = reinterpret_cast<unsigned*>(reinterpret_cast<uintptr_t>(target) & ~uintptr_t(3));
    const unsigned shift = unsigned(reinterpret_cast<uintptr_t>(target) & 3) * 8;
    unsigned old = *word, assumed;
    do {
      assumed = old;
      const unsigned byte = ((assumed >> shift) + unsigned(static_cast<uint8_t>(v))) & 0xffu;
      old = atomicCAS(word, assumed, (assumed & ~(0xffu << shift)) | (byte << shift));
    } while (old != assumed);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    atomicAdd(reinterpret_cast<unsigned long long*>(target), static_cast<unsigned long long>(v));
  } else {
    atomicAdd(target, v);  // int32, float, double, half (sm_70+), bfloat16 (sm_80+)
  }
}

// dst[d + index[i] * step] (+)= src[s]   (operands: dst along dim, index, src)
template <class T, class I, bool kAccumulate>
__global__ void __launch_bounds__(kBlock)
    index_write_kernel(char* dst, const char* idx, const char* src, Offsets32<3> oc, uint32_t n, IndexInfo info) {
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    uint32_t off[3];
    oc.get(i, off);
    int64_t k;
    if (!read_index<I>(idx, off[1], info, k)) continue;
    T* target = reinterpret_cast<T*>(dst) + int64_t(off[0]) + k * info.step;
    const T v = reinterpret_cast<const T*>(src)[off[2]];
    if constexpr (kAccumulate)
      atomic_add(target, v);
    else
      *target = v;
  }
}

template <class F>
void dispatch_index(ScalarType t, const char* op, F&& f) {
  if (t == ScalarType::Int64)
    f(Tag<int64_t>{});
  else if (t == ScalarType::Int32)
    f(Tag<int32_t>{});
  else
    fail(op, "index must be an int64 or int32 tensor, got ", dtype_name(t));
}

void run_read(const char* name, FaultOp fop, const View& out, const View& src, const View& idx, int64_t step,
              int64_t size, int dim) {
  const View* views[3] = {&out, &src, &idx};
  const Plan<3> plan(views, name);
  if (plan.numel() == 0) return;
  const cudaStream_t stream = launch_stream(out.data);
  const IndexInfo info{step, size, dim, fop, fault_record(current_device())};
  dispatch_index(idx.dtype, name, [&](auto itag) {
    using I = typename decltype(itag)::type;
    dispatch_by_size(out.dtype, [&](auto tag) {
      using U = typename decltype(tag)::type;
      for_each_32bit_piece(plan, [&](const Plan<3>& piece) {
        const uint32_t n = uint32_t(piece.numel());
        index_read_kernel<U, I><<<blocks_for(n, kBlock), kBlock, 0, stream>>>(
            piece.base[0], piece.base[1], piece.base[2], Offsets32<3>(piece), n, info);
        check_launch(name, "index_read_kernel");
      });
    });
  });
}

void run_write(const char* name, FaultOp fop, const View& dst, const View& idx, const View& src, int64_t step,
               int64_t size, int dim, bool accumulate) {
  const View* views[3] = {&dst, &idx, &src};
  const Plan<3> plan(views, name);
  if (plan.numel() == 0) return;
  const cudaStream_t stream = launch_stream(dst.data);
  const IndexInfo info{step, size, dim, fop, fault_record(current_device())};
  dispatch_index(idx.dtype, name, [&](auto itag) {
    using I = typename decltype(itag)::type;
    dispatch_all(dst.dtype, name, [&](auto tag) {
      using T = typename decltype(tag)::type;
      for_each_32bit_piece(plan, [&](const Plan<3>& piece) {
        const uint32_t n = uint32_t(piece.numel());
        const Offsets32<3> oc(piece);
        if (accumulate)
          index_write_kernel<T, I, true>
              <<<blocks_for(n, kBlock), kBlock, 0, stream>>>(piece.base[0], piece.base[1], piece.base[2], oc, n, info);
        else
          index_write_kernel<T, I, false>
              <<<blocks_for(n, kBlock), kBlock, 0, stream>>>(piece.base[0], piece.base[1], piece.base[2], oc, n, info);
        check_launch(name, "index_write_kernel");
      });
    });
  });
}

}  // namespace

void CudaBackend::index_select(const View& out, const View& in, int dim, const View& index) {
  Dims a, b;
  const View src = along(in, out.sizes, out.ndim, dim, a);
  const View idx = index_along(index, out.sizes, out.ndim, dim, b);
  run_read("index_select", FaultOp::IndexSelect, out, src, idx, in.strides[dim], in.sizes[dim], dim);
}

void CudaBackend::gather(const View& out, const View& in, int dim, const View& index) {
  Dims a;
  const View src = along(in, out.sizes, out.ndim, dim, a);
  run_read("gather", FaultOp::Gather, out, src, index, in.strides[dim], in.sizes[dim], dim);
}

void CudaBackend::scatter(const View& out, int dim, const View& index, const View& src, bool accumulate) {
  Dims a;
  const View dst = along(out, index.sizes, index.ndim, dim, a);
  run_write(accumulate ? "scatter_add" : "scatter", accumulate ? FaultOp::ScatterAdd : FaultOp::Scatter, dst, index,
            src, out.strides[dim], out.sizes[dim], dim, accumulate);
}

void CudaBackend::index_add(const View& out, int dim, const View& index, const View& src) {
  Dims a, b;
  const View dst = along(out, src.sizes, src.ndim, dim, a);
  const View idx = index_along(index, src.sizes, src.ndim, dim, b);
  run_write("index_add", FaultOp::IndexAdd, dst, idx, src, out.strides[dim], out.sizes[dim], dim, true);
}

}  // namespace wick::cuda
