// Dynamic int8 linear layers (wick/quantized_linear.h). A backend with the LinearInt8 kernels (the CPU) runs the
// whole layer in one call; elsewhere, and with the fused kernels switched off, it is composed from tensor ops with
// the same arithmetic: the integer products summed exactly in float64, so both paths give the same bits.
#include "wick/quantized_linear.h"

#include <cmath>

#include "fused.h"
#include "int8_quantization.h"
#include "ops/elementwise.h"
#include "tensor_factory.h"
#include "wick/detail/op_scope.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::quantization {
namespace {

constexpr const char* kOp = "quantization::linear_dynamic";

// The backend's int8 kernels for this device whether or not fused kernels are switched on now (the packing is
// made once and must serve both).
FusedKernels* int8_kernels_of(Device device) {
  FusedKernels* fused = backend_for(device).fused_kernels();
  return fused && fused->supports(FusedOp::LinearInt8, kFloat) ? fused : nullptr;
}

// x [M, K] times the int8 weight, composed: exact integer sums in float64, then int8::dequantize's float32 steps.
Tensor compose(const Tensor& x, const Tensor& weight, const Tensor& col_sum, const Tensor& combined,
               const int8::ActivationParams& p) {
  const Tensor xq = (x * p.inverse_scale).round().add_(double(p.zero_point)).clamp_(0, int8::kActivationMax);
  const Tensor dot = xq.to(kDouble).matmul(weight.to(kDouble).t());
  return (dot - col_sum.to(kDouble) * double(p.zero_point)).to(kFloat) * combined;
}

// Throws unless weight is int8 [N, K] and scale float32 [N] on the same device.
void check_int8_weight(const Tensor& weight, const Tensor& scale) {
  WICK_CHECK(weight.defined() && scale.defined(), kOp, "the int8 weight or its scale is undefined");
  WICK_CHECK(weight.dim() == 2 && weight.scalar_type() == kInt8, kOp,
             "the weight must be int8 [out_features, in_features], got ", dtype_name(weight.scalar_type()),
             " of shape ", shape_str(weight.sizes()));
  WICK_CHECK(scale.dim() == 1 && scale.scalar_type() == kFloat && scale.size(0) == weight.size(0), kOp,
             "the scale must be float32 [", weight.size(0), "] (one per output channel), got ",
             dtype_name(scale.scalar_type()), " of shape ", shape_str(scale.sizes()));
  WICK_CHECK(weight.device() == scale.device(), kOp, "the weight is on ", weight.device().str(), " but its scale on ",
             scale.device().str());
}

}  // namespace

std::pair<Tensor, Tensor> quantize_per_channel_symmetric(const Tensor& weight) {
  WICK_CHECK(weight.defined(), "quantization::quantize_per_channel_symmetric", "the weight is undefined");
  WICK_CHECK(weight.dim() == 2 && is_floating_point(weight.scalar_type()),
             "quantization::quantize_per_channel_symmetric",
             "expects a floating point weight [out_features, in_features], got ", dtype_name(weight.scalar_type()),
             " of shape ", shape_str(weight.sizes()));
  NoGradGuard no_grad;
  const Tensor w = weight.to(kFloat).cpu().contiguous();
  const int64_t N = w.size(0), K = w.size(1);
  Tensor q = empty({N, K}, TensorOptions().dtype(kInt8));
  Tensor scale = empty({N}, TensorOptions().dtype(kFloat));
  const float* src = w.data_ptr<float>();
  int8_t* dst = static_cast<int8_t*>(q.data_ptr());
  float* s = scale.data_ptr<float>();
  for (int64_t n = 0; n < N; ++n) {
    const float* row = src + n * K;
    float amax = 0.f;
    for (int64_t k = 0; k < K; ++k) {
      WICK_CHECK(std::isfinite(row[k]), "quantization::quantize_per_channel_symmetric", "weight[", n, ", ", k, "] is ",
                 row[k], ": only finite weights can be quantized");
      amax = std::abs(row[k]) > amax ? std::abs(row[k]) : amax;
    }
    s[n] = int8::weight_scale(amax);
    const float inverse = 1.f / s[n];
    for (int64_t k = 0; k < K; ++k) dst[n * K + k] = int8::quantize_weight(row[k], inverse);
  }
  return {q.to(weight.device()), scale.to(weight.device())};
}

Tensor dequantize_per_channel(const Tensor& weight_int8, const Tensor& scale) {
  check_int8_weight(weight_int8, scale);
  NoGradGuard no_grad;
  return weight_int8.to(kFloat) * scale.unsqueeze(1);
}

PackedLinearWeight::PackedLinearWeight(Tensor weight, Tensor scale)
    : weight_(std::move(weight)), scale_(std::move(scale)) {
  check_int8_weight(weight_, scale_);
  weight_version_ = weight_._version();
  scale_version_ = scale_._version();
  NoGradGuard no_grad;
  col_sum_ = weight_.to(kInt32).sum(1).to(kInt32);
  if (FusedKernels* kernels = int8_kernels_of(weight_.device())) {
    dense_scale_ = scale_.contiguous();
    const Tensor w = weight_.contiguous();
    packed_ = empty({int8::packed_bytes(w.size(0), w.size(1))}, TensorOptions().dtype(kInt8).device(w.device()));
    kernels->pack_int8_weight(view_of(packed_), view_of(w));
  }
}

