// wick::IValue: the tagged value LibTorch's custom functions keep in ctx->saved_data (c10::IValue there): None, a
// bool, an int, a double, a tensor, a string, or a list of ints, doubles or tensors. The accessors are LibTorch's
// and as strict: toDouble() of an int is an error, as it is in LibTorch.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "wick/scalar.h"
#include "wick/tensor.h"

namespace wick {

class IValue {
 public:
  IValue() = default;  // None
  IValue(bool v) : v_(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  IValue(T v) : v_(int64_t(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  IValue(T v) : v_(double(v)) {}
  IValue(const Scalar& s);  // keeps its kind: bool, int or double
  IValue(Tensor t) : v_(std::move(t)) {}
  IValue(std::string s) : v_(std::move(s)) {}
  IValue(const char* s) : v_(std::string(s)) {}
  IValue(IntArrayRef v) : v_(std::vector<int64_t>(v.begin(), v.end())) {}
  IValue(std::vector<int64_t> v) : v_(std::move(v)) {}
  IValue(std::vector<double> v) : v_(std::move(v)) {}
  IValue(std::vector<Tensor> v) : v_(std::move(v)) {}

  bool isNone() const { return v_.index() == 0; }
  bool isBool() const { return std::holds_alternative<bool>(v_); }
  bool isInt() const { return std::holds_alternative<int64_t>(v_); }
  bool isDouble() const { return std::holds_alternative<double>(v_); }
  bool isScalar() const { return isBool() || isInt() || isDouble(); }
  bool isTensor() const { return std::holds_alternative<Tensor>(v_); }
  bool isString() const { return std::holds_alternative<std::string>(v_); }
  bool isIntList() const { return std::holds_alternative<std::vector<int64_t>>(v_); }
  bool isDoubleList() const { return std::holds_alternative<std::vector<double>>(v_); }
  bool isTensorList() const { return std::holds_alternative<std::vector<Tensor>>(v_); }

  bool toBool() const { return get<bool>("Bool"); }
  int64_t toInt() const { return get<int64_t>("Int"); }
  double toDouble() const { return get<double>("Double"); }
  Scalar toScalar() const;
  const Tensor& toTensor() const { return get<Tensor>("Tensor"); }
  const std::string& toStringRef() const { return get<std::string>("String"); }
  std::vector<int64_t> toIntVector() const { return get<std::vector<int64_t>>("IntList"); }
  std::vector<double> toDoubleVector() const { return get<std::vector<double>>("DoubleList"); }
  std::vector<Tensor> toTensorVector() const { return get<std::vector<Tensor>>("TensorList"); }

  // "None", "Bool", "Int", "Double", "Tensor", "String", "IntList", "DoubleList" or "TensorList".
  const char* tagKind() const;

 private:
  template <class T>
  const T& get(const char* wanted) const {
    if (const T* p = std::get_if<T>(&v_)) return *p;
    fail_kind(wanted);
  }
  [[noreturn]] void fail_kind(const char* wanted) const;

  std::variant<std::monostate, bool, int64_t, double, Tensor, std::string, std::vector<int64_t>, std::vector<double>,
               std::vector<Tensor>>
      v_;
};

}  // namespace wick
