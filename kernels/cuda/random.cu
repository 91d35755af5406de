// Counter-based random numbers: kernels/common/philox.h, the generator and transforms the CPU backend runs
// too, so element i of a call is the same function of (seed, offset + i) on both devices and one seed gives
// the same tensor on either.
#include "backend_impl.h"
#include "common.cuh"
#include "common/philox.h"

namespace wick::cuda {
namespace {

struct RandomArgs {
  RandomKind kind;
  double a, b;
  uint64_t seed, offset;
  int digits;  // kernels::random_digits of the output dtype
};

template <class T>
__global__ void __launch_bounds__(kBlock) random_kernel(T* out, int64_t n, RandomArgs r) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    uint32_t w[4];
    kernels::philox4x32_10(r.seed, r.offset + uint64_t(i), w);
    if constexpr (std::is_same_v<T, int64_t>) {
      if (r.kind == RandomKind::Integer) {
        out[i] = kernels::random_integer(r.a, r.b, w);
        continue;
      }
    }
    const double v = kernels::random_value(r.kind, r.a, r.b, w, r.digits);
    out[i] = from_value<T>(v);
  }
}

}  // namespace

void CudaBackend::random(const View& out, RandomKind kind, double a, double b, uint64_t seed, uint64_t offset) {
  const int64_t n = out.numel();
  if (n == 0) return;
  WICK_CHECK(out.is_contiguous(), "random", "the output must be contiguous");
  if (kind == RandomKind::Integer) WICK_CHECK(int64_t(b) > int64_t(a), "random", "empty range [", a, ", ", b, ")");
  const cudaStream_t stream = launch_stream(out.data);
  const RandomArgs args{kind, a, b, seed, offset, kernels::random_digits(out.dtype)};
  dispatch_all(out.dtype, "random", [&](auto tag) {
    using T = typename decltype(tag)::type;
    random_kernel<T><<<blocks_for(n, kBlock), kBlock, 0, stream>>>(static_cast<T*>(out.data), n, args);
    check_launch("random", "random_kernel");
  });
}

}  // namespace wick::cuda
