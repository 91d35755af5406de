// The loop under every elementwise kernel (fill, copy/cast, unary, binary, where). Operands share one
// shape (lib/ broadcast them); size-1 dims are dropped and dims every operand walks as one are merged, as
// in kernels/cpu/loops.h. Then one of two kernels runs:
//   linear: every input is laid out like the (contiguous) output or is a broadcast scalar; each thread
//           moves 16 bytes per operand with vector loads and stores;
//   strided: any strides; 32-bit offsets from the element index by multiply-shift division. Problems too
//           large for 32-bit offsets are split along their largest dim until each piece fits.
//
// A functor F gives the element operation: `Out operator()(In... values) const`, a __device__ member.
#pragma once

#include <array>
#include <utility>

#include "common.cuh"

namespace wick::cuda {

inline constexpr int kMaxDims = 16;

// ---- host-side plan -----------------------------------------------------------------------------------
template <int N>  // N operands, operand 0 is the output
struct Plan {
  int ndim = 0;
  int64_t sizes[kMaxDims];       // outermost first
  int64_t strides[N][kMaxDims];  // in elements
  char* base[N];
  int esize[N];

  Plan(const View* const* views, const char* op) {
    const View& out = *views[0];
    WICK_CHECK(out.ndim <= kMaxDims, op, "tensors of more than ", kMaxDims, " dims are not supported on CUDA");
    for (int k = 0; k < N; ++k) {
      base[k] = static_cast<char*>(views[k]->data);
      esize[k] = element_size(views[k]->dtype);
    }
    for (int d = 0; d < out.ndim; ++d) {
      if (out.sizes[d] == 1) continue;
      sizes[ndim] = out.sizes[d];
      for (int k = 0; k < N; ++k) strides[k][ndim] = views[k]->strides[d];
      ++ndim;
    }
    coalesce();
    if (ndim == 0) {
      sizes[0] = 1;
      for (int k = 0; k < N; ++k) strides[k][0] = 0;
      ndim = 1;
    }
  }

  void coalesce() {
    if (ndim < 2) return;
    int o = 0;
    for (int d = 1; d < ndim; ++d) {
      bool mergeable = true;
      for (int k = 0; k < N; ++k)
        if (strides[k][o] != strides[k][d] * sizes[d]) mergeable = false;
      if (mergeable) {
        sizes[o] *= sizes[d];
        for (int k = 0; k < N; ++k) strides[k][o] = strides[k][d];
      } else {
        ++o;
        sizes[o] = sizes[d];
        for (int k = 0; k < N; ++k) strides[k][o] = strides[k][d];
      }
    }
    ndim = o + 1;
  }

  int64_t numel() const {
    int64_t n = 1;
    for (int d = 0; d < ndim; ++d) n *= sizes[d];
    return n;
  }

  // One dim, output dense, every input dense or a broadcast scalar.
  bool linear() const {
    if (ndim != 1 || strides[0][0] != 1) return false;
    for (int k = 1; k < N; ++k)
      if (strides[k][0] != 0 && strides[k][0] != 1) return false;
    return true;
  }

