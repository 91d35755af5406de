// The portable int8 set: int8_quantization.h's definitions as plain loops, compiled without instruction-set flags.
// It runs where no vector set applies and under WICK_CPU_CAPABILITY=scalar; the tests check the others against it.
#define WICK_SIMD_NAMESPACE int8_scalar_impl
#include "int8/int8_gemm_tiles.h"

namespace wick::cpu {
namespace int8_scalar_impl {

struct Isa {
  static constexpr int64_t kLanes = 1;
  static constexpr int kRows = 1, kPanels = 1, kPanelsOneRow = 1;
  static int32_t zero() { return 0; }
  static const uint8_t* activations(const uint8_t* p) { return p; }
  static const int8_t* weights(const int8_t* p) { return p; }
  static int32_t dot(int32_t acc, const uint8_t* a, const int8_t* w) {
    for (int t = 0; t < kGroup; ++t) acc += int32_t(a[t]) * int32_t(w[t]);
    return acc;
  }
  static void store(int32_t* p, int32_t v) { *p = v; }
};

bool min_max(const float* x, int64_t n, float* out_min, float* out_max) {
  float mn = x[0], mx = x[0];
  bool finite = true;
  for (int64_t i = 0; i < n; ++i) {
    finite = finite && std::abs(x[i]) < std::numeric_limits<float>::infinity();
    mn = x[i] < mn ? x[i] : mn;
    mx = x[i] > mx ? x[i] : mx;
  }
  *out_min = mn;
  *out_max = mx;
  return finite;
}

void quantize(const float* x, int64_t M, int64_t K, int8::ActivationParams p, uint8_t* q) {
  const int64_t Kp = int8::padded_k(K);
  for (int64_t m = 0; m < M; ++m)
    for (int64_t k = 0; k < Kp; ++k) q[m * Kp + k] = k < K ? int8::quantize_activation(x[m * K + k], p) : 0;
}

bool runs_here() { return true; }

}  // namespace int8_scalar_impl

const Int8Kernels& int8_kernels_scalar() {
  using namespace int8_scalar_impl;
  static const Int8Kernels k = {"scalar", "scalar", runs_here, min_max, quantize, gemm<Isa>};
  return k;
}

}  // namespace wick::cpu
