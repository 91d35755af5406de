// What Tensor::dtype() and TensorOptions::dtype() return, as LibTorch's caffe2::TypeMeta: a ScalarType in all
// but printing. It converts to ScalarType implicitly, so comparisons (`t.dtype() == wick::kFloat`), switches
// and every parameter taking a ScalarType accept it unchanged; it exists because LibTorch prints a tensor's
// dtype through TypeMeta (`float`, `long int`) and its ScalarType differently (`Float`, `Long`), and programs
// ported from LibTorch print both.
#pragma once

#include <cstdint>
#include <iosfwd>

#include "wick/dtype.h"

namespace wick {

class TypeMeta {
 public:
  constexpr TypeMeta() = default;  // float32, wick's default dtype
  constexpr TypeMeta(ScalarType t) : type_(t) {}
  constexpr operator ScalarType() const { return type_; }

  constexpr ScalarType toScalarType() const { return type_; }
  static constexpr TypeMeta fromScalarType(ScalarType t) { return TypeMeta(t); }
  template <class T>
  static constexpr TypeMeta Make() {
    return TypeMeta(scalar_type_of<T>);
  }
  template <class T>
  constexpr bool Match() const {
    return type_ == scalar_type_of<T>;
  }
  constexpr int64_t itemsize() const { return element_size(type_); }
  // The C++ element type's name as LibTorch prints it on Linux (GCC's demangled typeid names): "float",
  // "long int", "unsigned char", "c10::Half", ...
  const char* name() const;

 private:
  ScalarType type_ = ScalarType::Float;
};

// Prints name(), as LibTorch prints `tensor.dtype()`.
std::ostream& operator<<(std::ostream& os, TypeMeta t);

}  // namespace wick