  bool fits_32bit() const {
    constexpr int64_t kMax = 0x7fffffff;
    if (numel() > kMax) return false;
    for (int k = 0; k < N; ++k) {
      int64_t extent = 0;
      for (int d = 0; d < ndim; ++d) extent += (sizes[d] - 1) * (strides[k][d] < 0 ? -strides[k][d] : strides[k][d]);
      if (extent > kMax) return false;
    }
    return true;
  }
};

// Calls f(piece) for pieces of `plan` that each fit 32-bit offsets.
template <int N, class F>
void for_each_32bit_piece(const Plan<N>& plan, F&& f) {
  if (plan.fits_32bit()) {
    f(plan);
    return;
  }
  int d = 0;
  for (int k = 1; k < plan.ndim; ++k)
    if (plan.sizes[k] > plan.sizes[d]) d = k;
  const int64_t half = plan.sizes[d] / 2;
  Plan<N> first = plan, second = plan;
  first.sizes[d] = half;
  second.sizes[d] = plan.sizes[d] - half;
  for (int k = 0; k < N; ++k) second.base[k] += half * plan.strides[k][d] * plan.esize[k];
  for_each_32bit_piece(first, f);
  for_each_32bit_piece(second, f);
}

// ---- device-side offsets --------------------------------------------------------------------------
// Unsigned division by a run-time constant as a multiply-high and a shift (valid for n < 2^31).
struct FastDiv {
  uint32_t divisor = 1, magic = 1, shift = 0;
  FastDiv() = default;
  explicit FastDiv(uint32_t d) : divisor(d) {
    shift = 0;
    while (shift < 32 && (uint32_t(1) << shift) < d) ++shift;
    const uint64_t one = 1;
    magic = uint32_t(((one << 32) * ((one << shift) - d)) / d + 1);
  }
  __device__ __forceinline__ uint32_t div(uint32_t n) const { return (__umulhi(n, magic) + n) >> shift; }
};

template <int N>
struct Offsets32 {
  int ndim;
  FastDiv div[kMaxDims];          // innermost first
  uint32_t strides[kMaxDims][N];  // innermost first, elements

  explicit Offsets32(const Plan<N>& p) : ndim(p.ndim) {
    for (int d = 0; d < p.ndim; ++d) {
      const int src = p.ndim - 1 - d;
      div[d] = FastDiv(uint32_t(p.sizes[src]));
      for (int k = 0; k < N; ++k) strides[d][k] = uint32_t(p.strides[k][src]);
    }
  }

  __device__ __forceinline__ void get(uint32_t i, uint32_t (&off)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) off[k] = 0;
#pragma unroll 4
    for (int d = 0; d < kMaxDims; ++d) {
      if (d == ndim) break;
      const uint32_t q = div[d].div(i);
      const uint32_t r = i - q * div[d].divisor;
      i = q;
#pragma unroll
      for (int k = 0; k < N; ++k) off[k] += r * strides[d][k];
    }
  }
};

// ---- kernels --------------------------------------------------------------------------------------
template <class T, int V>
struct alignas(sizeof(T) * V) Pack {
  T v[V];
};

template <int K>
struct Inputs {
  const void* p[K > 0 ? K : 1];
  int64_t step[K > 0 ? K : 1];  // 0 (broadcast scalar) or 1 in the linear kernel
};

template <int V, class T>
__device__ __forceinline__ Pack<T, V> load_pack(const void* p, int64_t step, int64_t base) {
  if (step == 0) {
    Pack<T, V> r;
    const T v = *static_cast<const T*>(p);
#pragma unroll
    for (int j = 0; j < V; ++j) r.v[j] = v;
    return r;
  }
  return *reinterpret_cast<const Pack<T, V>*>(static_cast<const T*>(p) + base);
}

template <int V, class F, class Out, class... P>
__device__ __forceinline__ void apply_pack(const F& f, Pack<Out, V>& o, const P&... in) {
#pragma unroll
  for (int j = 0; j < V; ++j) o.v[j] = f(in.v[j]...);
}

template <int V, class F, class Out, class... In, size_t... I>
__device__ __forceinline__ void linear_body(const F& f, Out* out, const Inputs<sizeof...(In)>& in, int64_t n,
                                            std::index_sequence<I...>) {
  const int64_t stride = int64_t(gridDim.x) * blockDim.x * V;
  for (int64_t base = (int64_t(blockIdx.x) * blockDim.x + threadIdx.x) * V; base < n; base += stride) {
    if (base + V <= n) {
      Pack<Out, V> o;
      apply_pack<V>(f, o, load_pack<V, In>(in.p[I], in.step[I], base)...);
      *reinterpret_cast<Pack<Out, V>*>(out + base) = o;
    } else {
      for (int64_t i = base; i < n; ++i) out[i] = f(static_cast<const In*>(in.p[I])[i * in.step[I]]...);
    }
  }
}

