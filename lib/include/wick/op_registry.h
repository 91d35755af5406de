// Every public op, listed once: its name, kind, the dtypes it accepts and whether it is differentiable.
// Tests enumerate it so that an op added without a gradient check or a bad-input case fails the suite.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "wick/dtype.h"

namespace wick {

enum class OpKind : uint8_t {
  Creation, Unary, Binary, Comparison, Reduction, Linalg, Shape, Indexing, Random, Conversion, Normalization,
  Recurrent
};

// A set of dtypes as a bit mask over ScalarType.
struct DtypeSet {
  uint16_t bits = 0;
  constexpr bool contains(ScalarType t) const { return bits & (1u << unsigned(t)); }
};
inline constexpr DtypeSet kAllDtypes{(1u << kNumScalarTypes) - 1};
inline constexpr DtypeSet kFloatingDtypes{(1u << unsigned(ScalarType::Half)) | (1u << unsigned(ScalarType::BFloat16)) |
                                          (1u << unsigned(ScalarType::Float)) | (1u << unsigned(ScalarType::Double))};
inline constexpr DtypeSet kNumericDtypes{((1u << kNumScalarTypes) - 1) & ~1u};  // everything but bool

struct OpInfo {
  const char* name;
  OpKind kind;
  DtypeSet dtypes;
  bool differentiable;
};

const std::vector<OpInfo>& op_registry();
const OpInfo* find_op(std::string_view name);  // nullptr if unknown

}  // namespace wick
