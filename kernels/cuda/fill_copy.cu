// fill and copy (with a cast between any two of the 8 dtypes) over strided views. Dense same-dtype copies
// and zero fills go to the copy/memset engines; the rest run the elementwise loop.
#include "backend_impl.h"
#include "loops.cuh"

namespace wick::cuda {
namespace {

template <class T>
struct IdentityF {
  __device__ T operator()(T x) const { return x; }
};

template <class To, class From>
struct CastF {
  __device__ To operator()(From x) const { return from_value<To>(x); }
};

bool all_zero_bytes(const void* p, int n) {
  const unsigned char* b = static_cast<const unsigned char*>(p);
  for (int i = 0; i < n; ++i)
    if (b[i]) return false;
  return true;
}

}  // namespace

void CudaBackend::fill(const View& out, double value) {
  if (out.numel() == 0) return;
  dispatch_all(out.dtype, "fill", [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = from_value<T>(value);
    if (out.is_contiguous() && all_zero_bytes(&v, sizeof(T))) {
      WICK_CUDA_CHECK("fill", cudaMemsetAsync(out.data, 0, size_t(out.numel()) * sizeof(T), launch_stream(out.data)));
      return;
    }
    elementwise<T>("fill", FillValue<T>{v}, out, {});
  });
}

void CudaBackend::copy(const View& out, const View& in) {
  if (out.numel() == 0) return;
  if (out.dtype == in.dtype) {
    const View* views[2] = {&out, &in};
    const Plan<2> plan(views, "copy");
    if (plan.linear() && plan.strides[1][0] == 1) {
      WICK_CUDA_CHECK("copy", cudaMemcpyAsync(plan.base[0], plan.base[1], size_t(plan.numel()) * plan.esize[0],
                                              cudaMemcpyDeviceToDevice, launch_stream(out.data)));
      return;
    }
    // Transposes, permutes, broadcasts: only the bits move, so one kernel per element size.
    dispatch_by_size(out.dtype, [&](auto tag) {
      using U = typename decltype(tag)::type;
      elementwise<U, U>("copy", IdentityF<U>{}, out, {&in});
    });
    return;
  }
  dispatch_all(out.dtype, "copy", [&](auto to_tag) {
    using To = typename decltype(to_tag)::type;
    dispatch_all(in.dtype, "copy", [&](auto from_tag) {
      using From = typename decltype(from_tag)::type;
      if constexpr (!std::is_same_v<To, From>) elementwise<To, From>("copy", CastF<To, From>{}, out, {&in});
    });
  });
}

}  // namespace wick::cuda
