// Calls a templated lambda with the C++ element type of a dtype:
//   dispatch_all(dtype, "op", [&]<class T>() { ... });
#pragma once

#include "wick/dtype.h"
#include "wick/error.h"

namespace wick::cpu {

template <class F>
decltype(auto) dispatch_all(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kBool: return f.template operator()<bool>();
    case kUInt8: return f.template operator()<uint8_t>();
    case kInt8: return f.template operator()<int8_t>();
    case kInt32: return f.template operator()<int32_t>();
    case kInt64: return f.template operator()<int64_t>();
    case kHalf: return f.template operator()<Half>();
    case kBFloat16: return f.template operator()<BFloat16>();
    case kFloat: return f.template operator()<float>();
    case kDouble: return f.template operator()<double>();
  }
  fail(op, "unsupported dtype");
}

// Types the CPU computes in natively (half and bfloat16 are widened to float by lib/ first).
template <class F>
decltype(auto) dispatch_compute(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kBool: return f.template operator()<bool>();
    case kUInt8: return f.template operator()<uint8_t>();
    case kInt8: return f.template operator()<int8_t>();
    case kInt32: return f.template operator()<int32_t>();
    case kInt64: return f.template operator()<int64_t>();
    case kFloat: return f.template operator()<float>();
    case kDouble: return f.template operator()<double>();
    default: break;
  }
  fail(op, "the CPU backend does not compute in ", dtype_name(t));
}

template <class F>
decltype(auto) dispatch_floating(ScalarType t, const char* op, F&& f) {
  switch (t) {
    case kFloat: return f.template operator()<float>();
    case kDouble: return f.template operator()<double>();
    default: break;
  }
  fail(op, "expected float32 or float64, got ", dtype_name(t));
}

}  // namespace wick::cpu
