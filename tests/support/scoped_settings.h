// Process-wide settings a test changes for one scope and restores on the way out, even when a REQUIRE fails.
#pragma once

#include <wick/wick.h>

#include "conv.h"  // kernels/cpu: the convolution path switch

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

// Forces the CPU convolution onto oneDNN or the portable im2col path for the scope (oneDNN only where built).
class ConvPath {
 public:
  explicit ConvPath(bool onednn) : previous_(cpu::conv_use_onednn()) { cpu::set_conv_use_onednn(onednn); }
  ~ConvPath() { cpu::set_conv_use_onednn(previous_ || !cpu::conv_onednn_available()); }
  ConvPath(const ConvPath&) = delete;
  ConvPath& operator=(const ConvPath&) = delete;

 private:
  bool previous_;
};

}  // namespace wick::testing
