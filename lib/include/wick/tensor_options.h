// Creation options with LibTorch's chained setters: wick::TensorOptions().dtype(wick::kDouble).requires_grad(true),
// or the shorthands wick::dtype(...), wick::device(...), wick::requires_grad().
#pragma once

#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/type_meta.h"

namespace wick {

class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(ScalarType t) {
    dtype_ = t;
    has_dtype_ = true;
  }
  TensorOptions(TypeMeta t) : TensorOptions(t.toScalarType()) {}
  TensorOptions(Device d) { device_ = d; }
  TensorOptions(DeviceType d) { device_ = Device(d); }

  TensorOptions dtype(ScalarType t) const {
    TensorOptions o = *this;
    o.dtype_ = t;
    o.has_dtype_ = true;
    return o;
  }
  TensorOptions device(Device d) const {
    TensorOptions o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const {
    TensorOptions o = *this;
    o.requires_grad_ = r;
    return o;
  }

  TypeMeta dtype() const { return dtype_; }
  bool has_dtype() const { return has_dtype_; }
  Device device() const { return device_; }
  bool requires_grad() const { return requires_grad_; }

 private:
  ScalarType dtype_ = ScalarType::Float;
  Device device_;
  bool has_dtype_ = false;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(ScalarType t) { return TensorOptions().dtype(t); }
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace wick