template <int V, class F, class Out, class... In>
__global__ void __launch_bounds__(kBlock) linear_kernel(F f, Out* out, Inputs<sizeof...(In)> in, int64_t n) {
  linear_body<V, F, Out, In...>(f, out, in, n, std::index_sequence_for<In...>{});
}

template <class F, class Out, class... In, size_t... I>
__device__ __forceinline__ void strided_body(const F& f, char* out, const Inputs<sizeof...(In)>& in,
                                             const Offsets32<1 + sizeof...(In)>& oc, uint32_t n,
                                             std::index_sequence<I...>) {
  const uint32_t stride = gridDim.x * blockDim.x;
  for (uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
    uint32_t off[1 + sizeof...(In)];
    oc.get(i, off);
    reinterpret_cast<Out*>(out)[off[0]] = f(static_cast<const In*>(in.p[I])[off[I + 1]]...);
  }
}

template <class F, class Out, class... In>
__global__ void __launch_bounds__(kBlock)
    strided_kernel(F f, char* out, Inputs<sizeof...(In)> in, Offsets32<1 + sizeof...(In)> oc, uint32_t n) {
  strided_body<F, Out, In...>(f, out, in, oc, n, std::index_sequence_for<In...>{});
}

template <class... T>
constexpr int vector_width() {
  size_t widest = 1;
  ((widest = sizeof(T) > widest ? sizeof(T) : widest), ...);
  const size_t v = 16 / widest;
  return v > 8 ? 8 : int(v);
}

template <class T>
struct FillValue {
  T value;
  __device__ T operator()() const { return value; }
};

// ---- the launcher -------------------------------------------------------------------------------------
// out[i] = f(ins[0][i], ins[1][i], ...) with element types Out, In... (the views' dtypes must match them).
template <class Out, class... In, class F>
void elementwise(const char* op, const F& f, const View& out, const std::array<const View*, sizeof...(In)>& ins) {
  constexpr int K = sizeof...(In), N = 1 + K;
  const View* views[N];
  views[0] = &out;
  for (int k = 0; k < K; ++k) views[k + 1] = ins[size_t(k)];
  const Plan<N> plan(views, op);
  const int64_t n = plan.numel();
  if (n == 0 || out.numel() == 0) return;
  const cudaStream_t stream = launch_stream(out.data);

  if (plan.linear()) {
    constexpr int V = vector_width<Out, In...>();
    bool aligned = true;
    for (int k = 0; k < N; ++k)
      if (plan.strides[k][0] != 0 && uintptr_t(plan.base[k]) % uintptr_t(V * plan.esize[k]) != 0) aligned = false;
    if (aligned) {
      Inputs<K> in{};
      for (int k = 0; k < K; ++k) {
        in.p[k] = plan.base[k + 1];
        in.step[k] = plan.strides[k + 1][0];
      }
      linear_kernel<V, F, Out, In...>
          <<<blocks_for(n, int64_t(kBlock) * V), kBlock, 0, stream>>>(f, reinterpret_cast<Out*>(plan.base[0]), in, n);
      check_launch(op, "linear elementwise kernel");
      return;
    }
  }
  for_each_32bit_piece(plan, [&](const Plan<N>& piece) {
    Inputs<K> in{};
    for (int k = 0; k < K; ++k) {
      in.p[k] = piece.base[k + 1];
      in.step[k] = 0;
    }
    const uint32_t m = uint32_t(piece.numel());
    strided_kernel<F, Out, In...>
        <<<blocks_for(m, kBlock), kBlock, 0, stream>>>(f, piece.base[0], in, Offsets32<N>(piece), m);
    check_launch(op, "strided elementwise kernel");
  });
}

}  // namespace wick::cuda
