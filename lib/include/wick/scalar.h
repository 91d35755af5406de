// A Python-number-like value: a bool, an integer or a floating-point number. Scalars in ops follow
// PyTorch's "wrapped number" promotion: they only widen a tensor's dtype across categories.
#pragma once

#include <cstdint>
#include <type_traits>

#include "wick/dtype.h"
#include "wick/error.h"

namespace wick {

class Scalar {
 public:
  enum class Kind : uint8_t { Bool, Int, Float };

  Scalar() : kind_(Kind::Int), i_(0) {}
  Scalar(bool b) : kind_(Kind::Bool), i_(b) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int), i_(int64_t(v)) {}
  template <class T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Float), d_(double(v)) {}
  Scalar(Half v) : kind_(Kind::Float), d_(float(v)) {}
  Scalar(BFloat16 v) : kind_(Kind::Float), d_(float(v)) {}

  Kind kind() const { return kind_; }
  bool is_floating_point() const { return kind_ == Kind::Float; }
  bool is_integral() const { return kind_ == Kind::Int; }
  bool is_bool() const { return kind_ == Kind::Bool; }

  double to_double() const { return kind_ == Kind::Float ? d_ : double(i_); }
  // As c10's checked_convert: a NaN or out-of-range float has no int64 value (the cast would be UB), so it throws.
  int64_t to_long() const {
    if (kind_ != Kind::Float) return i_;
    if (!(d_ >= -0x1p63 && d_ < 0x1p63))  // the bounds are exact doubles; NaN fails both comparisons
      fail("Scalar::to", "value ", d_, " cannot be converted to int64 without overflow");
    return int64_t(d_);
  }
  bool to_bool() const { return kind_ == Kind::Float ? d_ != 0 : i_ != 0; }
  template <class T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>)
      return to_bool();
    else if constexpr (std::is_integral_v<T>)
      return T(to_long());
    else
      return T(to_double());
  }

  // LibTorch's spellings (c10::Scalar), for ported code: ctx->saved_data["k"].toDouble() and the like.
  double toDouble() const { return to_double(); }
  float toFloat() const { return float(to_double()); }
  int64_t toLong() const { return to_long(); }
  int toInt() const { return int(to_long()); }
  bool toBool() const { return to_bool(); }
  bool isFloatingPoint() const { return is_floating_point(); }
  bool isIntegral(bool include_bool) const { return is_integral() || (include_bool && is_bool()); }
  bool isBoolean() const { return is_bool(); }

  // The dtype PyTorch gives this number on its own: bool, int64 or the default float32.
  ScalarType natural_dtype() const { return kind_ == Kind::Float ? kFloat : kind_ == Kind::Int ? kInt64 : kBool; }

 private:
  Kind kind_;
  union {
    int64_t i_;
    double d_;
  };
};

}  // namespace wick
