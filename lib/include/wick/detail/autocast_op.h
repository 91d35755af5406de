// How an op takes part in autocast (wick/autocast.h). An op on one of PyTorch's autocast lists starts with
//
//   if (detail::AutocastOp ac{detail::autocast_lists::linear, x.device()}) return linear(ac(x), ac(w), ac(b));
//
// AutocastOp is false, at the cost of one thread-local read, unless autocast is on for the device and the op is
// on one of its lists there. When true it has switched autocast off for its own lifetime, so the op's body (and
// every op it is composed of) runs as written on the cast inputs: attention's softmax stays in the low dtype
// as PyTorch's does, and nothing is cast twice.
#pragma once

#include <cstdint>
#include <vector>

#include "wick/tensor.h"

namespace wick::detail {

enum class CastPolicy : uint8_t {
  None,            // runs in the dtype it is given
  LowerPrecision,  // floating inputs (except float64) cast to the region's low dtype
  Float32,         // float16/bfloat16 inputs cast to float32
  Promote,         // floating inputs cast to the widest floating dtype among them
};

// An op's place on PyTorch's autocast lists, per device type.
struct AutocastRule {
  CastPolicy cpu, cuda;
};

// PyTorch's lists (aten/src/ATen/autocast_mode.cpp) for the ops wick has. The CPU column is torch 1.13's,
// checked op by op by tools/gen_autocast_fixtures.py, plus what PyTorch 2 added to the CPU's lower-precision
// list (transposed convolution, the recurrent layers and attention); the CUDA column is PyTorch's
// CUDA list.
namespace autocast_lists {
using enum CastPolicy;
// lower precision: the matrix products
inline constexpr AutocastRule mm{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule bmm{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule matmul{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule addmm{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule baddbmm{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule linear{LowerPrecision, LowerPrecision};
inline constexpr AutocastRule conv{LowerPrecision, LowerPrecision};            // conv1d, conv2d
inline constexpr AutocastRule conv_transpose{LowerPrecision, LowerPrecision};  // PyTorch 2 on the CPU
inline constexpr AutocastRule recurrent{LowerPrecision, LowerPrecision};       // LSTM/GRU/RNN (mkldnn_rnn, *_cell)
inline constexpr AutocastRule attention{LowerPrecision, LowerPrecision};       // scaled_dot_product_attention
inline constexpr AutocastRule einsum{None, LowerPrecision};                    // on the CPU only its bmm casts
// float32: losses on both; on CUDA also softmax, norms, reductions and the functions that overflow float16
inline constexpr AutocastRule loss{Float32, Float32};
inline constexpr AutocastRule prod{Float32, Float32};
inline constexpr AutocastRule softmax{None, Float32};       // softmax, log_softmax
inline constexpr AutocastRule norm{None, Float32};          // layer_norm, group_norm, norm
inline constexpr AutocastRule reduction{None, Float32};     // sum, cumsum, cumprod, logsumexp
inline constexpr AutocastRule float32_math{None, Float32};  // exp, log, pow, reciprocal, rsqrt, softplus...
// promote
inline constexpr AutocastRule join{Promote, Promote};  // cat, stack
}  // namespace autocast_lists

// Nonzero only while some device has autocast on, on this thread: the one read an op pays when it is off.
uint8_t& autocast_enabled_mask();

class AutocastOp {
 public:
  AutocastOp(AutocastRule rule, Device device) {
    if (autocast_enabled_mask() != 0) begin(rule, device);
  }
  // For the promote policy: the widest floating dtype among the inputs decides.
  AutocastOp(AutocastRule rule, const std::vector<Tensor>& inputs);
  ~AutocastOp() {
    if (active_) end();
  }
  AutocastOp(const AutocastOp&) = delete;
  AutocastOp& operator=(const AutocastOp&) = delete;

  explicit operator bool() const { return active_; }
  // The input as the op must see it (an undefined or ineligible tensor comes back as it is).
  Tensor operator()(const Tensor& t) const;
  std::vector<Tensor> operator()(const std::vector<Tensor>& ts) const;

 private:
  void begin(AutocastRule rule, Device device);
  void end();
  bool eligible(const Tensor& t) const;
  bool active_ = false;
  uint8_t saved_mask_ = 0;
  DeviceType device_ = DeviceType::CPU;
  CastPolicy policy_ = CastPolicy::None;
  ScalarType to_ = ScalarType::Float;
};

}  // namespace wick::detail
