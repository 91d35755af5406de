// A bfloat16/float16 operand as float32: a contiguous float32 copy of a view, for kernels that compute in float32
// what a faster low-precision path did not take (products of bf16 values are exact in float32, so only the
// order of the sums and the final rounding differ from a native bf16 kernel). Also an int8 one as int32, for casts.
#pragma once

#include <algorithm>
#include <array>

#include "backend.h"
#include "loops.h"  // kMaxDims
#include "wick/error.h"

namespace wick::cpu {

class Widened {
 public:
  // copy_in: whether to fill it from `v` (an output buffer need not be). The buffer comes from the backend's caching
  // allocator and the shape lives inline, so a steady-state call (an embedded model's) allocates nothing from the heap.
  Widened(Backend& backend, const View& v, bool copy_in = true, ScalarType dtype = kFloat)
      : backend_(backend),
        nbytes_(bytes_for(v, dtype)),
        data_(backend.allocate(nbytes_, 0)) {
    int64_t stride = 1;
    for (int i = v.ndim - 1; i >= 0; --i) {
      sizes_[size_t(i)] = v.sizes[i];
      strides_[size_t(i)] = stride;
      stride *= v.sizes[i];
    }
    view_ = View{data_, dtype, v.ndim, sizes_.data(), strides_.data()};
    if (copy_in) backend.copy(view_, v);
  }
  ~Widened() { backend_.deallocate(data_, nbytes_, 0); }
  Widened(const Widened&) = delete;
  Widened& operator=(const Widened&) = delete;
  const View& view() const { return view_; }
  // Rounds (converts) the values into `out` (same shape).
  void store(Backend& backend, const View& out) const { backend.copy(out, view_); }

 private:
  static size_t bytes_for(const View& v, ScalarType dtype) {  // checked before anything is allocated
    WICK_CHECK(v.ndim <= kMaxDims, "cpu", "a tensor of ", v.ndim, " dims (at most ", kMaxDims, ")");
    return std::max<size_t>(1, size_t(v.numel()) * size_t(element_size(dtype)));
  }

  Backend& backend_;
  size_t nbytes_;
  void* data_;
  std::array<int64_t, kMaxDims> sizes_{}, strides_{};
  View view_;
};

}  // namespace wick::cpu
