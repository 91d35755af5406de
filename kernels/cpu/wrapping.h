// Integer arithmetic that wraps around (two's complement), as integer tensors do in PyTorch: signed overflow
// is undefined behaviour in C++, so signed values are added and multiplied as their unsigned twins, where
// wrapping is defined. Any other type (floating, bool, uint8, which promote to int) passes through unchanged.
#pragma once

#include <cstdint>

namespace wick::cpu {

template <class T>
struct Wrapping {
  using type = T;
};
template <>
struct Wrapping<int32_t> {
  using type = uint32_t;
};
template <>
struct Wrapping<int64_t> {
  using type = uint64_t;
};

template <class T>
T wrapping_add(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) + U(b));
}
template <class T>
T wrapping_sub(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) - U(b));
}
template <class T>
T wrapping_mul(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) * U(b));
}

}  // namespace wick::cpu
