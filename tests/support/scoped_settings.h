// Process-wide settings a test changes for one scope and restores on the way out, even when a REQUIRE fails.
#pragma once

#include <wick/wick.h>

#include "onednn_switch.h"  // kernels/cpu

namespace wick::testing {

// wick::set_num_threads(n) for the scope.
class ThreadCount {
 public:
  explicit ThreadCount(int n) { set_num_threads(n); }
  ~ThreadCount() { set_num_threads(saved_); }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int saved_ = get_num_threads();
};

// Forces the CPU convolution and pooling onto oneDNN or the portable kernels for the scope (oneDNN only where
// built).
class OneDnnPath {
 public:
  explicit OneDnnPath(bool onednn) : previous_(cpu::use_onednn()) { cpu::set_use_onednn(onednn); }
  ~OneDnnPath() { cpu::set_use_onednn(previous_ || !cpu::onednn_available()); }
  OneDnnPath(const OneDnnPath&) = delete;
  OneDnnPath& operator=(const OneDnnPath&) = delete;

 private:
  bool previous_;
};

// Turns the backends' fused kernels on or off for the scope (wick::set_fused_kernels_enabled).
class FusedKernels {
 public:
  explicit FusedKernels(bool on) { set_fused_kernels_enabled(on); }
  ~FusedKernels() { set_fused_kernels_enabled(saved_); }
  FusedKernels(const FusedKernels&) = delete;
  FusedKernels& operator=(const FusedKernels&) = delete;

 private:
  bool saved_ = fused_kernels_enabled();
};

}  // namespace wick::testing
