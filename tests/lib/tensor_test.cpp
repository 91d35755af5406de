// Tensor handles: layout, views sharing storage, conversions, creation, randomness, threads.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <sstream>
#include <thread>
#include "support/fixtures.h"

using namespace wick;

TEST_CASE("tensor: creation, layout and element access", "[tensor]") {
  Tensor t = tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  CHECK(t.dim() == 2);
  CHECK(t.size(0) == 2);
  CHECK(t.size(-1) == 3);
  CHECK(t.strides()[0] == 3);
  CHECK(t.dtype() == kFloat);
  CHECK(t.is_contiguous());
  CHECK(t.data_ptr<float>()[4] == 5.f);
  CHECK(t.index({1, 2}).item<float>() == 6.f);
  CHECK(t.numel() == 6);
  CHECK(t.nbytes() == 24);
  CHECK_THROWS_AS(t.data_ptr<double>(), Error);
  CHECK_THROWS_WITH(t.size(2), Catch::Contains("dim 2 is out of range"));
  CHECK_THROWS_WITH(t.item<float>(), Catch::Contains("6 elements"));
}

TEST_CASE("tensor: views share storage; clone and contiguous copy", "[tensor]") {
  Tensor a = arange(12, dtype(kFloat)).view({3, 4});
  Tensor t = a.t();
  CHECK(!t.is_contiguous());
  CHECK(t.is_alias_of(a));
  CHECK(t.strides() == IntArrayRef{1, 4});
  Tensor row = a[1];
  row.fill_(-1);
  CHECK(a.index({1, 3}).item<float>() == -1.f);
  Tensor c = t.contiguous();
  CHECK(c.is_contiguous());
  CHECK(!c.is_alias_of(a));
  CHECK(equal(c, t));
  Tensor k = a.clone();
  k.zero_();
  CHECK(a.sum().item<float>() != 0.f);
  // copy_ broadcasts and casts
  Tensor dst = zeros({2, 3}, dtype(kDouble));
  dst.copy_(tensor({1, 2, 3}));
  CHECK(equal(dst, tensor({{1.0, 2.0, 3.0}, {1.0, 2.0, 3.0}}, dtype(kDouble))));
  CHECK(dst._version() > 0);
}

TEST_CASE("tensor: view rules follow PyTorch", "[tensor]") {
  Tensor a = arange(24).view({2, 3, 4});
  CHECK(a.view({6, 4}).sizes() == IntArrayRef{6, 4});
  CHECK(a.view({-1}).sizes() == IntArrayRef{24});
  CHECK(a.permute({0, 2, 1}).reshape({2, 12}).is_contiguous());  // reshape copies when it must
  CHECK_THROWS_WITH(a.permute({0, 2, 1}).view({24}), Catch::Contains("use reshape()"));
  CHECK(a.transpose(0, 1).view({3, 2, 4}).sizes() == IntArrayRef{3, 2, 4});  // still viewable
  CHECK(a.unsqueeze(-1).sizes() == IntArrayRef{2, 3, 4, 1});
  CHECK(a.unsqueeze(-1).squeeze(-1).sizes() == IntArrayRef{2, 3, 4});
  CHECK(a.flatten(1).sizes() == IntArrayRef{2, 12});
  CHECK(a.unflatten(2, {2, 2}).sizes() == IntArrayRef{2, 3, 2, 2});
  CHECK(a.expand({5, 2, 3, 4}).strides()[0] == 0);
  CHECK(a.narrow(2, 1, 2).storage_offset() == 1);
  CHECK(a.select(1, -1).sizes() == IntArrayRef{2, 4});
  auto parts = a.split(3, 2);
  CHECK(parts.size() == 2);
  CHECK(parts[1].size(2) == 1);
  CHECK(a.chunk(3, 1).size() == 3);
  CHECK(equal(cat(a.unbind(0), 0), a.view({6, 4})));
}

