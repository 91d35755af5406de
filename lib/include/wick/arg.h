// Building blocks of options structs: WICK_ARG (LibTorch's TORCH_ARG: a member with a chained setter and a
// getter) and ExpandingArray (one integer for every spatial dim, or one per dim).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <type_traits>
#include <utility>
#include <vector>

#include "wick/error.h"
#include "wick/shape.h"

#define WICK_ARG(T, name)                                               \
 public:                                                                \
  inline auto name(const T& new_##name)->decltype(*this) { /* NOLINT */ \
    this->name##_ = new_##name;                                         \
    return *this;                                                       \
  }                                                                     \
  inline auto name(T&& new_##name)->decltype(*this) { /* NOLINT */      \
    this->name##_ = std::move(new_##name);                              \
    return *this;                                                       \
  }                                                                     \
  inline const T& name() const noexcept { return this->name##_; }       \
  inline T& name() noexcept { return this->name##_; }                   \
                                                                        \
 private:                                                               \
  T name##_ /* NOLINT */

namespace wick {

// D integers, built from one value (repeated) or exactly D values: kernel_size(3) or kernel_size({3, 5}).
template <size_t D, class T = int64_t>
class ExpandingArray {
 public:
  ExpandingArray(T single) { values_.fill(single); }
  ExpandingArray(std::initializer_list<T> list) { assign(list.begin(), list.size()); }
  ExpandingArray(const std::vector<T>& v) { assign(v.data(), v.size()); }
  ExpandingArray(std::array<T, D> a) : values_(a) {}
  template <class U = T, std::enable_if_t<std::is_same_v<U, int64_t>, int> = 0>
  ExpandingArray(IntArrayRef r) {
    assign(r.data(), r.size());
  }

  T& operator[](size_t i) { return values_[i]; }
  const T& operator[](size_t i) const { return values_[i]; }
  static constexpr size_t size() { return D; }
  const T* data() const { return values_.data(); }
  const T* begin() const { return values_.data(); }
  const T* end() const { return values_.data() + D; }
  std::array<T, D>& operator*() { return values_; }
  const std::array<T, D>& operator*() const { return values_; }
  std::array<T, D>* operator->() { return &values_; }
  const std::array<T, D>* operator->() const { return &values_; }
  operator IntArrayRef() const {
    static_assert(std::is_same_v<T, int64_t>);
    return IntArrayRef(values_.data(), D);
  }
  std::vector<T> vec() const { return std::vector<T>(begin(), end()); }
  bool operator==(const ExpandingArray& o) const { return values_ == o.values_; }
  bool operator!=(const ExpandingArray& o) const { return values_ != o.values_; }

 private:
  void assign(const T* p, size_t n) {
    if (n != D) fail("ExpandingArray", "expected ", int64_t(D), " values, got ", int64_t(n));
    for (size_t i = 0; i < D; ++i) values_[i] = p[i];
  }
  std::array<T, D> values_{};
};

namespace detail {
std::ostream& print_ints(std::ostream& os, const int64_t* values, size_t n);  // [1, 2]
std::ostream& print_doubles(std::ostream& os, const double* values, size_t n);
}  // namespace detail

template <size_t D>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, int64_t>& a) {
  return detail::print_ints(os, a.data(), D);
}
template <size_t D>
std::ostream& operator<<(std::ostream& os, const ExpandingArray<D, double>& a) {
  return detail::print_doubles(os, a.data(), D);
}

}  // namespace wick
