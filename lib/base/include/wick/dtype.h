// Element types, their sizes and names, and PyTorch's type-promotion rules.
#pragma once

#include <cstdint>
#include <cstring>
#include <iosfwd>

namespace wick {

// Ordered so that within a category a later type holds every value of an earlier one, except uint8 and int8
// (neither holds the other; promote_types says what they make together).
enum class ScalarType : uint8_t { Bool, UInt8, Int8, Int32, Int64, Half, BFloat16, Float, Double };
inline constexpr int kNumScalarTypes = 9;

inline constexpr ScalarType kBool = ScalarType::Bool;
inline constexpr ScalarType kUInt8 = ScalarType::UInt8;
inline constexpr ScalarType kByte = ScalarType::UInt8;
inline constexpr ScalarType kInt8 = ScalarType::Int8;
inline constexpr ScalarType kChar = ScalarType::Int8;
inline constexpr ScalarType kInt32 = ScalarType::Int32;
inline constexpr ScalarType kInt = ScalarType::Int32;
inline constexpr ScalarType kInt64 = ScalarType::Int64;
inline constexpr ScalarType kLong = ScalarType::Int64;
inline constexpr ScalarType kFloat16 = ScalarType::Half;
inline constexpr ScalarType kHalf = ScalarType::Half;
inline constexpr ScalarType kBFloat16 = ScalarType::BFloat16;
inline constexpr ScalarType kFloat32 = ScalarType::Float;
inline constexpr ScalarType kFloat = ScalarType::Float;
inline constexpr ScalarType kFloat64 = ScalarType::Double;
inline constexpr ScalarType kDouble = ScalarType::Double;

using Dtype = ScalarType;

// IEEE binary16, stored as bits; arithmetic happens in float.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f) : bits(from_float(f)) {}
  operator float() const { return to_float(bits); }

  static uint16_t from_float(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) return uint16_t(sign | 0x7c00u | (x > 0x7f800000u ? 0x200u : 0u));  // inf/nan
    if (x >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // overflows to inf after rounding
    if (x < 0x38800000u) {  // subnormal or zero in half: round to nearest even via float add trick
      float a;
      std::memcpy(&a, &x, 4);
      a += 0.5f;
      uint32_t r;
      std::memcpy(&r, &a, 4);
      return uint16_t(sign | (r - 0x3f000000u));
    }
    const uint32_t mant_odd = (x >> 13) & 1u;
    x += 0xc8000fffu + mant_odd;  // rebias exponent (-112 << 23) and round to nearest even
    return uint16_t(sign | (x >> 13));
  }
  static float to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t em = h & 0x7fffu;
    uint32_t x;
    if (em >= 0x7c00u) {
      x = sign | 0x7f800000u | (uint32_t(em & 0x3ffu) << 13);
    } else if (em >= 0x400u) {
      x = sign | ((em << 13) + 0x38000000u);
    } else {  // subnormal: exact via float multiply
      float f = float(em) * 5.9604644775390625e-08f;
      std::memcpy(&x, &f, 4);
      x |= sign;
    }
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
};

// bfloat16: the top half of a float32, rounded to nearest even.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(from_float(f)) {}
  operator float() const { return to_float(bits); }

  static uint16_t from_float(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);  // keep NaN a NaN
    x += 0x7fffu + ((x >> 16) & 1u);
    return uint16_t(x >> 16);
  }
  static float to_float(uint16_t b) {
    const uint32_t x = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
  }
};

constexpr int element_size(ScalarType t) {
  constexpr int sizes[] = {1, 1, 1, 4, 8, 2, 2, 4, 8};
  return sizes[int(t)];
}

constexpr bool is_floating_point(ScalarType t) { return t >= ScalarType::Half; }
constexpr bool is_integral(ScalarType t, bool include_bool = false) {
  return (t >= ScalarType::UInt8 && t <= ScalarType::Int64) || (include_bool && t == ScalarType::Bool);
}

const char* dtype_name(ScalarType t);  // "float32", "int64", ... as PyTorch spells them
// LibTorch's spelling, as `std::cout << torch::kFloat` prints it: Bool, Byte, Int, Long, Half, BFloat16, Float,
// Double.
std::ostream& operator<<(std::ostream& os, ScalarType t);

// torch.promote_types: the smallest type both operands convert to without losing their category.
ScalarType promote_types(ScalarType a, ScalarType b);

// Maps a C++ element type to its ScalarType.
template <class T>
struct CppTypeToScalarType;
template <>
struct CppTypeToScalarType<bool> {
  static constexpr ScalarType value = kBool;
};
template <>
struct CppTypeToScalarType<uint8_t> {
  static constexpr ScalarType value = kUInt8;
};
template <>
struct CppTypeToScalarType<int8_t> {
  static constexpr ScalarType value = kInt8;
};
template <>
struct CppTypeToScalarType<int32_t> {
  static constexpr ScalarType value = kInt32;
};
template <>
struct CppTypeToScalarType<int64_t> {
  static constexpr ScalarType value = kInt64;
};
template <>
struct CppTypeToScalarType<Half> {
  static constexpr ScalarType value = kHalf;
};
template <>
struct CppTypeToScalarType<BFloat16> {
  static constexpr ScalarType value = kBFloat16;
};
template <>
struct CppTypeToScalarType<float> {
  static constexpr ScalarType value = kFloat;
};
template <>
struct CppTypeToScalarType<double> {
  static constexpr ScalarType value = kDouble;
};

template <class T>
inline constexpr ScalarType scalar_type_of = CppTypeToScalarType<T>::value;

}  // namespace wick