TEST_CASE("tensor: dtype conversions round-trip, including float16 and bfloat16", "[tensor][dtype]") {
  Tensor f = tensor({-2.5f, 0.f, 1.f, 65504.f, 1e-3f, 3.140625f});
  Tensor h = f.to(kHalf);
  CHECK(h.dtype() == kHalf);
  CHECK(h.element_size() == 2);
  CHECK(equal(h.to(kFloat).index({Slice(0, 4)}), f.index({Slice(0, 4)})));
  CHECK(std::abs(h[4].item<float>() - 1e-3f) < 1e-6f);
  Tensor b = f.to(kBFloat16);
  CHECK(b[5].item<float>() == 3.140625f);  // exactly representable
  CHECK(std::isinf(tensor({1e6f}).to(kHalf).item<float>()));
  CHECK(std::isnan(tensor({NAN}).to(kBFloat16).item<float>()));
  CHECK(equal(tensor({1.7, -1.7}, dtype(kDouble)).to(kInt32), tensor({1, -1}, dtype(kInt32))));
  CHECK(equal(tensor({0.0, 2.0}).to(kBool), tensor({false, true})));
  CHECK(tensor({true, false}).to(kFloat).sum().item<float>() == 1.f);
  // half arithmetic computes in float and rounds back, as PyTorch's CPU does
  Tensor hs = tensor({1.f, 2.f}).to(kHalf) + tensor({0.5f, 0.25f}).to(kHalf);
  CHECK(hs.dtype() == kHalf);
  CHECK(equal(hs.to(kFloat), tensor({1.5f, 2.25f})));
}

TEST_CASE("tensor: float to integer casts of NaN and out-of-range values give what PyTorch gives on x86",
          "[tensor][dtype]") {
  // C++ leaves these undefined; tests/fuzz/ops_fuzz found linspace(..., dtype(kInt64)) reaching one.
  const Tensor wild = tensor({NAN, INFINITY, -INFINITY, 1e30, -1e30, 3e9, -3.0}, dtype(kDouble));
  constexpr int64_t kMin64 = std::numeric_limits<int64_t>::min();
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  CHECK(equal(wild.to(kInt64), tensor(std::vector<int64_t>{kMin64, kMin64, kMin64, kMin64, kMin64, 3000000000, -3})));
  CHECK(equal(wild.to(kInt32), tensor({kMin32, kMin32, kMin32, kMin32, kMin32, kMin32, -3}, dtype(kInt32))));
  // uint8 goes through int64 and wraps, as c10::convert does: -3.0 -> 253, 3e9 -> 3e9 mod 256.
  CHECK(equal(wild.to(kUInt8), tensor(std::vector<uint8_t>{0, 0, 0, 0, 0, uint8_t(3000000000 % 256), 253})));
  CHECK(equal(wild.to(kHalf).to(kInt32), wild.to(kFloat).to(kInt32)));
}

TEST_CASE("tensor: factories", "[tensor][creation]") {
  CHECK(equal(arange(2, 8, 2), tensor({2, 4, 6})));
  CHECK(arange(0.0, 1.0, 0.25).dtype() == kFloat);
  CHECK(arange(5).dtype() == kInt64);
  Tensor l = linspace(0, 1, 5);
  CHECK(l[4].item<float>() == 1.f);
  CHECK(l[1].item<float>() == 0.25f);
  CHECK(equal(eye(3).sum(), tensor(3.f)));
  CHECK(eye(2, 3).sizes() == IntArrayRef{2, 3});
  CHECK(full({2}, 7).dtype() == kInt64);
  CHECK(full({2}, 7.5).dtype() == kFloat);
  CHECK(full({2}, true).dtype() == kBool);
  CHECK(zeros_like(eye(2), dtype(kInt32)).dtype() == kInt32);
  CHECK(ones({2, 0}).numel() == 0);
  CHECK(scalar_tensor(3).dim() == 0);
  CHECK(tensor({{1, 2}, {3, 4}}).dtype() == kInt64);
  CHECK(tensor({1.5, 2.5}).dtype() == kFloat);  // as torch::tensor: floating values take the default dtype
  CHECK(tensor(std::vector<double>{1.0}).dtype() == kFloat);  // LibTorch too: a vector of doubles is float32
  CHECK(ones({3}, requires_grad()).requires_grad());
}

TEST_CASE("tensor: from_blob wraps memory without copying and runs the deleter", "[tensor][creation]") {
  float data[6] = {1, 2, 3, 4, 5, 6};
  Tensor t = from_blob(data, {2, 3});
  CHECK(t.data_ptr<float>() == data);
  t.mul_(2);
  CHECK(data[5] == 12.f);
  Tensor strided = from_blob(data, {3}, {2});
  CHECK(equal(strided, tensor({2.f, 6.f, 10.f})));
  int deleted = 0;
  {
    auto* heap = new double[4]{1, 2, 3, 4};
    Tensor owned = from_blob(heap, {4}, [&](void* p) {
      delete[] static_cast<double*>(p);
      ++deleted;
    }, dtype(kDouble));
    Tensor view = owned.narrow(0, 1, 2);
    owned = Tensor();
    CHECK(deleted == 0);  // a view keeps the memory alive
    CHECK(view.sum().item<double>() == 5.0);
  }
  CHECK(deleted == 1);
}

