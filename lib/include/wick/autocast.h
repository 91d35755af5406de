// Automatic mixed precision, as torch.autocast / LibTorch's at::autocast: inside an AutocastGuard the ops of
// PyTorch's lower-precision list (matmul, linear, convolution, LSTM/GRU, attention) cast their floating inputs
// to the region's low dtype and run there, the ops of its float32 list (losses, and on CUDA also softmax,
// norms, reductions and the transcendental functions) cast them to float32, and a few joins (cat, stack)
// promote their inputs to the widest dtype among them. Every other op runs in the dtype it is given. The casts
// are ordinary recorded ops, so backward returns float32 gradients to float32 parameters.
//
// The state is per thread (as the tape is): a guard on one thread does not change what another computes.
// Unlike PyTorch, wick keeps no cache of the low-precision copies of parameters: each use casts again (one
// pass over the weight, small beside the product it feeds), and a copy can never go stale after an in-place
// optimizer step or outlive the tape entry that links it to its parameter.
#pragma once

#include "wick/device.h"
#include "wick/dtype.h"

namespace wick::autocast {

// Whether autocast is on for this device type on the calling thread, and the low dtype it casts to
// (defaults: bfloat16 on the CPU, float16 on CUDA, as PyTorch).
bool is_enabled(DeviceType device);
void set_enabled(DeviceType device, bool enabled);
ScalarType get_autocast_dtype(DeviceType device);
void set_autocast_dtype(DeviceType device, ScalarType dtype);  // float16 or bfloat16, else wick::Error

// Autocast on for `device` with `dtype` for the guard's scope; the previous state comes back at its end.
class AutocastGuard {
 public:
  explicit AutocastGuard(DeviceType device, ScalarType dtype);
  explicit AutocastGuard(DeviceType device) : AutocastGuard(device, get_autocast_dtype(device)) {}
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  DeviceType device_;
  bool previous_enabled_;
  ScalarType previous_dtype_;
};

// LibTorch 1.13's spellings (at::autocast), so that ported code compiles: "gpu" is CUDA.
inline bool is_cpu_enabled() { return is_enabled(kCPU); }
inline void set_cpu_enabled(bool on) { set_enabled(kCPU, on); }
inline ScalarType get_autocast_cpu_dtype() { return get_autocast_dtype(kCPU); }
inline void set_autocast_cpu_dtype(ScalarType t) { set_autocast_dtype(kCPU, t); }
inline bool is_enabled() { return is_enabled(kCUDA); }
inline void set_enabled(bool on) { set_enabled(kCUDA, on); }
inline ScalarType get_autocast_gpu_dtype() { return get_autocast_dtype(kCUDA); }
inline void set_autocast_gpu_dtype(ScalarType t) { set_autocast_dtype(kCUDA, t); }
// LibTorch drops its cache of parameters' low-precision copies here; wick keeps none (above), so there is
// nothing to drop. Present so that LibTorch code calling it after each forward compiles unchanged.
inline void clear_cache() {}

}  // namespace wick::autocast
