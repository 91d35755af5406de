// Integer arithmetic that wraps around (two's complement), as integer tensors do in PyTorch: signed overflow
// is undefined behaviour in C++, so signed values are added and multiplied as their unsigned twins, where
// wrapping is defined. Any other type (floating, bool, uint8, which promote to int) passes through unchanged.
// Shared by both backends.
#pragma once

#include <cstdint>

#include "host_device.h"

namespace wick::kernels {

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
WICK_HOST_DEVICE T wrapping_add(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) + U(b));
}
template <class T>
WICK_HOST_DEVICE T wrapping_sub(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) - U(b));
}
template <class T>
WICK_HOST_DEVICE T wrapping_mul(T a, T b) {
  using U = typename Wrapping<T>::type;
  return T(U(a) * U(b));
}

}  // namespace wick::kernels
