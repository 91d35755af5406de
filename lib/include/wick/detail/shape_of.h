// For error messages about tensors that may be undefined: "[2, 3]" or "an undefined tensor".
#pragma once

#include <string>

#include "wick/tensor.h"

namespace wick::detail {

inline std::string shape_of(const Tensor& t) {
  return t.defined() ? shape_str(t.sizes()) : std::string("an undefined tensor");
}

}  // namespace wick::detail
