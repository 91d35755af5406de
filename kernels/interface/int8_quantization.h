// The arithmetic of dynamic int8 quantization that lib/ and every backend must agree on, bit for bit: how a
// weight matrix becomes int8 with per-output-channel scales, how a call's activations are given a scale and zero
// point, and the packed weight layout the CPU kernels read. It is PyTorch's (torch.ao.quantization's
// per_channel_dynamic_qconfig, and its x86 engines' dynamic linear), so models quantized here and there agree:
//   weights      wq[n, k] = clamp(nearbyint(w[n, k] * (1 / s[n])), -128, 127),  s[n] = max(amax(w[n, :]) / 127.5, eps)
//   activations  xq = clamp(nearbyint(x * (1 / sx)) + zx, 0, 127)  (uint8 with PyTorch's reduce_range: 7 bits, so
//                that the AVX2/SSE kernels' 16-bit pair sums cannot saturate), sx and zx from the call's min and max
//   output       y[m, n] = float(sum_k xq[m, k] wq[n, k] - zx sum_k wq[n, k]) * float(sx * s[n]) + bias[n]
// The integer sum is exact (int32 holds it for K up to 66,000), so every kernel set gives the same bits.
//
// The functions are static: each file gets its own copy, compiled with its own instruction-set flags, so the linker
// can never hand an AVX-512 copy to the portable kernels.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace wick::int8 {

inline constexpr int32_t kActivationMax = 127;  // reduce_range: activations use [0, 127]

// Packed weights: panels of kPanel output channels; within a panel, for each group of kGroup consecutive k, the
// kGroup bytes of channel 0, then channel 1, ... (one 64-byte line per group: what a VNNI dot product consumes).
// Channels past N and k past K are zero.
inline constexpr int64_t kPanel = 16;
inline constexpr int64_t kGroup = 4;
static inline int64_t padded_k(int64_t K) { return (K + kGroup - 1) / kGroup * kGroup; }
static inline int64_t panel_count(int64_t N) { return (N + kPanel - 1) / kPanel; }
static inline int64_t packed_bytes(int64_t N, int64_t K) { return panel_count(N) * kPanel * padded_k(K); }
// Where wq[n, k] lives in the packed buffer.
static inline int64_t packed_offset(int64_t n, int64_t k, int64_t K) {
  return (n / kPanel) * kPanel * padded_k(K) + (k / kGroup) * kPanel * kGroup + (n % kPanel) * kGroup + k % kGroup;
}

// The per-channel symmetric scale of a weight row whose largest magnitude is amax (PerChannelMinMaxObserver).
static inline float weight_scale(float amax) {
  const float s = amax / 127.5f;
  return s > std::numeric_limits<float>::epsilon() ? s : std::numeric_limits<float>::epsilon();
}
static inline int8_t quantize_weight(float w, float inverse_scale) {
  const float q = std::nearbyint(w * inverse_scale);
  return int8_t(q < -128.f ? -128.f : q > 127.f ? 127.f : q);
}

struct ActivationParams {
  float scale;
  float inverse_scale;  // 1 / scale, in float: what every kernel multiplies by
  int32_t zero_point;
};

// PyTorch's ChooseQuantizationParams (aten/src/ATen/native/quantized/cpu/QuantUtils.h) for [0, kActivationMax],
// without sparsity preservation or power-of-two scales. min and max must be finite.
static inline ActivationParams choose_activation_params(float min, float max) {
  constexpr int32_t qmin = 0, qmax = kActivationMax;
  constexpr float kSmallScale = 6.1e-5f;  // PyTorch's SMALL_SCALE_THRESHOLD
  min = min < 0.f ? min : 0.f;
  max = max > 0.f ? max : 0.f;
  double scale = (double(max) - min) / (qmax - qmin);
  if (float(scale) == 0.f || std::isinf(1.f / float(scale))) scale = 0.1;
  if (scale < kSmallScale) {
    const float original = float(scale);
    scale = kSmallScale;
    if (min == 0.f) {
      max = kSmallScale * (qmax - qmin);
    } else if (max == 0.f) {
      min = -kSmallScale * (qmax - qmin);
    } else {
      const float amplifier = kSmallScale / original;
      min *= amplifier;
      max *= amplifier;
    }
  }
  const double from_min = qmin - min / scale, from_max = qmax - max / scale;
  const double from_min_error = std::abs(qmin) - std::abs(min / scale);
  const double from_max_error = std::abs(qmax) - std::abs(max / scale);
  const double initial = from_min_error < from_max_error ? from_min : from_max;
  const int32_t zero_point = initial < qmin ? qmin : initial > qmax ? qmax : int32_t(std::nearbyint(initial));
  const float s = float(scale);
  return {s, 1.f / s, zero_point};
}

static inline uint8_t quantize_activation(float x, const ActivationParams& p) {
  const float q = std::nearbyint(x * p.inverse_scale) + float(p.zero_point);
  return uint8_t(q < 0.f ? 0.f : q > float(kActivationMax) ? float(kActivationMax) : q);
}

// One output element from its exact integer dot product.
static inline float dequantize(int32_t dot, int32_t zero_point, int32_t col_sum, float combined_scale, float bias) {
  return float(dot - zero_point * col_sum) * combined_scale + bias;
}

}  // namespace wick::int8
