// The parts of custom functions (function.h) and IValue (ivalue.h) that need no template: backward's gradient
// checks, with LibTorch's messages, and IValue's kind errors.
#include "wick/autograd/function.h"

#include "wick/ops.h"

namespace wick {

namespace autograd::detail_function {

variable_list check_backward_gradients(const char* function, variable_list grads, const std::vector<bool>& is_tensor) {
  const size_t expected = is_tensor.size();
  // Gradients past the last argument are fine while undefined: the tutorial's LinearFunction returns one for a
  // defaulted bias the call left out.
  if (grads.size() > expected) {
    bool all_undefined = true;
    for (size_t k = expected; k < grads.size(); ++k) all_undefined = all_undefined && !grads[k].defined();
    if (all_undefined) grads.resize(expected);
  }
  if (grads.size() != expected)
    fail("autograd::Function", "function wick::autograd::CppNode<", function,
         "> returned an incorrect number of gradients (expected ", expected, ", got ", grads.size(),
         "): backward returns one per forward argument, undefined for those that are not tensors");
  variable_list out;
  out.reserve(expected);
  for (size_t k = 0; k < expected; ++k) {
    if (!is_tensor[k]) {
      if (grads[k].defined())
        fail("autograd::Function", "function wick::autograd::CppNode<", function,
             "> returned a gradient different that is defined at position ", k + 1,
             ", but the corresponding forward input was not a Variable (return wick::Tensor() there)");
      continue;
    }
    out.push_back(std::move(grads[k]));
  }
  return out;
}

Tensor zeros_for(const OutputInfo& info) { return zeros(info.sizes, info.options); }

const char* class_name(const std::type_info& type) { return wick::detail::type_name(type.name()); }

}  // namespace autograd::detail_function

IValue::IValue(const Scalar& s) {
  if (s.is_bool())
    v_ = s.to_bool();
  else if (s.is_integral())
    v_ = s.to_long();
  else
    v_ = s.to_double();
}

Scalar IValue::toScalar() const {
  if (isBool()) return Scalar(toBool());
  if (isInt()) return Scalar(toInt());
  if (isDouble()) return Scalar(toDouble());
  fail_kind("Scalar");
}

const char* IValue::tagKind() const {
  static const char* kinds[] = {"None",   "Bool",    "Int",        "Double",    "Tensor",
                                "String", "IntList", "DoubleList", "TensorList"};
  return kinds[v_.index()];
}

void IValue::fail_kind(const char* wanted) const { fail("IValue", "expected ", wanted, " but got ", tagKind()); }

}  // namespace wick
