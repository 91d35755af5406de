// The draws both backends share (kernels/common/philox.h): at the top of the random word's range, the uniform value
// after rounding to the output dtype must stay below the open end, for every dtype's significand width; every CPU
// kernel set's vector Philox gives the scalar definition's words; the Bernoulli comparison in integers is the one in
// doubles.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "common/philox.h"
#include "simd/simd_table.h"

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
  CHECK(kernels::round_to_digits(1.0 + 0x1p-11, 11) == 1.0);        // ties to even, as a conversion to half
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

TEST_CASE("random draw: every CPU kernel set's Philox gives the scalar definition's words", "[kernels][random]") {
  // Independent of the generator under test: Random123's published known-answer vectors for Philox4x32-10
  // (counter {0, 0, 0, 0}, key {0, 0}; counter all ones, key all ones).
  uint32_t w[4];
  kernels::philox4x32_10(0, 0, w);
  CHECK((w[0] == 0x6627e8d5u && w[1] == 0xe169c58du && w[2] == 0xbc57ac4cu && w[3] == 0x9b00dbd8u));
  // Counters whose low word wraps (the carry into the high word), odd lengths and a partial last vector.
  const uint64_t seed = 0x0123456789abcdefull;
  for (const uint64_t first : {uint64_t(0), (uint64_t(1) << 32) - 37, ~uint64_t(0) - 20}) {
    for (const int64_t n : {int64_t(1), int64_t(7), int64_t(16), int64_t(45), int64_t(256)}) {
      std::vector<uint32_t> expected(4 * size_t(n));
      for (int64_t i = 0; i < n; ++i) {
        kernels::philox4x32_10(seed, first + uint64_t(i), w);
        for (int j = 0; j < 4; ++j) expected[size_t(j * n + i)] = w[j];
      }
      for (const cpu::SimdTable* table : cpu::runnable_simd_tables()) {
        INFO("kernel set " << table->name << ", first counter " << first << ", n " << n);
        std::vector<uint32_t> words(4 * size_t(n) + 1, 0xdeadbeefu);  // one guard word past the end
        table->philox(seed, first, n, words.data());
        CHECK(std::equal(expected.begin(), expected.end(), words.begin()));
        CHECK(words.back() == 0xdeadbeefu);
      }
    }
  }
}

TEST_CASE("random draw: the Bernoulli threshold in integers decides as uniform53 < p does", "[kernels][random]") {
  // The 53-bit values either side of each probability's boundary, and a spread of others.
  const double ps[] = {0.0, 0x1p-53, 0x1p-52 * 3, 0.1, 0.5, 0.9, 1 - 0x1p-53, 1.0, 1.5, -0.25, 0.3333333333333333};
  for (const double p : ps) {
    INFO("p = " << p);
    const uint64_t threshold = kernels::bernoulli_threshold(p);
    const uint64_t boundary = p <= 0 ? 0 : p >= 1 ? uint64_t(1) << 53 : uint64_t(p * 0x1p53);
    int64_t wrong = 0;
    for (int64_t d = -3; d <= 3; ++d) {
      const int64_t x = int64_t(boundary) + d;
      if (x < 0 || x >= (int64_t(1) << 53)) continue;
      const uint32_t hi = uint32_t(uint64_t(x) >> 21), lo = uint32_t(uint64_t(x) << 11) | 0x7ffu;  // low bits unused
      REQUIRE(kernels::bits53(hi, lo) == uint64_t(x));
      wrong += (kernels::bits53(hi, lo) < threshold) != (kernels::uniform53(hi, lo) < p);
    }
    for (uint64_t i = 0; i < 4096; ++i) {
      uint32_t w[4];
      kernels::philox4x32_10(7, i, w);
      wrong += (kernels::bits53(w[0], w[1]) < threshold) != (kernels::uniform53(w[0], w[1]) < p);
    }
    CHECK(wrong == 0);
  }
}

TEST_CASE("random draw: every CPU kernel set's float32 Bernoulli draw is the scalar definition's",
          "[kernels][random]") {
  const uint64_t seed = 42;
  const int64_t n = 1000;  // not a multiple of any vector step: a partial last one
  for (const double p : {0.0, 0.1, 0.5, 0.9, 1 - 0x1p-53, 1.0}) {
    const uint64_t threshold = kernels::bernoulli_threshold(p);
    for (const uint64_t first : {uint64_t(3), (uint64_t(1) << 32) - 500}) {
      std::vector<float> expected(n);
      for (int64_t i = 0; i < n; ++i) {
        uint32_t w[4];
        kernels::philox4x32_10(seed, first + uint64_t(i), w);
        expected[size_t(i)] = kernels::uniform53(w[0], w[1]) < p ? 1.0f : 0.0f;  // the definition in doubles
      }
      for (const cpu::SimdTable* table : cpu::runnable_simd_tables()) {
        INFO("kernel set " << table->name << ", p " << p << ", first counter " << first);
        std::vector<float> out(n + 1, -1.0f);  // one guard value past the end
        table->bernoulli_float(seed, first, n, threshold, out.data());
        CHECK(std::equal(expected.begin(), expected.end(), out.begin()));
        CHECK(out.back() == -1.0f);
      }
    }
  }
}

TEST_CASE("random draw: bernoulli_ draws the same mask into float32 (the vector loop) and other dtypes",
          "[kernels][random]") {
  // float32 takes SimdTable::bernoulli_float; the other dtypes take the Philox words through random_value.
  manual_seed(3);
  const Tensor f = empty({1000}).bernoulli_(0.3);
  for (ScalarType dt : {kDouble, kBFloat16, kBool}) {
    INFO(dtype_name(dt));
    manual_seed(3);
    const Tensor other = empty({1000}, TensorOptions().dtype(dt)).bernoulli_(0.3);
    CHECK(equal(other.to(kFloat), f));
  }
  CHECK(f.sum().item<float>() == Approx(300).margin(60));
}
