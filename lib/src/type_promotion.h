// PyTorch's result_type: which dtype an op computes in for mixed operands. Dimensioned tensors decide;
// 0-dim tensors and Python-like scalars only raise the category (bool < integer < floating).
#pragma once

#include "wick/tensor.h"

namespace wick {

ScalarType result_type(const Tensor& a, const Tensor& b);
ScalarType result_type(const Tensor& a, const Scalar& b);
// The dtype a floating-only op (exp, div, mean...) computes in: integers and bool become float32.
inline ScalarType to_floating(ScalarType t) { return is_floating_point(t) ? t : kFloat; }

}  // namespace wick
