// Dynamic int8 linear layers on the CPU (int8_quantization.h has the arithmetic): the call's activations get a
// scale and zero point from their range, are quantized once into a per-thread buffer, and the int8 kernel set
// (int8/int8_kernels.h) multiplies them with the packed weight, dequantizing as it writes each output. The buffers
// only grow, so a fixed-shape model allocates on its first call and never again; problems the size of a batch-1
// policy stay on the calling thread.
#include <vector>

#include "cpu_backend.h"
#include "int8/int8_kernels.h"
#include "thread_pool.h"
#include "wick/error.h"

namespace wick::cpu {
namespace {

// Multiply-adds per chunk of output panels below which the work stays on one thread.
constexpr int64_t kInt8Grain = int64_t(1) << 18;

}  // namespace

void CpuBackend::pack_int8_weight(const View& packed, const View& weight) {
  const int64_t N = weight.sizes[0], K = weight.sizes[1];
  const int8_t* w = static_cast<const int8_t*>(weight.data);
  int8_t* out = static_cast<int8_t*>(packed.data);
  // The packed buffer in order (int8::packed_offset's layout), zeros past N and K.
  const int64_t groups = int8::padded_k(K) / int8::kGroup;
  for (int64_t p = 0; p < int8::panel_count(N); ++p)
    for (int64_t g = 0; g < groups; ++g)
      for (int64_t lane = 0; lane < int8::kPanel; ++lane) {
        const int64_t n = p * int8::kPanel + lane;
        for (int64_t t = 0; t < int8::kGroup; ++t) {
          const int64_t k = g * int8::kGroup + t;
          *out++ = n < N && k < K ? w[n * K + k] : int8_t(0);
        }
      }
}

void CpuBackend::linear_int8(const View& out, const View& x, const View& packed, const View& scale, const View& col_sum,
                             const View* bias) {
  const int64_t M = x.sizes[0], K = x.sizes[1], N = out.sizes[1];
  if (M == 0 || N == 0) return;
  const float* input = static_cast<const float*>(x.data);
  float* output = static_cast<float*>(out.data);
  const Int8Kernels& kernels = int8_kernels();

  int8::ActivationParams params{1.f, 1.f, 0};
  if (K > 0) {
    float min = 0, max = 0;
    WICK_CHECK(kernels.min_max(input, M * K, &min, &max), "quantization::linear_dynamic",
               "the input holds a NaN or an infinity (its range is [", min, ", ", max,
               "]); int8 activations need finite values");
    params = int8::choose_activation_params(min, max);
  }
  thread_local std::vector<uint8_t> quantized;
  thread_local std::vector<float> combined;
  quantized.resize(size_t(M * int8::padded_k(K)));
  combined.resize(size_t(N));
  kernels.quantize(input, M, K, params, quantized.data());
  const float* weight_scale = static_cast<const float*>(scale.data);
  for (int64_t n = 0; n < N; ++n) combined[size_t(n)] = params.scale * weight_scale[n];

  const uint8_t* q = quantized.data();
  const float* comb = combined.data();
  const int8_t* w = static_cast<const int8_t*>(packed.data);
  const int32_t* sums = static_cast<const int32_t*>(col_sum.data);
  const float* b = bias ? static_cast<const float*>(bias->data) : nullptr;
  const int64_t per_panel = M * int8::kPanel * int8::padded_k(K);
  const int64_t grain = per_panel > 0 && per_panel < kInt8Grain ? kInt8Grain / per_panel : 1;
  parallel_for(0, int8::panel_count(N), grain, [&](int64_t p0, int64_t p1) {
    kernels.gemm(q, M, K, w, p0, p1, N, params.zero_point, comb, sums, b, output);
  });
}

}  // namespace wick::cpu
