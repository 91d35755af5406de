// LibTorch's out= variants: what they write, how they resize, and what they refuse. Expected values and shapes are
// LibTorch 1.13's, printed by the same calls compiled against it (dtype names in messages are wick's).
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>

using namespace wick;

namespace {
// out is the same tensor the call returned, with exactly this shape, dtype and these values.
void check_written(const Tensor& returned, const Tensor& out, const Tensor& expected) {
  CHECK(returned.is_same(out));
  REQUIRE(out.sizes() == expected.sizes());
  REQUIRE(out.scalar_type() == expected.scalar_type());
  CHECK(equal(out, expected));
}
}  // namespace

TEST_CASE("out variants: an empty out takes the result's shape and values", "[out]") {
  const Tensor a = arange(6, kFloat).view({2, 3}), b = ones({2, 3});
  Tensor out = empty({0});
  check_written(add_out(out, a, b, 2), out, tensor({{2.f, 3.f, 4.f}, {5.f, 6.f, 7.f}}));
  // A differently shaped out with elements is resized too (LibTorch warns that this is deprecated).
  Tensor sums = zeros({5});
  check_written(sum_out(sums, a, {1}), sums, tensor({3.f, 12.f}));
  const Tensor m = tensor({{1.f, 2.f}, {3.f, 4.f}});
  Tensor product = empty({0});
  check_written(addmm_out(product, ones({2}), m, m, 0.5, 2), product, tensor({{14.5f, 20.5f}, {30.5f, 44.5f}}));
  Tensor clamped = empty({0});
  check_written(clamp_out(clamped, tensor({-2.f, 0.5f, 3.f}), -1, 1), clamped, tensor({-1.f, 0.5f, 1.f}));
}

TEST_CASE("out variants: every variant writes what its op returns", "[out]") {
  const Tensor a = tensor({{0.5, 1.5, 2.0}, {3.0, 0.25, 4.0}}).to(kDouble);
  const Tensor b = tensor({{2.0, 0.5, 1.0}, {1.0, 4.0, 0.5}}).to(kDouble);
  const auto same = [](const Tensor& returned, const Tensor& out, const Tensor& expected) {
    check_written(returned, out, expected);
  };
  Tensor out = empty({0}, kDouble);
  same(sub_out(out, a, b, 3), out, sub(a, b, 3));
  same(mul_out(out, a, b), out, mul(a, b));
  same(div_out(out, a, b), out, div(a, b));
  same(pow_out(out, a, b), out, pow(a, b));
  same(pow_out(out, a, 3), out, pow(a, 3));
  same(maximum_out(out, a, b), out, maximum(a, b));
  same(minimum_out(out, a, b), out, minimum(a, b));
  same(neg_out(out, a), out, neg(a));
  same(abs_out(out, neg(a)), out, a);
  same(exp_out(out, a), out, exp(a));
  same(log_out(out, a), out, log(a));
  same(sqrt_out(out, a), out, sqrt(a));
  same(sin_out(out, a), out, sin(a));
  same(cos_out(out, a), out, cos(a));
  same(tanh_out(out, a), out, tanh(a));
  same(sigmoid_out(out, a), out, sigmoid(a));
  same(mm_out(out, a, b.t()), out, mm(a, b.t()));
  same(matmul_out(out, a, b.t()), out, matmul(a, b.t()));
  same(bmm_out(out, a.unsqueeze(0), b.t().unsqueeze(0)), out, bmm(a.unsqueeze(0), b.t().unsqueeze(0)));
  same(mean_out(out, a, {0}, true), out, mean(a, {0}, true));
  same(cat_out(out, {a, b}, 1), out, cat({a, b}, 1));
  same(stack_out(out, {a, b}), out, stack({a, b}));
  const Tensor index = tensor({2, 0});
  same(index_select_out(out, a, 1, index), out, index_select(a, 1, index));
  same(gather_out(out, a, 1, tensor({{1}, {2}})), out, tensor({{1.5}, {4.0}}).to(kDouble));
  same(where_out(out, tensor({true, false, true}), a, b), out, tensor({{0.5, 0.5, 2.0}, {3.0, 4.0, 4.0}}).to(kDouble));
}

TEST_CASE("out variants: out may alias an input", "[out]") {
  Tensor a = tensor({1.f, 2.f, 3.f});
  const Tensor b = tensor({10.f, 20.f, 30.f});
  check_written(add_out(a, a, b), a, tensor({11.f, 22.f, 33.f}));
  check_written(mul_out(a, a, a), a, tensor({121.f, 484.f, 1089.f}));
}

