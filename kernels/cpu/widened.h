// A bfloat16/float16 operand as float32: a contiguous float32 copy of a view, for kernels that compute in float32
// what a faster low-precision path did not take (products of bf16 values are exact in float32, so only the
// order of the sums and the final rounding differ from a native bf16 kernel).
#pragma once

#include <vector>

#include "backend.h"

namespace wick::cpu {

class Widened {
 public:
  // copy_in: whether to fill it from `v` (an output buffer need not be).
  Widened(Backend& backend, const View& v, bool copy_in = true)
      : data_(size_t(v.numel())), sizes_(v.sizes, v.sizes + v.ndim) {
    strides_.resize(size_t(v.ndim));
    int64_t stride = 1;
    for (int i = v.ndim - 1; i >= 0; --i) {
      strides_[size_t(i)] = stride;
      stride *= v.sizes[i];
    }
    view_ = View{data_.data(), kFloat, v.ndim, sizes_.data(), strides_.data()};
    if (copy_in) backend.copy(view_, v);
  }
  Widened(const Widened&) = delete;
  Widened& operator=(const Widened&) = delete;
  const View& view() const { return view_; }
  // Rounds the float32 values into `out` (same shape).
  void store(Backend& backend, const View& out) const { backend.copy(out, view_); }

 private:
  std::vector<float> data_;
  std::vector<int64_t> sizes_, strides_;
  View view_;
};

}  // namespace wick::cpu
