// The uniform draw both backends share (kernels/common/philox.h): at the top of the random word's range, the value
// after rounding to the output dtype must stay below the open end, for every dtype's significand width.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstdint>

#include "common/philox.h"

using namespace wick;

TEST_CASE("random draw: the largest uniform draw rounds below the open end in every dtype", "[kernels][random]") {
  const uint32_t top[4] = {0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};
  // [0, 1): the largest draw is 1 - 2^-digits, exact in the dtype.
  CHECK(static_cast<float>(Half(float(kernels::random_value(RandomKind::Uniform, 0, 1, top, 11)))) == 1.0f - 0x1p-11f);
  CHECK(static_cast<float>(BFloat16(float(kernels::random_value(RandomKind::Uniform, 0, 1, top, 8)))) ==
        1.0f - 0x1p-8f);
  CHECK(float(kernels::random_value(RandomKind::Uniform, 0, 1, top, 24)) == 1.0f - 0x1p-24f);
  CHECK(kernels::random_value(RandomKind::Uniform, 0, 1, top, 53) < 1.0);
  // [2.9, 3) in float32: 3 - 0.1 * 2^-24 lies within half a float32 ulp of 3 and would round up to it.
  const double v = kernels::random_value(RandomKind::Uniform, 2.9, 3, top, 24);
  CHECK(float(v) < 3.0f);
  CHECK(float(v) >= 2.9f);
  CHECK(kernels::round_to_digits(3.0 - 0.1 * 0x1p-24, 24) == 3.0);  // the rounding the draw guards against
  CHECK(kernels::round_to_digits(1.0 + 0x1p-11, 11) == 1.0);      // ties to even, as a conversion to half
  CHECK(kernels::round_to_digits(1.0 + 3 * 0x1p-12, 11) == 1.0 + 0x1p-10);
}

TEST_CASE("random draw: rand in float16 and bfloat16 stays in [0, 1)", "[kernels][random]") {
  manual_seed(5);
  // With a 24-bit draw about one float16 value in 4096 rounded up to 1.
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dtype_name(dt));
    const Tensor u = rand({1 << 20}, dt);
    CHECK(u.max().item<float>() < 1.0f);
    CHECK(u.min().item<float>() >= 0.0f);
    CHECK(u.to(kFloat).mean().item<float>() == Approx(0.5).margin(0.01));
  }
}