TEST_CASE("out variants: dtypes the result casts to, as torch.can_cast", "[out]") {
  const Tensor a = arange(6, kFloat).view({2, 3}), b = ones({2, 3}), ints = arange(6).view({2, 3});
  Tensor wider = zeros({2, 3}, kDouble);
  check_written(add_out(wider, a, b), wider, add(a, b).to(kDouble));
  Tensor narrower = zeros({2, 3}, kInt32);
  check_written(add_out(narrower, ints, ints), narrower, tensor({{0, 2, 4}, {6, 8, 10}}).to(kInt32));
  Tensor as_long = zeros({2, 3}, kLong);
  CHECK_THROWS_WITH(add_out(as_long, a, b), Catch::Contains("add_out") && Catch::Contains("result type float32") &&
                                                Catch::Contains("output type int64"));
  CHECK(equal(as_long, zeros({2, 3}, kLong)));  // refused before anything was written
  Tensor as_bool = zeros({2, 3}, kBool);
  CHECK_THROWS_WITH(add_out(as_bool, ints, ints), Catch::Contains("int64") && Catch::Contains("bool"));
  // Matrix products want the result's dtype exactly, as LibTorch's.
  Tensor product = zeros({2, 2}, kDouble);
  CHECK_THROWS_WITH(mm_out(product, a, a.t()),
                    Catch::Contains("mm_out") && Catch::Contains("float32") && Catch::Contains("float64"));
  // cat casts: LibTorch resizes a [1] double out to [4, 3] and converts.
  Tensor joined = zeros({1}, kDouble);
  check_written(cat_out(joined, {a, b}, 0), joined, cat({a, b}, 0).to(kDouble));
}

TEST_CASE("out variants: a view out is written through, and resized in place while its storage has room", "[out]") {
  const Tensor a = arange(6, kFloat).view({2, 3});
  Tensor big = zeros({4, 3});
  Tensor rows = big.narrow(0, 0, 2);
  exp_out(rows, a);
  CHECK(equal(big.narrow(0, 0, 2), exp(a)));
  CHECK(big.sum().item<float>() == Approx(234.204f).epsilon(1e-5));  // LibTorch's printed sum
  // LibTorch: a [1, 3] view of the [4, 3] tensor becomes [2, 3], still inside big.
  Tensor row = big.narrow(0, 2, 1);
  neg_out(row, a);
  CHECK(row.sizes() == IntArrayRef({2, 3}));
  CHECK(big.sizes() == IntArrayRef({4, 3}));
  CHECK(equal(big.narrow(0, 2, 2), neg(a)));
  // Without room, a view cannot grow: its base would no longer hold it.
  Tensor last = big.narrow(0, 3, 1);
  CHECK_THROWS_WITH(neg_out(last, a), Catch::Contains("neg_out") && Catch::Contains("view"));
  // Memory the caller owns cannot be replaced either.
  float buffer[3] = {0, 0, 0};
  Tensor blob = from_blob(buffer, {3});
  CHECK_THROWS_WITH(neg_out(blob, a), Catch::Contains("from_blob"));
  Tensor fits = from_blob(buffer, {3});
  neg_out(fits, a[1]);
  CHECK(buffer[0] == -3.f);
  CHECK(buffer[2] == -5.f);
}

TEST_CASE("out variants: refused while an argument requires grad and grad mode is on", "[out]") {
  const Tensor a = ones({2, 3}, requires_grad()), b = ones({2, 3});
  Tensor out = empty({2, 3});
  CHECK_THROWS_WITH(mul_out(out, a, b), Catch::Contains("mul_out") && Catch::Contains("requires grad"));
  Tensor grad_out = empty({2, 3}, requires_grad());
  CHECK_THROWS_WITH(mul_out(grad_out, b, b), Catch::Contains("automatic differentiation"));
  CHECK_THROWS_WITH(cat_out(out, {b, a}), Catch::Contains("cat_out"));
  NoGradGuard no_grad;
  check_written(mul_out(out, a, b), out, ones({2, 3}));
}

TEST_CASE("constant_pad_nd: pad's constant mode with LibTorch's signature", "[out][porting]") {
  // LibTorch 1.13: constant_pad_nd(arange(6).view({2, 3}), {1, -1, 0, 1}, 7).
  const Tensor padded = constant_pad_nd(arange(6).view({2, 3}), {1, -1, 0, 1}, 7);
  CHECK(padded.scalar_type() == kLong);
  CHECK(padded.sizes() == IntArrayRef({3, 3}));
  CHECK(equal(padded, tensor({{7, 0, 1}, {7, 3, 4}, {7, 7, 7}})));
  const Tensor left = constant_pad_nd(ones({2}, kDouble), {2, 0}, -1.5);
  CHECK(equal(left, tensor({-1.5, -1.5, 1.0, 1.0}).to(kDouble)));
  // The gradient flows to the kept elements only.
  const Tensor x = ones({2, 3}, TensorOptions().dtype(kDouble).requires_grad(true));
  constant_pad_nd(x, {1, -1}, 5).sum().backward();
  CHECK(equal(x.grad(), tensor({{1.0, 1.0, 0.0}, {1.0, 1.0, 0.0}}).to(kDouble)));
}
