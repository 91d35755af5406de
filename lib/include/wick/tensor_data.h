// What wick::tensor() copies: a number, or a braced list of numbers nested to any depth, or a std::vector, as
// LibTorch's TensorDataContainer. Braces always build a list, so tensor({{0.f}, {1.f}}) is [2, 1] (a list of
// one-element lists), never [2]; sub-lists must agree in shape and every element in type.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "wick/dtype.h"

namespace wick {

class TensorData {
 public:
  // A number: its dtype is LibTorch's choice, bool, uint8, int64 for other integers, float32 for floating types.
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorData(T value) : type_(natural_dtype<T>()) {
    store(&value, &value + 1);
  }
  // A flat list of one type (the fast path for {1.f, 2.f}; deduction fails for nested or mixed braces).
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorData(std::initializer_list<T> values) : sizes_{int64_t(values.size())}, type_(natural_dtype<T>()) {
    store(values.begin(), values.end());
  }
  template <class T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
  TensorData(const std::vector<T>& values) : sizes_{int64_t(values.size())}, type_(natural_dtype<T>()) {
    store(values.begin(), values.end());
  }
  // Nested or mixed braces: each element is a TensorData of its own. {} is an empty float32 list.
  TensorData(std::initializer_list<TensorData> items);

  const std::vector<int64_t>& sizes() const { return sizes_; }
  ScalarType dtype() const { return type_; }
  // The values in row-major order: doubles for a floating dtype, int64 for the others (bool and uint8 included).
  const std::vector<double>& floats() const { return floats_; }
  const std::vector<int64_t>& integers() const { return integers_; }

 private:
  template <class T>
  static constexpr ScalarType natural_dtype() {
    if constexpr (std::is_same_v<T, bool>)
      return kBool;
    else if constexpr (std::is_same_v<T, uint8_t>)
      return kUInt8;
    else if constexpr (std::is_integral_v<T>)
      return kInt64;
    else
      return kFloat;
  }
  template <class It>
  void store(It first, It last) {
    if (is_floating_point(type_))
      floats_.assign(first, last);
    else
      integers_.assign(first, last);
  }

  std::vector<int64_t> sizes_;  // empty for a number
  ScalarType type_ = kFloat;
  std::vector<double> floats_;
  std::vector<int64_t> integers_;
};

}  // namespace wick
