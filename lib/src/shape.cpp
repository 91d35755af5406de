#include "wick/shape.h"

#include <ostream>

#include "wick/error.h"

namespace wick {

std::string shape_str(IntArrayRef shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::ostream& operator<<(std::ostream& os, IntArrayRef shape) { return os << shape_str(shape); }

SizeVec contiguous_strides(IntArrayRef shape) {
  SizeVec strides(shape.size());
  int64_t s = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = s;
    // Wraps instead of overflowing (UB): only a shape with more elements than int64 counts gets here, and
    // product() rejects those before any memory is touched.
    s = int64_t(uint64_t(s) * uint64_t(shape[i] > 1 ? shape[i] : 1));
  }
  return strides;
}

int64_t wrap_dim(const char* op, int64_t dim, int64_t ndim) {
  const int64_t n = ndim > 0 ? ndim : 1;  // a 0-dim tensor accepts dim 0 and -1, as in PyTorch
  WICK_CHECK(dim >= -n && dim < n, op, "dim ", dim, " is out of range for a tensor of ", ndim, " dimension",
             ndim == 1 ? "" : "s", " (expected a dim in [", -n, ", ", n - 1, "])");
  return dim < 0 ? dim + n : dim;
}

}  // namespace wick
