#include "wick/dtype.h"

#include <ostream>

namespace wick {

const char* dtype_name(ScalarType t) {
  static const char* names[] = {"bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64"};
  return names[int(t)];
}

std::ostream& operator<<(std::ostream& os, ScalarType t) {
  static const char* names[] = {"Bool", "Byte", "Char", "Int", "Long", "Half", "BFloat16", "Float", "Double"};
  return os << names[int(t)];
}

ScalarType promote_types(ScalarType a, ScalarType b) {
  if (a == b) return a;
  // half with bfloat16 has no common 16-bit type: PyTorch widens to float32.
  if ((a == kHalf && b == kBFloat16) || (a == kBFloat16 && b == kHalf)) return kFloat;
  // uint8 with int8: PyTorch's int16, which wick does not have; int32 holds the same values.
  if ((a == kUInt8 && b == kInt8) || (a == kInt8 && b == kUInt8)) return kInt32;
  // The enum is ordered bool < uint8 < int8 < int32 < int64 < half < bfloat16 < float < double, and every pair
  // other than the one above promotes to the larger of the two.
  return a > b ? a : b;
}

}  // namespace wick
