#include "type_promotion.h"

namespace wick {
namespace {

enum Category { kBoolCat, kIntCat, kFloatCat };
Category category(ScalarType t) { return t == kBool ? kBoolCat : is_floating_point(t) ? kFloatCat : kIntCat; }

// c10's combine_categories: `lower` (0-dim or scalar) only matters if it is of a higher category.
ScalarType combine(ScalarType higher, ScalarType lower) {
  if (category(higher) >= category(lower)) return higher;
  if (category(lower) == kFloatCat && category(higher) != kFloatCat) return lower;
  return promote_types(higher, lower);
}

}  // namespace

ScalarType result_type(const Tensor& a, const Tensor& b) {
  const bool a0 = a.dim() == 0, b0 = b.dim() == 0;
  if (a0 == b0) return promote_types(a.dtype(), b.dtype());
  return a0 ? combine(b.dtype(), a.dtype()) : combine(a.dtype(), b.dtype());
}

ScalarType result_type(const Tensor& a, const Scalar& b) {
  // A float scalar counts as the default dtype (float32), an integer as int64, a bool as bool.
  return combine(a.dtype(), b.natural_dtype());
}

}  // namespace wick