TEST_CASE("tensor: manual_seed makes random ops reproducible", "[tensor][random]") {
  manual_seed(42);
  Tensor a = randn({1000});
  Tensor r = rand({100});
  Tensor i = randint(3, 9, {50});
  Tensor p = randperm(20);
  manual_seed(42);
  CHECK(equal(randn({1000}), a));
  CHECK(equal(rand({100}), r));
  CHECK(equal(randint(3, 9, {50}), i));
  CHECK(equal(randperm(20), p));
  CHECK(std::abs(a.mean().item<float>()) < 0.1f);
  CHECK(std::abs(a.std().item<float>() - 1.f) < 0.1f);
  CHECK(r.min().item<float>() >= 0.f);
  CHECK(r.max().item<float>() < 1.f);
  CHECK(i.min().item<int64_t>() >= 3);
  CHECK(i.max().item<int64_t>() < 9);
  CHECK(p.sum().item<int64_t>() == 190);  // a permutation of 0..19
}

TEST_CASE("tensor: random streams do not depend on the thread count", "[tensor][random][threads]") {
  const int before = get_num_threads();
  set_num_threads(1);
  manual_seed(7);
  Tensor one = randn({300000});
  set_num_threads(2);
  manual_seed(7);
  Tensor two = randn({300000});
  set_num_threads(before);
  CHECK(equal(one, two));
}

TEST_CASE("tensor: large tensors on the threaded path match the single-thread result", "[tensor][threads]") {
  manual_seed(3);
  Tensor a = randn({513, 777}), b = randn({777});
  const int before = get_num_threads();
  set_num_threads(1);
  Tensor s1 = (a * b + 1).exp().sum({1});
  Tensor m1 = a.t().contiguous();
  set_num_threads(4);
  Tensor s4 = (a * b + 1).exp().sum({1});
  Tensor m4 = a.t().contiguous();
  set_num_threads(before);
  CHECK_TENSOR(s1, s4, (::wick::testing::Tolerance{1e-6, 1e-6}));
  CHECK(equal(m1, m4));
  CHECK_THROWS_AS(set_num_threads(0), Error);
}

TEST_CASE("tensor: a thread_local tensor outlives its thread's caches safely", "[tensor][threads]") {
  // Declared before the thread's first op, the tensor is destroyed after the per-thread caches that its storage,
  // its TensorImpl and its tape node came from; it must free around them (ASan caught a write into a freed list).
  std::atomic<double> sum{0};
  std::thread([&sum] {
    thread_local Tensor late;
    thread_local Tensor late_with_history;
    Tensor x = full({4}, 1.5).requires_grad_();
    late = full({4}, 2.5) * 2;
    late_with_history = (x * x).sum();
    sum = late.sum().item<double>() + late_with_history.item<double>();
  }).join();
  CHECK(sum.load() == 4 * 5.0 + 4 * 2.25);
}

TEST_CASE("tensor: accessor<T, N> reads and writes through the strides, as LibTorch's", "[tensor]") {
  Tensor m = arange(12, dtype(kFloat)).reshape({3, 4});
  auto a = m.accessor<float, 2>();
  CHECK(a.size(0) == 3);
  CHECK(a.size(1) == 4);
  CHECK(a.stride(0) == 4);
  CHECK(a.sizes() == IntArrayRef{3, 4});
  CHECK(a[2][1] == 9.f);
  a[1][3] = -1.f;
  CHECK(m[1][3].item<float>() == -1.f);
  // a transposed view: the accessor follows its strides
  const Tensor t = m.t();
  const auto at = t.accessor<float, 2>();
  CHECK(at.strides() == IntArrayRef{1, 4});
  for (int64_t i = 0; i < 4; ++i)
    for (int64_t j = 0; j < 3; ++j) CHECK(at[i][j] == m[j][i].item<float>());
  Tensor v = zeros({2, 3, 2}, dtype(kInt64));
  auto av = v.accessor<int64_t, 3>();
  av[1][2][0] = 7;
  CHECK(v.sum().item<int64_t>() == 7);
  CHECK(av[1].size(0) == 3);
  CHECK_THROWS_WITH((m.accessor<float, 3>()), Catch::Contains("accessor") && Catch::Contains("3 dims"));
  CHECK_THROWS_WITH((m.accessor<double, 2>()), Catch::Contains("float64"));
}