bool PackedLinearWeight::packs(const Tensor& weight, const Tensor& scale) const {
  // weight_ and scale_ keep their memory alive, so equal addresses mean the same tensors' memory.
  return weight.defined() && scale.defined() && weight.data_ptr() == weight_.data_ptr() &&
         scale.data_ptr() == scale_.data_ptr() && weight.sizes() == weight_.sizes() &&
         weight.strides() == weight_.strides() && scale.sizes() == scale_.sizes() &&
         weight._version() == weight_version_ && scale._version() == scale_version_;
}

Tensor linear_dynamic(const Tensor& input, const PackedLinearWeight& weight, const Tensor& bias) {
  WICK_PROFILE_OP("quantization::linear_dynamic", input, weight.weight_, bias);
  WICK_CHECK(input.defined(), kOp, "the input is undefined");
  const int64_t N = weight.out_features(), K = weight.in_features();
  WICK_CHECK(input.scalar_type() == kFloat, kOp, "expects a float32 input, got ", dtype_name(input.scalar_type()));
  WICK_CHECK(input.dim() >= 1 && input.size(-1) == K, kOp, "input of shape ", shape_str(input.sizes()),
             " does not match the int8 weight of shape ", shape_str(weight.weight_.sizes()), " (in_features ", K, ")");
  check_same_device(kOp, input, weight.weight_);
  WICK_CHECK(!(detail::grad_mode_enabled() && input.requires_grad()), kOp,
             "the input requires grad, but an int8 layer has no derivative: run it under NoGradGuard or "
             "InferenceMode, or on an input that does not require grad");
  if (bias.defined()) {
    check_same_device(kOp, input, bias);
    WICK_CHECK(bias.dim() == 1 && bias.size(0) == N && bias.scalar_type() == kFloat, kOp, "bias must be float32 [", N,
               "], got ", dtype_name(bias.scalar_type()), " of shape ", shape_str(bias.sizes()));
  }
  NoGradGuard no_grad;
  const bool matrix = input.dim() == 2;  // the common case: no reshaping views around the call
  // Dense operands are used as they are: at batch 1 a policy's layer takes about 300 ns, and each Tensor copy and
  // profiler check adds a few.
  Tensor reshaped;
  const Tensor& x =
      matrix && input.is_contiguous() ? input : (reshaped = (matrix ? input : input.reshape({-1, K})).contiguous());
  const int64_t M = x.size(0);
  auto shaped = [&](const Tensor& out) {
    if (matrix) return out;
    SizeVec out_sizes(input.sizes());
    out_sizes.back() = N;
    return out.view(out_sizes);
  };

  if (detail::fused_for(x.device(), FusedOp::LinearInt8, kFloat) && weight.packed_.defined()) {
    Tensor out = empty({M, N}, TensorOptions().dtype(kFloat).device(x.device()));
    Tensor dense_bias;
    const Tensor& b = !bias.defined() || bias.is_contiguous() ? bias : (dense_bias = bias.contiguous());
    const View bias_view = b.defined() ? view_of(b) : View{};
    detail::fused_kernels_of(x.device())
        .linear_int8(view_of(out), view_of(x), view_of(weight.packed_), view_of(weight.dense_scale_),
                     view_of(weight.col_sum_), b.defined() ? &bias_view : nullptr);
    return shaped(out);
  }
  int8::ActivationParams params{1.f, 1.f, 0};
  if (x.numel() > 0) {
    const float min = x.min().item<float>(), max = x.max().item<float>();
    WICK_CHECK(std::isfinite(min) && std::isfinite(max), kOp, "the input holds a NaN or an infinity (its range is [",
               min, ", ", max, "]); int8 activations need finite values");
    params = int8::choose_activation_params(min, max);
  }
  Tensor out = compose(x, weight.weight_, weight.col_sum_, weight.scale_ * params.scale, params);
  if (bias.defined()) out.add_(bias);
  return shaped(out);
}

namespace {
// Each thread's packings by cache, a few slots chosen by the cache's address: what get() hands out stays alive here
// while the thread uses it, even if another thread re-packs meanwhile.
struct ThreadPackings {
  static constexpr size_t kSlots = 16;
  struct Slot {
    const PackedLinearWeightCache* cache = nullptr;
    std::shared_ptr<const PackedLinearWeight> packed;
  };
  Slot slots[kSlots];

  Slot& of(const PackedLinearWeightCache* cache) {
    return slots[(reinterpret_cast<uintptr_t>(cache) / alignof(PackedLinearWeightCache)) % kSlots];
  }
};
thread_local ThreadPackings thread_packings;
}  // namespace

const PackedLinearWeight& PackedLinearWeightCache::get(const Tensor& weight, const Tensor& scale) const {
  ThreadPackings::Slot& slot = thread_packings.of(this);
  if (slot.cache == this && slot.packed->packs(weight, scale)) return *slot.packed;
  std::shared_ptr<const PackedLinearWeight> p = packed_.load();
  if (!p || !p->packs(weight, scale)) {
    p = std::make_shared<const PackedLinearWeight>(weight, scale);
    packed_.store(p);
  }
  slot.cache = this;
  slot.packed = std::move(p);
  return *slot.packed;
}

}  // namespace wick::quantization
