// PyTorch's type promotion (tests/fixtures/ops_promotion.safetensors, written by tools/gen_fixtures.py): the
// promote_types table, and the result dtype and values of ops over every pair of dtypes with dimensioned
// and 0-dim operands and Python scalars (int32 + float64 0-dim -> float64, uint8 + int scalar -> uint8,
// float16 + bfloat16 -> float32, int / int -> float32, sum(int32) -> int64, ...).
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include "../support/fixtures.h"

using namespace wick;
using namespace wick::testing;

TEST_CASE("promotion: promote_types matches torch.promote_types for every pair", "[promotion][dtype]") {
  // The fixture's codes index the generator's dtype order, which has no int8 (its promotions are checked by
  // tests/lib/quantization_test.cpp's fixture).
  const std::vector<ScalarType> order = {kBool, kUInt8, kInt32, kInt64, kHalf, kBFloat16, kFloat, kDouble};
  const RefFile f("ops_promotion.safetensors");
  const std::vector<double> table = to_doubles(f.get("promote_types"));
  const size_t n = order.size();
  REQUIRE(table.size() == n * n);
  for (size_t a = 0; a < n; ++a)
    for (size_t b = 0; b < n; ++b) {
      const ScalarType expected = order.at(size_t(table[a * n + b]));
      INFO(dtype_name(order[a]) << " with " << dtype_name(order[b]));
      CHECK(dtype_name(promote_types(order[a], order[b])) == std::string(dtype_name(expected)));
    }
}

TEST_CASE("promotion: result dtypes and values of mixed-dtype ops match PyTorch", "[promotion][reference]") {
  const RefFile f("ops_promotion.safetensors");
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 350);
  CHECK(s.grads >= 5);
}

TEST_CASE("promotion: scalars only widen across categories", "[promotion]") {
  // Spelled out for readers; the fixture holds the same facts for every dtype pair.
  CHECK((tensor({1, 2}, dtype(kInt32)) + tensor(1.5, dtype(kDouble))).dtype() == kDouble);
  CHECK((tensor({250, 3}, dtype(kUInt8)) + 10).dtype() == kUInt8);
  CHECK((tensor({250, 3}, dtype(kUInt8)) + 10).index({0}).item<int64_t>() == 4);  // wraps as uint8
  CHECK((ones({2}, dtype(kHalf)) + ones({2}, dtype(kBFloat16))).dtype() == kFloat);
  CHECK((ones({2}, dtype(kHalf)) * 2.5).dtype() == kHalf);
  CHECK((ones({2}, dtype(kInt32)) * 0.5).dtype() == kFloat);
  CHECK((ones({2}, dtype(kInt64)) / ones({2}, dtype(kInt64))).dtype() == kFloat);
  CHECK((ones({2}, dtype(kBool)) + true).dtype() == kBool);
  CHECK((ones({2}, dtype(kBool)) + 1).dtype() == kInt64);
  CHECK(ones({2}, dtype(kInt32)).sum().dtype() == kInt64);
  CHECK(ones({2}, dtype(kFloat)).sum(kDouble).dtype() == kDouble);
}