TEST_CASE("tensor: 0-dim and empty tensors", "[tensor]") {
  Tensor s = tensor(2.5f);
  CHECK(s.dim() == 0);
  CHECK((s * 2).item<float>() == 5.f);
  CHECK(s.sum().dim() == 0);
  CHECK(s.unsqueeze(0).sizes() == IntArrayRef{1});
  Tensor e = zeros({0, 3});
  CHECK(e.sum().item<float>() == 0.f);
  CHECK(e.sum({0}).sizes() == IntArrayRef{3});
  CHECK((e + 1).numel() == 0);
  CHECK(e.mean({1}).numel() == 0);
  CHECK(cat({e, ones({2, 3})}).size(0) == 2);
  CHECK_THROWS_AS(e.max(), Error);
}

TEST_CASE("tensor: type promotion follows PyTorch", "[tensor][dtype]") {
  CHECK((ones({2}, dtype(kInt32)) + ones({2}, dtype(kInt64))).dtype() == kInt64);
  CHECK((ones({2}, dtype(kInt32)) + 1.5).dtype() == kFloat);        // Python float: default dtype
  CHECK((ones({2}, dtype(kUInt8)) + 300).dtype() == kUInt8);        // int scalar keeps the category
  CHECK((ones({2}, dtype(kFloat)) + ones({}, dtype(kDouble))).dtype() == kFloat);  // 0-dim: same category
  CHECK((ones({2}, dtype(kInt32)) + ones({}, dtype(kDouble))).dtype() == kDouble); // 0-dim: higher category
  CHECK((ones({2}, dtype(kHalf)) + ones({2}, dtype(kBFloat16))).dtype() == kFloat);
  CHECK((ones({2}, dtype(kBool)) + ones({2}, dtype(kBool))).dtype() == kBool);
  CHECK((ones({2}, dtype(kInt64)) / 2).dtype() == kFloat);          // true division
  CHECK((ones({2}, dtype(kInt64)) < 2.5).dtype() == kBool);
  CHECK(ones({2}, dtype(kInt32)).sum().dtype() == kInt64);
  CHECK(exp(ones({2}, dtype(kInt64))).dtype() == kFloat);
}

TEST_CASE("tensor: NaN and infinity propagate as in PyTorch", "[tensor]") {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x = tensor({NAN, 1.f, -inf});
  CHECK(std::isnan(x.max().item<float>()));
  CHECK(std::isnan(maximum(x, zeros({3}))[0].item<float>()));
  CHECK(std::isnan(x.relu()[0].item<float>()));
  CHECK(x.isnan().sum().item<int64_t>() == 1);
  CHECK(x.isinf().sum().item<int64_t>() == 1);
  CHECK(std::get<1>(x.max(0)).item<int64_t>() == 0);
  CHECK(tensor({-inf, -inf}).softmax(0).isnan().all().item<bool>());
  CHECK(tensor({1e4f, -1e4f}).sigmoid()[1].item<float>() == 0.f);
  CHECK(tensor({1e4f, 0.f}).log_softmax(0)[1].item<float>() == -1e4f);
}

