// AArch64, compiled twice: for plain ARMv8 (widening multiplies and pairwise adds) and with
// -march=armv8.2-a+dotprod (sdot: four s8 x s8 products per int32 lane), the second chosen at run time on CPUs
// that have the dot-product extension. Activations are 7-bit, so their uint8 bytes are the same int8 values.
#if defined(__ARM_FEATURE_DOTPROD)
#define WICK_SIMD_NAMESPACE int8_neon_dot_impl
#else
#define WICK_SIMD_NAMESPACE int8_neon_impl
#endif
#define WICK_SIMD_ARCH xsimd::neon64
#include <arm_neon.h>
#include <sys/auxv.h>

#include <cstring>

#include "int8/int8_kernels_body.h"

namespace wick::cpu {
namespace WICK_SIMD_NAMESPACE {

struct Isa {
  static constexpr int64_t kLanes = 4;
  static constexpr int kRows = 4, kPanels = 1, kPanelsOneRow = 4;  // 16 accumulators of 32 registers
  static int32x4_t zero() { return vdupq_n_s32(0); }
  static int8x16_t activations(const uint8_t* p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    return vreinterpretq_s8_s32(vdupq_n_s32(four));
  }
  static int8x16_t weights(const int8_t* p) { return vld1q_s8(p); }
  static int32x4_t dot(int32x4_t acc, int8x16_t a, int8x16_t w) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, a, w);
#else
    // Lanes 0-7 hold channels 0 and 1 (4 bytes each), lanes 8-15 channels 2 and 3.
    const int32x4_t low = vpaddlq_s16(vmull_s8(vget_low_s8(a), vget_low_s8(w)));
    const int32x4_t high = vpaddlq_s16(vmull_s8(vget_high_s8(a), vget_high_s8(w)));
    return vaddq_s32(acc, vpaddq_s32(low, high));
#endif
  }
  static void store(int32_t* p, int32x4_t v) { vst1q_s32(p, v); }
};

#if defined(__ARM_FEATURE_DOTPROD)
bool runs_here() { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
#else
bool runs_here() { return true; }
#endif

}  // namespace WICK_SIMD_NAMESPACE

#if defined(__ARM_FEATURE_DOTPROD)
const Int8Kernels& int8_kernels_neon_dot() {
  using namespace WICK_SIMD_NAMESPACE;
  static const Int8Kernels k = make_int8_kernels<Isa>("neon_dot", "neon64", runs_here);
  return k;
}
#else
const Int8Kernels& int8_kernels_neon() {
  using namespace WICK_SIMD_NAMESPACE;
  static const Int8Kernels k = make_int8_kernels<Isa>("neon", "neon64", runs_here);
  return k;
}
#endif

}  // namespace wick::cpu
