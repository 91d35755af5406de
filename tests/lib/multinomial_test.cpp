// multinomial: random draws cannot match PyTorch's bit for bit (the generators differ), so the oracle is the
// distribution itself: frequencies over many draws at a fixed seed against the exact probabilities, within five
// standard errors (a correct sampler fails this about once in 1.7 million seeds; this seed is fixed, so the test
// is deterministic), plus the cases whose outcome is certain.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <map>
#include <set>

using namespace wick;

namespace {
// How often each value 0..categories-1 occurs among the samples.
std::vector<double> frequencies(const Tensor& samples, int64_t categories) {
  std::vector<double> f(size_t(categories), 0.0);
  const Tensor flat = samples.reshape({-1}).contiguous();
  const int64_t* s = flat.data_ptr<int64_t>();
  for (int64_t i = 0; i < flat.numel(); ++i) {
    REQUIRE(s[i] >= 0);
    REQUIRE(s[i] < categories);
    f[size_t(s[i])] += 1.0 / double(flat.numel());
  }
  return f;
}

void check_frequency(double observed, double p, int64_t n) {
  const double standard_error = std::sqrt(p * (1 - p) / double(n));
  INFO("observed " << observed << ", expected " << p << " over " << n << " draws");
  CHECK(std::abs(observed - p) <= 5 * standard_error + 1e-12);
}
}  // namespace

TEST_CASE("multinomial: draws with replacement follow the weights", "[multinomial]") {
  manual_seed(11);
  const int64_t n = 200000;
  const Tensor weights = tensor({1.f, 0.f, 6.f, 3.f});  // unnormalised, as torch.multinomial accepts
  const Tensor samples = multinomial(weights, n, true);
  REQUIRE(samples.sizes() == IntArrayRef({n}));
  REQUIRE(samples.scalar_type() == kLong);
  const std::vector<double> f = frequencies(samples, 4);
  CHECK(f[1] == 0.0);  // a zero weight is never drawn
  check_frequency(f[0], 0.1, n);
  check_frequency(f[2], 0.6, n);
  check_frequency(f[3], 0.3, n);
}

TEST_CASE("multinomial: rows draw independently; certain outcomes are certain", "[multinomial]") {
  manual_seed(12);
  const Tensor rows = tensor({{1.0, 0.0, 0.0}, {0.0, 0.0, 5.0}}).to(kDouble);
  const Tensor samples = multinomial(rows, 10, true);
  REQUIRE(samples.sizes() == IntArrayRef({2, 10}));
  CHECK(equal(samples[0], zeros({10}, kLong)));
  CHECK(equal(samples[1], full({10}, 2, kLong)));
  // A weight that is tiny next to the others, last in the row: rounding of the running totals must not draw
  // past it into nothing.
  const Tensor skewed = tensor({1e8f, 1e-30f}).repeat({1000, 1});
  const Tensor drawn = skewed.multinomial(4, true);
  CHECK(drawn.max().item<int64_t>() <= 1);
}

TEST_CASE("multinomial: without replacement, distinct draws with the sequential probabilities", "[multinomial]") {
  manual_seed(13);
  // All categories drawn: each row a permutation.
  const Tensor perms = multinomial(ones({100, 6}), 6, false);
  for (int64_t r = 0; r < 100; ++r) {
    const Tensor row = std::get<0>(sort(perms[r]));
    CHECK(equal(row, arange(6)));
  }
  // Zero weights never drawn, even when every other category is.
  const Tensor two = multinomial(tensor({1.f, 0.f, 1.f, 0.f}).repeat({50, 1}), 2, false);
  CHECK(equal(std::get<0>(sort(two, 1)), tensor({0, 2}).repeat({50, 1})));
  // Ordered pairs from weights p = (0.1, 0.2, 0.3, 0.4): P(i then j) = p_i * p_j / (1 - p_i).
  const int64_t n = 60000;
  const double p[] = {0.1, 0.2, 0.3, 0.4};
  const Tensor pairs = multinomial(tensor({1.0, 2.0, 3.0, 4.0}).to(kDouble).repeat({n, 1}), 2, false);
  std::map<std::pair<int64_t, int64_t>, double> observed;
  for (int64_t r = 0; r < n; ++r) {
    const int64_t i = pairs[r][0].item<int64_t>(), j = pairs[r][1].item<int64_t>();
    REQUIRE(i != j);
    observed[{i, j}] += 1.0 / double(n);
  }
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      if (i != j) check_frequency(observed[{i, j}], p[i] * p[j] / (1 - p[i]), n);
}

TEST_CASE("multinomial: one seed, one sequence; half weights", "[multinomial]") {
  const Tensor weights = tensor({0.5f, 0.25f, 0.25f}).to(kHalf);
  manual_seed(7);
  const Tensor first = multinomial(weights, 50, true);
  manual_seed(7);
  const Tensor again = weights.multinomial(50, true);
  CHECK(equal(first, again));
  const std::vector<double> f = frequencies(first, 3);
  CHECK(f[0] + f[1] + f[2] == Approx(1.0));
}

TEST_CASE("multinomial: bad weights and counts are named errors", "[multinomial]") {
  CHECK_THROWS_WITH(multinomial(ones({2, 2, 2}), 1), Catch::Contains("multinomial") && Catch::Contains("3 dims"));
  CHECK_THROWS_WITH(multinomial(ones({3}, kLong), 1), Catch::Contains("floating point") && Catch::Contains("int64"));
  CHECK_THROWS_WITH(multinomial(tensor({1.f, -1.f}), 1), Catch::Contains("element < 0"));
  CHECK_THROWS_WITH(multinomial(tensor({1.f, NAN}), 1), Catch::Contains("nan"));
  CHECK_THROWS_WITH(multinomial(tensor({1.f, INFINITY}), 1, true), Catch::Contains("inf"));
  CHECK_THROWS_WITH(multinomial(tensor({{1.f, 1.f}, {0.f, 0.f}}), 1), Catch::Contains("sum of probabilities"));
  CHECK_THROWS_WITH(multinomial(ones({3}), 4), Catch::Contains("4 samples from 3 categories"));
  CHECK_THROWS_WITH(multinomial(tensor({1.f, 0.f, 1.f}), 3), Catch::Contains("non-zero weight"));
  CHECK_THROWS_WITH(multinomial(ones({3}), 0, true), Catch::Contains("num_samples must be positive"));
  CHECK_THROWS_WITH(multinomial(empty({2, 0}), 1, true), Catch::Contains("categories cannot be zero"));
}