TEST_CASE("tensor: in-place arithmetic equals the out-of-place result on every path", "[tensor][inplace]") {
  manual_seed(7);
  const Tensor x0 = randn({4, 5}), y = randn({5}), m = randn({4, 5});
  auto check_inplace = [&](const char* what, auto&& inplace_op, const Tensor& expected, Tensor x) {
    INFO(what);
    const uint32_t version = x._version();
    inplace_op(x);
    CHECK(equal(x, expected));
    CHECK(x._version() > version);
  };
  // Written straight into self: contiguous float self, broadcast operand, scalar operand, alpha.
  check_inplace("add_ broadcast, alpha", [&](Tensor& x) { x.add_(y, 2.5); }, x0 + y * 2.5, x0.clone());
  check_inplace("sub_", [&](Tensor& x) { x.sub_(m); }, x0 - m, x0.clone());
  check_inplace("mul_ scalar", [&](Tensor& x) { x.mul_(0.3); }, x0 * 0.3, x0.clone());
  check_inplace("div_", [&](Tensor& x) { x.div_(m); }, x0 / m, x0.clone());
  check_inplace("add_ scalar, alpha", [&](Tensor& x) { x.add_(2, -0.5); }, x0 + (-1.0), x0.clone());
  // An operand of self's shape with alpha (an optimizer's p.add_(update, -lr)) runs as one elementwise program:
  // the same bits as mul then add. Large enough for several chunks and threads, with a tail; float32 and float64.
  for (ScalarType t : {kFloat, kDouble}) {
    INFO(dtype_name(t));
    const Tensor big = randn({301, 1003}, dtype(t)), update = randn({301, 1003}, dtype(t));
    check_inplace("add_ same shape, alpha", [&](Tensor& x) { x.add_(update, -0.01); }, big + update * -0.01,
                  big.clone());
    check_inplace("sub_ same shape, alpha", [&](Tensor& x) { x.sub_(update, 0.3); }, big - update * 0.3, big.clone());
  }
  // The general path: the operand shares self's storage, self is a transposed view, self is float64 and the
  // operand float32, self is an integer tensor.
  check_inplace("aliasing operand", [&](Tensor& x) { x.add_(x.flip({1})); }, x0 + x0.flip({1}), x0.clone());
  check_inplace("non-contiguous self", [&](Tensor& x) { x.mul_(m.t()); }, x0.t() * m.t(), x0.clone().t());
  check_inplace("mixed dtypes", [&](Tensor& x) { x.sub_(y); }, x0.to(kDouble) - y.to(kDouble), x0.to(kDouble));
  check_inplace("integer", [&](Tensor& x) { x.add_(3, 2); }, full({3}, 7, dtype(kInt64)), ones({3}, dtype(kInt64)));
  CHECK_THROWS_WITH(ones({3}, dtype(kInt64)).div_(2), Catch::Contains("div_") && Catch::Contains("can't be cast"));
  CHECK_THROWS_WITH(ones({2, 3}).add_(ones({4, 2, 3})), Catch::Contains("add_"));
}

TEST_CASE("tensor: dtypes and devices print as LibTorch prints them; arange(start, end, options)", "[tensor]") {
  std::ostringstream os;
  os << kFloat << ' ' << kInt64 << ' ' << kBFloat16 << ' ' << Device(kCUDA, 1) << ' ' << Device(kCPU);
  CHECK(os.str() == "Float Long BFloat16 cuda:1 cpu");
  const Tensor r = arange(2, 5, dtype(kDouble));
  CHECK(r.dtype() == kDouble);
  CHECK(equal(r, tensor({2.0, 3.0, 4.0})));
}

// Same dtype, shape and values, NaN matching NaN.
static bool same(const Tensor& a, const Tensor& b) {
  return wick::testing::compare(a, b, wick::testing::Tolerance{0, 0}).empty();
}

TEST_CASE("tensor: where and comparisons give the same on contiguous and strided inputs", "[tensor][where]") {
  manual_seed(3);
  for (ScalarType t : {kFloat, kDouble, kInt64, kHalf, kBool}) {
    INFO(dtype_name(t));
    // 37 columns: whole vectors plus a tail at every width; NaN and -0 must pass through where() unchanged.
    Tensor a = (randn({21, 37}) * 3).to(t), b = (randn({21, 37}) * 3).to(t);
    if (is_floating_point(t)) {
      a.index_put_({0, 0}, std::numeric_limits<double>::quiet_NaN());
      a.index_put_({0, 1}, -0.0);
    }
    const Tensor cond = randn({21, 37}) > 0;
    // The same values through transposed (non-contiguous) views take the general strided loop.
    const Tensor at = a.t().contiguous().t(), bt = b.t().contiguous().t(), ct = cond.t().contiguous().t();
    CHECK(same(where(cond, a, b), where(ct, at, bt)));
    CHECK(same(where(cond, a, 0), where(ct, at, 0)));
    CHECK(same(where(cond.select(0, 0), a, b), where(ct.select(0, 0), at, bt)));
    if (is_floating_point(t)) CHECK(std::signbit(where(cond.logical_or(ones_like(cond)), a, b)[0][1].item<double>()));
    CHECK(equal(a > b, at > bt));
    CHECK(equal(a.ne(0), at.ne(0)));
    CHECK(equal(a <= b[3], at <= bt[3]));
  }
}
