// Counter-based random numbers: Philox 4x32-10 exactly as kernels/cpu/random.cpp, so element i of a call
// is the same function of (seed, offset + i) on both devices and one seed gives the same tensor on either.
// The arithmetic after the generator (scaling, Box-Muller, conversion) is also the CPU's, in double.
#include "backend_impl.h"
#include "common.cuh"

namespace wick::cuda {
namespace {

__device__ __forceinline__ void philox_round(uint32_t c[4], const uint32_t k[2]) {
  const uint64_t p0 = uint64_t(0xD2511F53u) * c[0];
  const uint64_t p1 = uint64_t(0xCD9E8D57u) * c[2];
  const uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
  const uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
  c[0] = hi1 ^ c[1] ^ k[0];
  c[1] = lo1;
  c[2] = hi0 ^ c[3] ^ k[1];
  c[3] = lo0;
}

__device__ __forceinline__ void philox(uint64_t seed, uint64_t n, uint32_t out[4]) {
  uint32_t c[4] = {uint32_t(n), uint32_t(n >> 32), 0, 0};
  uint32_t k[2] = {uint32_t(seed), uint32_t(seed >> 32)};
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    philox_round(c, k);
    k[0] += 0x9E3779B9u;
    k[1] += 0xBB67AE85u;
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) out[i] = c[i];
}

__device__ __forceinline__ double uniform53(uint32_t hi, uint32_t lo) {
  return double((uint64_t(hi) << 21) ^ (lo >> 11)) * (1.0 / 9007199254740992.0);
}

struct RandomArgs {
  RandomKind kind;
  double a, b;
  uint64_t seed, offset;
};

template <class T>
__global__ void __launch_bounds__(kBlock) random_kernel(T* out, int64_t n, RandomArgs r) {
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    uint32_t w[4];
    philox(r.seed, r.offset + uint64_t(i), w);
    double v = 0;
    switch (r.kind) {
      case RandomKind::Uniform: {
        const double u = sizeof(T) <= 4 ? double(w[0] >> 8) * (1.0 / 16777216.0) : uniform53(w[0], w[1]);
        v = r.a + (r.b - r.a) * u;
        if (v >= r.b) v = r.a;  // rounding must not reach the open end
        break;
      }
      case RandomKind::Normal: {                        // Box-Muller on two independent uniforms
        const double u1 = 1.0 - uniform53(w[0], w[1]);  // (0, 1]
        const double u2 = uniform53(w[2], w[3]);
        v = r.a + r.b * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        break;
      }
      case RandomKind::Integer: {
        const uint64_t range = uint64_t(int64_t(r.b) - int64_t(r.a));
        const uint64_t x = (uint64_t(w[0]) << 32) | w[1];
        if constexpr (std::is_same_v<T, int64_t>) {
          out[i] = int64_t(r.a) + int64_t(x % range);
          continue;
        }
        v = double(int64_t(r.a) + int64_t(x % range));
        break;
      }
      case RandomKind::Bernoulli: v = uniform53(w[0], w[1]) < r.a ? 1.0 : 0.0; break;
    }
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
  const RandomArgs args{kind, a, b, seed, offset};
  dispatch_all(out.dtype, "random", [&](auto tag) {
    using T = typename decltype(tag)::type;
    random_kernel<T><<<blocks_for(n, kBlock), kBlock, 0, stream>>>(static_cast<T*>(out.data), n, args);
    check_launch("random", "random_kernel");
  });
}

}  // namespace wick::cuda
