// sort, topk and cumsum beyond the PyTorch fixtures of ops_reduce (tests/lib/reduce_test.cpp): stability against a
// plain std::stable_sort on slices far longer than the fixtures', every thread count, LibTorch's overloads, and
// cumsum's accumulation.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "../support/scoped_settings.h"

using namespace wick;

namespace {

// The stable sort order of each row of a 2-D int64 tensor, computed with the standard library.
std::vector<std::vector<int64_t>> reference_order(const Tensor& x, bool descending) {
  std::vector<std::vector<int64_t>> rows;
  const Tensor c = x.contiguous();
  const int64_t* p = c.data_ptr<int64_t>();
  const int64_t n = x.size(1);
  for (int64_t r = 0; r < x.size(0); ++r) {
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return descending ? p[r * n + a] > p[r * n + b] : p[r * n + a] < p[r * n + b];
    });
    rows.push_back(order);
  }
  return rows;
}

std::vector<std::vector<int64_t>> rows_of(const Tensor& indices) {
  std::vector<std::vector<int64_t>> rows;
  const Tensor c = indices.contiguous();
  for (int64_t r = 0; r < c.size(0); ++r) {
    const int64_t* p = c.data_ptr<int64_t>() + r * c.size(1);
    rows.emplace_back(p, p + c.size(1));
  }
  return rows;
}

}  // namespace

TEST_CASE("sort: equal values keep their order in long slices, along any dim and on any thread count", "[sort]") {
  manual_seed(7);
  const Tensor x = randint(0, 5, {64, 300});  // many ties per row
  for (bool descending : {false, true}) {
    INFO("descending " << descending);
    const auto expected = reference_order(x, descending);
    for (int threads : {1, 4}) {
      testing::ThreadCount scope(threads);
      CHECK(rows_of(std::get<1>(x.sort(1, descending))) == expected);
      // the same slices as columns of a transposed view, and as floats
      CHECK(rows_of(std::get<1>(x.t().sort(0, descending)).t()) == expected);
      CHECK(rows_of(std::get<1>(x.to(kFloat).sort(-1, descending))) == expected);
    }
  }
}

TEST_CASE("sort: LibTorch's overloads, values gathered at the indices, NaN last", "[sort]") {
  const Tensor x = tensor({{3.0, double(NAN), -1.0, 3.0}, {0.0, -0.0, 2.0, -double(INFINITY)}});
  auto [v, i] = x.sort();  // dim -1, ascending
  CHECK(equal(i, tensor({{2, 0, 3, 1}, {3, 0, 1, 2}})));
  CHECK(equal(v.isnan(), tensor({{false, false, false, true}, {false, false, false, false}})));
  CHECK(equal(where(v.isnan(), 0.0, x.gather(1, i)), where(v.isnan(), 0.0, v)));  // NaN != NaN for equal()
  // torch::sort(x, /*stable=*/true, dim, descending): the same stable sort
  auto [vs, is] = sort(x, std::optional<bool>(true), 1, true);
  CHECK(equal(is, std::get<1>(x.sort(1, true))));
  CHECK(equal(std::get<1>(x.sort(std::optional<bool>(false), 0)), std::get<1>(sort(x, 0))));
}

TEST_CASE("topk: always sorted, ties in index order, k = n is a sort", "[sort]") {
  const Tensor x = tensor({5.0, 1.0, 5.0, 3.0, 1.0});
  auto [v, i] = x.topk(3, 0, true, /*sorted=*/false);
  CHECK(equal(v, tensor({5.0, 5.0, 3.0})));
  CHECK(equal(i, tensor({0, 2, 3})));
  auto [vs, is] = x.topk(5, 0, false);
  CHECK(equal(is, std::get<1>(x.sort(0))));
  CHECK(std::get<0>(topk(x, 0)).numel() == 0);
}

TEST_CASE("cumsum: float32 accumulates in double, as PyTorch's CPU cumsum", "[cumsum]") {
  // 0.1f summed 2^20 times: a float accumulator drifts by ~8 (its spacing near 1e5 is 2^-7 per step).
  const Tensor x = full({1 << 20}, 0.1f);
  const double last = x.cumsum(0)[-1].item<double>();
  CHECK(last == Approx(double(0.1f) * (1 << 20)).epsilon(1e-7));
  CHECK(x.cumsum(0).dtype() == kFloat);
  CHECK(tensor({1, 2, 3}, dtype(kInt32)).cumsum(0).dtype() == kInt64);
  CHECK(tensor({1, 2, 3}, dtype(kInt32)).cumsum(0, kInt32).dtype() == kInt32);
  CHECK(equal(tensor({true, true, false}).cumsum(0), tensor({1, 2, 2})));
}
