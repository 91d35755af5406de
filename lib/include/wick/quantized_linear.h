// Dynamic int8 linear layers, as PyTorch's torch.ao.quantization.quantize_dynamic makes them: weights stored as
// int8 with one symmetric scale per output channel, activations quantized to uint8 on each call from their own
// range, an integer matrix product, and float32 out. The arithmetic, which equals PyTorch's x86 engines', is in
// kernels/interface/int8_quantization.h. Inference only: nothing is recorded on the tape.
#pragma once

#include <atomic>
#include <memory>
#include <utility>

#include "wick/tensor.h"

namespace wick::quantization {

// PyTorch's per-channel symmetric int8 quantization of a weight [N, K] (any floating dtype):
// {int8 [N, K], float32 scales [N]}, weight ~= int8 * scale[:, None].
std::pair<Tensor, Tensor> quantize_per_channel_symmetric(const Tensor& weight);
// int8 [N, K] * scale[:, None], in float32.
Tensor dequantize_per_channel(const Tensor& weight_int8, const Tensor& scale);

// An int8 weight [N, K] and its scales [N] prepared for linear_dynamic: packed for the device's kernels, with each
// row's sum. It remembers which tensors it was made from, so a holder can tell when they have been written since.
class PackedLinearWeight {
 public:
  PackedLinearWeight(Tensor weight, Tensor scale);  // checks shapes, dtypes and devices, then packs

  const Tensor& weight() const { return weight_; }
  const Tensor& scale() const { return scale_; }
  int64_t in_features() const { return weight_.size(1); }
  int64_t out_features() const { return weight_.size(0); }
  // Whether these are still the tensors it packed, unchanged since (same memory, same version counters).
  bool packs(const Tensor& weight, const Tensor& scale) const;

 private:
  friend Tensor linear_dynamic(const Tensor& input, const PackedLinearWeight& weight, const Tensor& bias);
  Tensor weight_, scale_;
  Tensor packed_;       // the CPU kernels' layout (int8_quantization.h); undefined on devices that compose
  Tensor dense_scale_;  // scale_, contiguous, for those kernels
  Tensor col_sum_;      // int32 [N]
  uint32_t weight_version_, scale_version_;
};

// y = x W^T + bias with W the int8 weight: x [..., K] float32 is quantized for this call, the output is float32
// [..., N]. Throws when x requires grad under grad mode (there is no derivative), or holds a NaN or an infinity.
Tensor linear_dynamic(const Tensor& input, const PackedLinearWeight& weight, const Tensor& bias = {});

// A PackedLinearWeight shared by the threads that run one module: packed once, re-packed when the tensors it came
// from are replaced or written (a clone, wick::load). Copying it copies the current packing.
class PackedLinearWeightCache {
 public:
  PackedLinearWeightCache() = default;
  PackedLinearWeightCache(const PackedLinearWeightCache& other) : packed_(other.packed_.load()) {}
  PackedLinearWeightCache& operator=(const PackedLinearWeightCache& other) {
    packed_.store(other.packed_.load());
    return *this;
  }
  // The packing of weight and scale, made now if the one held is stale. The reference stays valid at least until
  // this thread's next get() on any cache: each thread keeps the packings it was last handed alive, so that the
  // usual call (the same packing again) costs no atomic operation, where copying the shared one costs three.
  const PackedLinearWeight& get(const Tensor& weight, const Tensor& scale) const;

 private:
  mutable std::atomic<std::shared_ptr<const PackedLinearWeight>> packed_;
};

}  // namespace wick::quantization
