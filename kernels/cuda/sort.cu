// Stable sort of every slice along one dim, as two stable radix sorts over all slices at once (Thrust, on the
// caching allocator):
//   1. each element becomes an unsigned key that orders as the value does (NaN above +inf, -0 equal to 0;
//      complemented for a descending sort), carrying its flat position slice * len + k;
//   2. a stable sort by key, then a stable sort of the positions by slice: each slice ends up in key order,
//      equal keys in their original order;
//   3. the values are read back from the input through the positions, and the positions within each slice
//      are the indices.
#include <thrust/execution_policy.h>
#include <thrust/sort.h>

#include <cstddef>
#include <type_traits>

#include "allocator.h"
#include "backend_impl.h"
#include "common.cuh"
#include "loops.cuh"

namespace wick::cuda {
namespace {

struct SortParams {
  const void* in;
  void* values;
  int64_t* indices;
  int nk;
  int64_t k_size[kMaxDims], k_in[kMaxDims], k_val[kMaxDims], k_idx[kMaxDims];  // the other dims, outermost first
  int64_t K, len, in_step, val_step, idx_step;
};

struct SliceOffsets {
  int64_t in, val, idx;
};

__device__ __forceinline__ SliceOffsets slice_offsets(const SortParams& p, int64_t s) {
  SliceOffsets o{0, 0, 0};
  for (int d = p.nk - 1; d >= 0; --d) {
    const int64_t i = s % p.k_size[d];
    s /= p.k_size[d];
    o.in += i * p.k_in[d];
    o.val += i * p.k_val[d];
    o.idx += i * p.k_idx[d];
  }
  return o;
}

// The unsigned key of a value: keys compare as the values do, NaN (any payload) above everything, -0 == 0.
template <class T>
using key_t = std::conditional_t<sizeof(T) == 8, unsigned long long, unsigned int>;

template <class T>
__device__ __forceinline__ key_t<T> sort_key(T v) {
  if constexpr (is_float_v<T>) {
    if constexpr (std::is_same_v<T, double>) {
      if (v != v) return ~0ull;
      const unsigned long long bits = __double_as_longlong(v == 0.0 ? 0.0 : v);
      return (bits >> 63) ? ~bits : bits | (1ull << 63);
    } else {
      const float f = to_acc(v);  // float16 and bfloat16 widen exactly
      if (f != f) return ~0u;
      const unsigned int bits = __float_as_uint(f == 0.0f ? 0.0f : f);
      return (bits >> 31) ? ~bits : bits | (1u << 31);
    }
  } else if constexpr (std::is_signed_v<T>) {
    using K = key_t<T>;
    return K(v) ^ (K(1) << (sizeof(K) * 8 - 1));
  } else {
    return key_t<T>(v);  // bool, uint8
  }
}

template <class T>
__global__ void sort_load_kernel(SortParams p, key_t<T>* keys, int64_t* positions, bool descending) {
  const int64_t n = p.K * p.len;
  for (int64_t e = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; e < n; e += int64_t(gridDim.x) * blockDim.x) {
    const int64_t s = e / p.len, k = e - s * p.len;
    const key_t<T> key = sort_key(static_cast<const T*>(p.in)[slice_offsets(p, s).in + k * p.in_step]);
    keys[e] = descending ? ~key : key;
    positions[e] = e;
  }
}

__global__ void slice_of_kernel(const int64_t* positions, int64_t* slices, int64_t n, int64_t len) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    slices[i] = positions[i] / len;
}

template <class T>
__global__ void sort_store_kernel(SortParams p, const int64_t* positions) {
  const int64_t n = p.K * p.len;
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t s = i / p.len, rank = i - s * p.len;
    const int64_t k = positions[i] - s * p.len;  // where the element of this rank sat in its slice
    const SliceOffsets o = slice_offsets(p, s);
    static_cast<T*>(p.values)[o.val + rank * p.val_step] = static_cast<const T*>(p.in)[o.in + k * p.in_step];
    p.indices[o.idx + rank * p.idx_step] = k;
  }
}

// Thrust's temporary storage from the caching allocator, ordered on the calling thread's stream.
struct CachedAllocator {
  using value_type = char;
  int device;
  char* allocate(std::ptrdiff_t n) { return static_cast<char*>(cached_malloc(size_t(n), device)); }
  void deallocate(char* ptr, size_t) { cached_free(ptr, device); }
};

}  // namespace

void CudaBackend::sort(const View& values, const View& indices, const View& in, int dim, bool descending) {
  WICK_CHECK(in.ndim <= kMaxDims, "sort", "tensors of more than ", kMaxDims, " dims are not supported on CUDA");
  const int64_t n = in.numel();
  if (n == 0) return;
  SortParams p{};
  p.in = in.data;
  p.values = values.data;
  p.indices = static_cast<int64_t*>(indices.data);
  p.len = in.sizes[dim];
  p.in_step = in.strides[dim];
  p.val_step = values.strides[dim];
  p.idx_step = indices.strides[dim];
  p.K = 1;
  for (int d = 0; d < in.ndim; ++d) {
    if (d == dim || in.sizes[d] == 1) continue;
    p.k_size[p.nk] = in.sizes[d];
    p.k_in[p.nk] = in.strides[d];
    p.k_val[p.nk] = values.strides[d];
    p.k_idx[p.nk] = indices.strides[d];
    p.K *= in.sizes[d];
    ++p.nk;
  }
  const cudaStream_t stream = launch_stream(values.data);
  const int device = current_device();
  CachedAllocator alloc{device};
  const auto policy = thrust::cuda::par(alloc).on(stream);
  const unsigned grid = blocks_for(n, kBlock);
  ScratchBuffer positions(size_t(n) * sizeof(int64_t), device);
  dispatch_all(in.dtype, "sort", [&](auto tag) {
    using T = typename decltype(tag)::type;
    ScratchBuffer keys(size_t(n) * sizeof(key_t<T>), device);
    sort_load_kernel<T><<<grid, kBlock, 0, stream>>>(p, keys.get<key_t<T>>(), positions.get<int64_t>(), descending);
    check_launch("sort", "sort_load_kernel");
    thrust::stable_sort_by_key(policy, keys.get<key_t<T>>(), keys.get<key_t<T>>() + n, positions.get<int64_t>());
  });
  if (p.K > 1) {  // regroup by slice; the stable sort keeps each slice's key order
    ScratchBuffer slices(size_t(n) * sizeof(int64_t), device);
    slice_of_kernel<<<grid, kBlock, 0, stream>>>(positions.get<int64_t>(), slices.get<int64_t>(), n, p.len);
    check_launch("sort", "slice_of_kernel");
    thrust::stable_sort_by_key(policy, slices.get<int64_t>(), slices.get<int64_t>() + n, positions.get<int64_t>());
  }
  dispatch_all(in.dtype, "sort", [&](auto tag) {
    using T = typename decltype(tag)::type;
    sort_store_kernel<T><<<grid, kBlock, 0, stream>>>(p, positions.get<int64_t>());
    check_launch("sort", "sort_store_kernel");
  });
}

}  // namespace wick::cuda
