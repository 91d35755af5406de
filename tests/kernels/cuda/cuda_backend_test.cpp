// The CUDA backend against the CPU backend: every primitive runs on the same inputs on both devices through
// the public API (t.to(kCUDA), ops, .cpu()), over contiguous, transposed, sliced and broadcast views and all
// dtypes. On a machine without a CUDA device every case returns early with a warning.
#include <catch2/catch.hpp>
#include <wick/cuda.h>
#include <wick/wick.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "../../support/fixtures.h"
#include "../../support/skip.h"

using namespace wick;

namespace {

const std::vector<ScalarType> kEveryType = {kBool, kUInt8, kInt32, kInt64, kHalf, kBFloat16, kFloat, kDouble};
const std::vector<ScalarType> kFloatTypes = {kHalf, kBFloat16, kFloat, kDouble};

// Relative/absolute tolerance for results that went through a dtype's rounding on two devices whose math
// libraries may differ by an ulp.
double tolerance(ScalarType t) {
  switch (t) {
    case kHalf: return 4e-3;
    case kBFloat16: return 3e-2;
    case kFloat: return 2e-5;
    case kDouble: return 1e-11;
    default: return 0;
  }
}

// The CUDA tensor `gpu` holds the values of the CPU tensor `cpu` (same dtype and shape).
void check_same(const Tensor& gpu, const Tensor& cpu, double tol = -1) {
  REQUIRE(gpu.is_cuda());
  const double t = tol < 0 ? tolerance(cpu.dtype()) : tol;
  const std::string mismatch = wick::testing::compare(gpu.cpu(), cpu, wick::testing::Tolerance{t, t});
  INFO(mismatch);
  CHECK(mismatch.empty());
}

// A CUDA matmul's result `got` (dtype dt) against `exact`, the float64 product of the same inputs, within the
// standard rounding bound: |got - exact| <= u_out * |exact| + 2 K u_acc * (|A| |B|), where u_out is the unit
// roundoff of the result's dtype, u_acc that of the accumulation (float64 for double, float32 for the rest:
// cuBLAS accumulates 16-bit products in float32) and |A| |B| the product of absolute values.
void check_matmul(const Tensor& got, const Tensor& exact, const Tensor& abs_product, ScalarType dt, int64_t K) {
  REQUIRE(got.sizes() == exact.sizes());
  const double u_out = dt == kDouble ? 0x1p-53 : dt == kFloat ? 0x1p-24 : dt == kHalf ? 0x1p-11 : 0x1p-8;
  const double u_acc = dt == kDouble ? 0x1p-53 : 0x1p-24;
  const std::vector<double> g = wick::testing::to_doubles(got), e = wick::testing::to_doubles(exact),
                            m = wick::testing::to_doubles(abs_product);
  int64_t bad = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    const double allowed = u_out * std::abs(e[i]) + 2.0 * double(K) * u_acc * m[i];
    if (std::abs(g[i] - e[i]) <= allowed) continue;
    if (bad++ < 3) UNSCOPED_INFO("[" << i << "] got " << g[i] << ", exact " << e[i] << ", allowed error " << allowed);
  }
  CHECK(bad == 0);
}

// Random values of `dtype` that every dtype can hold: integers 0..9 for integer types, bool from 0/1,
// normal values for floats.
Tensor sample(IntArrayRef shape, ScalarType dtype) {
  if (dtype == kBool) return randint(0, 2, shape).to(kBool);
  if (!is_floating_point(dtype)) return randint(0, 10, shape).to(dtype);
  return randn(shape, wick::dtype(kDouble)).to(dtype);
}

// A few layouts of one logical [4, 6, 5] tensor: contiguous, transposed, sliced with a step, broadcast.
std::vector<std::pair<std::string, Tensor>> layouts(ScalarType dtype) {
  std::vector<std::pair<std::string, Tensor>> out;
  out.push_back({"contiguous", sample({4, 6, 5}, dtype)});
  out.push_back({"transposed", sample({5, 6, 4}, dtype).transpose(0, 2)});
  out.push_back({"strided slice", sample({4, 12, 5}, dtype).slice(1, 0, std::nullopt, 2)});
  out.push_back({"broadcast", sample({1, 6, 1}, dtype).expand({4, 6, 5})});
  return out;
}

}  // namespace

TEST_CASE("cuda: device management and the caching allocator", "[cuda]") {
  WICK_REQUIRE_CUDA();
  CHECK(cuda::device_count() >= 1);
  CHECK_FALSE(cuda::device_name(0).empty());
  CHECK(cuda::device_name(cuda::device_count()).empty());
  cuda::synchronize();
  cuda::empty_cache();
  cuda::reset_peak_memory_stats();
  const size_t before = cuda::memory_allocated();
  {
    Tensor t = empty({1000, 1000}, device(kCUDA));
    CHECK(cuda::memory_allocated() >= before + 4000000);
    CHECK(cuda::max_memory_allocated() >= before + 4000000);
  }
  CHECK(cuda::memory_allocated() == before);
  // The freed block is reused: a second tensor of the same size does not reach cudaMalloc.
  const cuda::MemoryStats s0 = cuda::memory_stats();
  for (int i = 0; i < 10; ++i) Tensor t = empty({1000, 1000}, device(kCUDA));
  const cuda::MemoryStats s1 = cuda::memory_stats();
  CHECK(s1.device_mallocs == s0.device_mallocs);
  CHECK(s1.cache_hits >= s0.cache_hits + 10);
  CHECK(s1.reserved_bytes >= s1.allocated_bytes);
  // Small blocks split one segment; freeing them merges it back, and empty_cache returns it.
  {
    std::vector<Tensor> small;
    for (int i = 0; i < 100; ++i) small.push_back(empty({100 + i}, device(kCUDA)));
  }
  const size_t reserved = cuda::memory_reserved();
  cuda::empty_cache();
  CHECK(cuda::memory_reserved() <= reserved);
  if (cuda::memory_allocated() == 0) CHECK(cuda::memory_reserved() == 0);
}

TEST_CASE("cuda: out of memory and bad devices are wick::Errors", "[cuda]") {
  WICK_REQUIRE_CUDA();
  CHECK_THROWS_WITH(empty({int64_t(1) << 45}, device(kCUDA)), Catch::Contains("out of memory"));
  CHECK_THROWS_AS(ones({2}).to(Device(kCUDA, cuda::device_count())), wick::Error);
  // The device stays usable.
  check_same(ones({3}).to(kCUDA) + 1, ones({3}) + 1);
}

TEST_CASE("cuda: host <-> device round trip of every dtype", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(1);
  for (ScalarType dt : kEveryType) {
    INFO(dtype_name(dt));
    const Tensor x = sample({3, 7, 11}, dt);
    const Tensor back = x.to(kCUDA).cpu();
    CHECK(equal(back, x));
    // A non-contiguous source is made contiguous before the transfer.
    const Tensor xt = x.transpose(0, 2);
    CHECK(equal(xt.to(kCUDA).cpu(), xt));
  }
  // Larger than the pinned staging chunks (8 MiB), not a multiple of them.
  const Tensor big = randn({5 * 1024 * 1024 + 3});
  CHECK(equal(big.to(kCUDA).cpu(), big));
  CHECK(big.to(kCUDA).sum().item<double>() == Approx(big.to(kDouble).sum().item<double>()).margin(0.05));
  // item() of a device scalar
  CHECK(full({}, 2.5, device(kCUDA)).item<float>() == 2.5f);
}

TEST_CASE("cuda: fill and casts between all dtypes over strided views", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(2);
  for (ScalarType dt : kEveryType) {
    INFO(dtype_name(dt));
    check_same(full({5, 3}, 7, TensorOptions().dtype(dt).device(kCUDA)), full({5, 3}, 7, dtype(dt)));
    check_same(zeros({17}, TensorOptions().dtype(dt).device(kCUDA)), zeros({17}, dtype(dt)));
    if (is_floating_point(dt))
      check_same(full({4}, -1.25, TensorOptions().dtype(dt).device(kCUDA)), full({4}, -1.25, dtype(dt)));
  }
  for (ScalarType from : kEveryType) {
    for (const auto& [name, x] : layouts(from)) {
      // Fractional values for floating sources exercise truncation and 16-bit rounding.
      const Tensor src = is_floating_point(from) ? (x.to(kDouble).abs() * 3.37).to(from) : x;
      const Tensor gsrc = src.to(kCUDA);
      for (ScalarType to : kEveryType) {
        INFO(dtype_name(from) << " -> " << dtype_name(to) << ", " << name);
        check_same(gsrc.to(to), src.to(to), 0);
      }
    }
  }
  // In-place copy into a strided view (copy_ with broadcast).
  Tensor a = zeros({4, 6}), ga = a.to(kCUDA);
  const Tensor row = arange(6).to(kFloat);
  a.slice(0, 1, 3).copy_(row);
  ga.slice(0, 1, 3).copy_(row.to(kCUDA));
  check_same(ga, a, 0);
}

TEST_CASE("cuda: unary ops match the CPU for every floating dtype and layout", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(3);
  using Fn = std::function<Tensor(const Tensor&)>;
  const std::vector<std::pair<std::string, Fn>> ops = {
      {"neg", [](const Tensor& x) { return -x; }},
      {"abs", [](const Tensor& x) { return x.abs(); }},
      {"sign", [](const Tensor& x) { return x.sign(); }},
      {"exp", [](const Tensor& x) { return x.exp(); }},
      {"log", [](const Tensor& x) { return (x.abs() + 0.1).log(); }},
      {"log1p", [](const Tensor& x) { return x.abs().log1p(); }},
      {"expm1", [](const Tensor& x) { return x.expm1(); }},
      {"sqrt", [](const Tensor& x) { return x.abs().sqrt(); }},
      {"rsqrt", [](const Tensor& x) { return (x.abs() + 0.1).rsqrt(); }},
      {"reciprocal", [](const Tensor& x) { return (x.abs() + 0.5).reciprocal(); }},
      {"sin", [](const Tensor& x) { return x.sin(); }},
      {"cos", [](const Tensor& x) { return x.cos(); }},
      {"tanh", [](const Tensor& x) { return x.tanh(); }},
      {"sigmoid", [](const Tensor& x) { return x.sigmoid(); }},
      {"erf", [](const Tensor& x) { return wick::erf(x); }},
      {"relu", [](const Tensor& x) { return x.relu(); }},
      {"gelu", [](const Tensor& x) { return wick::gelu(x); }},
      {"gelu tanh", [](const Tensor& x) { return wick::gelu(x, "tanh"); }},
      {"silu", [](const Tensor& x) { return wick::silu(x); }},
      {"softplus", [](const Tensor& x) { return wick::softplus(x * 5, 2.0, 3.0); }},
      {"leaky_relu", [](const Tensor& x) { return wick::leaky_relu(x, 0.2); }},
      {"elu", [](const Tensor& x) { return wick::elu(x, 0.7); }},
      {"floor", [](const Tensor& x) { return (x * 4).floor(); }},
      {"ceil", [](const Tensor& x) { return (x * 4).ceil(); }},
      {"round", [](const Tensor& x) { return (x * 4).round(); }},
      {"trunc", [](const Tensor& x) { return (x * 4).trunc(); }},
      {"clamp", [](const Tensor& x) { return x.clamp(-0.5, 0.25); }},
      {"pow 2", [](const Tensor& x) { return x.pow(2); }},
      {"pow 3", [](const Tensor& x) { return x.pow(3); }},
      {"pow 0.5", [](const Tensor& x) { return x.abs().pow(0.5); }},
      {"pow 1.7", [](const Tensor& x) { return x.abs().pow(1.7); }},
      {"isnan", [](const Tensor& x) { return (x / (x * 0)).isnan(); }},
      {"isinf", [](const Tensor& x) { return (x / 0).isinf(); }},
      {"logical_not", [](const Tensor& x) { return x.relu().logical_not(); }},
  };
  for (ScalarType dt : kFloatTypes) {
    for (const auto& [layout, x] : layouts(dt)) {
      const Tensor gx = x.to(kCUDA);
      for (const auto& [name, f] : ops) {
        INFO(name << " " << dtype_name(dt) << " " << layout);
        check_same(f(gx), f(x));
      }
    }
  }
}

TEST_CASE("cuda: unary ops on integer tensors", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(4);
  for (ScalarType dt : {kInt32, kInt64}) {
    const Tensor x = randint(-20, 20, {7, 9}).to(dt).t();
    const Tensor gx = x.to(kCUDA);
    INFO(dtype_name(dt));
    check_same(-gx, -x);
    check_same(gx.abs(), x.abs());
    check_same(gx.sign(), x.sign());
    check_same(gx.clamp(-3, 4), x.clamp(-3, 4));
    check_same(gx.pow(3), x.pow(3));
    check_same(gx.logical_not(), x.logical_not());
  }
  const Tensor u = randint(0, 200, {33}).to(kUInt8);
  check_same(u.to(kCUDA).clamp(10, 100), u.clamp(10, 100));
  check_same(u.to(kCUDA).logical_not(), u.logical_not());
}

TEST_CASE("cuda: binary ops with broadcasting, scalars and strided operands", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(5);
  using Fn = std::function<Tensor(const Tensor&, const Tensor&)>;
  const std::vector<std::pair<std::string, Fn>> arithmetic = {
      {"add", [](const Tensor& a, const Tensor& b) { return a + b; }},
      {"sub", [](const Tensor& a, const Tensor& b) { return a - b; }},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }},
      {"maximum", [](const Tensor& a, const Tensor& b) { return wick::maximum(a, b); }},
      {"minimum", [](const Tensor& a, const Tensor& b) { return wick::minimum(a, b); }},
  };
  const std::vector<std::pair<std::string, Fn>> floating = {
      {"div", [](const Tensor& a, const Tensor& b) { return a / (b.abs() + 0.5); }},
      {"remainder", [](const Tensor& a, const Tensor& b) { return wick::remainder(a * 3, b.abs() + 0.5); }},
      {"pow", [](const Tensor& a, const Tensor& b) { return wick::pow(a.abs() + 0.1, b); }},
      {"atan2", [](const Tensor& a, const Tensor& b) { return wick::atan2(a, b); }},
  };
  const std::vector<std::pair<std::string, Fn>> comparisons = {
      {"eq", [](const Tensor& a, const Tensor& b) { return a == b; }},
      {"ne", [](const Tensor& a, const Tensor& b) { return a != b; }},
      {"lt", [](const Tensor& a, const Tensor& b) { return a < b; }},
      {"le", [](const Tensor& a, const Tensor& b) { return a <= b; }},
      {"gt", [](const Tensor& a, const Tensor& b) { return a > b; }},
      {"ge", [](const Tensor& a, const Tensor& b) { return a >= b; }},
      {"and", [](const Tensor& a, const Tensor& b) { return wick::logical_and(a, b); }},
      {"or", [](const Tensor& a, const Tensor& b) { return wick::logical_or(a, b); }},
      {"xor", [](const Tensor& a, const Tensor& b) { return wick::logical_xor(a, b); }},
  };
  for (ScalarType dt : kEveryType) {
    // (a, b) pairs: same shape, broadcast both ways, a 0-d operand, transposed operands.
    std::vector<std::pair<Tensor, Tensor>> pairs = {
        {sample({6, 5}, dt), sample({6, 5}, dt)},   {sample({4, 1, 5}, dt), sample({3, 5}, dt)},
        {sample({}, dt), sample({2, 3, 8}, dt)},    {sample({5, 6}, dt).t(), sample({6, 5}, dt)},
        {sample({1000, 33}, dt), sample({33}, dt)},
    };
    for (size_t i = 0; i < pairs.size(); ++i) {
      const auto& [a, b] = pairs[i];
      const Tensor ga = a.to(kCUDA), gb = b.to(kCUDA);
      for (const auto& [name, f] : comparisons) {
        INFO(name << " " << dtype_name(dt) << " pair " << i);
        check_same(f(ga, gb), f(a, b));
      }
      if (dt == kBool) continue;
      for (const auto& [name, f] : arithmetic) {
        INFO(name << " " << dtype_name(dt) << " pair " << i);
        check_same(f(ga, gb), f(a, b));
      }
      if (is_floating_point(dt)) {
        for (const auto& [name, f] : floating) {
          INFO(name << " " << dtype_name(dt) << " pair " << i);
          check_same(f(ga, gb), f(a, b));
        }
      } else {
        INFO("integer div/remainder/pow " << dtype_name(dt) << " pair " << i);
        check_same(ga / (gb + 1), a / (b + 1));
        check_same(wick::remainder(ga * 7, gb + 1), wick::remainder(a * 7, b + 1));
        check_same(wick::pow(ga, gb % 3), wick::pow(a, b % 3));
      }
    }
    if (dt != kBool) {
      const Tensor x = sample({3, 4}, dt);
      INFO("scalar operands " << dtype_name(dt));
      check_same(x.to(kCUDA) * 3, x * 3);
      check_same(x.to(kCUDA) + 2, x + 2);
      check_same(x.to(kCUDA) > 1, x > 1);
    }
  }
  // Signed remainder takes the divisor's sign, as Python's.
  const Tensor n = tensor({-7, 7, -7, 7}).to(kInt32), d = tensor({3, -3, -3, 3}).to(kInt32);
  check_same(wick::remainder(n.to(kCUDA), d.to(kCUDA)), wick::remainder(n, d));
  // In-place ops through views.
  Tensor acc = zeros({4, 4}), gacc = acc.to(kCUDA);
  acc.slice(1, 1, 3).add_(ones({4, 2}));
  gacc.slice(1, 1, 3).add_(ones({4, 2}).to(kCUDA));
  check_same(gacc, acc, 0);
}

TEST_CASE("cuda: integer faults inside kernels are reported at the next synchronisation", "[cuda]") {
  WICK_REQUIRE_CUDA();
  const Tensor a = tensor({1, 2, 3}).to(kInt64).to(kCUDA), z = zeros({3}, TensorOptions().dtype(kInt64).device(kCUDA));
  CHECK_THROWS_WITH(wick::remainder(a, z).cpu(), Catch::Contains("division by zero"));
  CHECK_THROWS_WITH(wick::pow(a, z - 1).cpu(), Catch::Contains("negative integer powers"));
  check_same(a + 1, tensor({2, 3, 4}).to(kInt64));  // the device keeps working
}

TEST_CASE("cuda: where over all dtypes", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(6);
  for (ScalarType dt : kEveryType) {
    INFO(dtype_name(dt));
    const Tensor c = randint(0, 2, {4, 1, 6}).to(kBool);
    const Tensor a = sample({3, 6}, dt), b = sample({4, 3, 1}, dt);
    check_same(wick::where(c.to(kCUDA), a.to(kCUDA), b.to(kCUDA)), wick::where(c, a, b));
  }
}

TEST_CASE("cuda: reductions over dims, layouts and sizes", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(7);
  for (ScalarType dt : {kHalf, kBFloat16, kFloat, kDouble, kInt32, kInt64}) {
    for (const auto& [layout, x] : layouts(dt)) {
      const Tensor gx = x.to(kCUDA);
      INFO(dtype_name(dt) << " " << layout);
      const double tol = is_floating_point(dt) ? 4 * tolerance(dt) : 0;
      check_same(gx.sum(), x.sum(), tol);
      for (int64_t d = 0; d < 3; ++d) {
        INFO("dim " << d);
        check_same(gx.sum({d}), x.sum({d}), tol);
        check_same(gx.sum({d}, true), x.sum({d}, true), tol);
        check_same(gx.amax({d}), x.amax({d}));
        check_same(gx.amin({d}), x.amin({d}));
        if (is_floating_point(dt)) check_same(gx.prod(d), x.prod(d), tol);
      }
      check_same(gx.sum({0, 2}), x.sum({0, 2}), tol);
      check_same(gx.amax({0, 2}, true), x.amax({0, 2}, true));
      check_same(gx.all(), x.all());
      check_same(gx.any(1), x.any(1));
      if (is_floating_point(dt)) check_same(gx.mean({1}), x.mean({1}), tol);
    }
  }
  // Sizes that take the split (two-pass) path, rows and columns.
  for (const std::vector<int64_t>& shape :
       std::vector<std::vector<int64_t>>{{3000000}, {7, 300001}, {200000, 3}, {64, 4096}}) {
    const Tensor x = randn(shape, dtype(kDouble));
    const Tensor gx = x.to(kCUDA);
    INFO("shape " << shape.size() << "-d, first " << shape[0]);
    check_same(gx.sum(), x.sum(), 1e-9);
    check_same(gx.sum({0}), x.sum({0}), 1e-9);
    check_same(gx.amax({int64_t(shape.size()) - 1}), x.amax({int64_t(shape.size()) - 1}));
    check_same(gx.to(kFloat).sum({0}), x.to(kFloat).sum({0}), 1e-3);
  }
  // NaN wins max/min; empty reductions give the identity.
  const Tensor withnan = tensor({1.f, NAN, 3.f});
  check_same(withnan.to(kCUDA).amax(), withnan.amax());
  const Tensor empty_rows = zeros({0, 4});
  check_same(empty_rows.to(kCUDA).sum({0}), empty_rows.sum({0}));
  check_same(empty_rows.to(kCUDA).prod(0), empty_rows.prod(0));
  // bool reductions
  const Tensor b = randint(0, 2, {5, 40}).to(kBool);
  check_same(b.to(kCUDA).all(1), b.all(1));
  check_same(b.to(kCUDA).any(0), b.any(0));
  check_same(b.to(kCUDA).sum(), b.sum());
}

TEST_CASE("cuda: argmax/argmin and max/min with indices", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(8);
  for (ScalarType dt : {kHalf, kBFloat16, kFloat, kDouble, kInt32, kInt64, kUInt8}) {
    // Few distinct values: plenty of ties, which must resolve to the first index as on the CPU.
    const Tensor x = randint(0, 5, {6, 70, 9}).to(dt);
    for (const Tensor& v : {x, x.transpose(0, 1)}) {
      const Tensor gv = v.to(kCUDA);
      for (int64_t d = 0; d < 3; ++d) {
        INFO(dtype_name(dt) << " dim " << d);
        check_same(gv.argmax(d), v.argmax(d));
        check_same(gv.argmin(d, true), v.argmin(d, true));
        auto [gm, gi] = gv.max(d);
        auto [m, i] = v.max(d);
        check_same(gm, m);
        check_same(gi, i);
      }
      check_same(gv.argmax(), v.argmax());
    }
  }
  const Tensor n = tensor({{1.f, NAN, 5.f, NAN}, {2.f, 9.f, 9.f, 0.f}});
  check_same(n.to(kCUDA).argmax(1), n.argmax(1));
  check_same(n.to(kCUDA).argmin(1), n.argmin(1));
}

TEST_CASE("cuda: matmul layouts, batches and dtypes", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(9);
  const std::vector<std::array<int64_t, 3>> shapes = {{1, 16, 64},   {3, 7, 5},     {64, 784, 256},
                                                      {97, 65, 129}, {200, 3, 260}, {1, 1, 1}};
  for (ScalarType dt : kFloatTypes) {
    for (const auto& [M, K, N] : shapes) {
      for (int layout = 0; layout < 5; ++layout) {
        Tensor a = (layout & 1) ? randn({K, M}, dtype(dt)).t() : randn({M, K}, dtype(dt));
        Tensor b = (layout & 2) ? randn({N, K}, dtype(dt)).t() : randn({K, N}, dtype(dt));
        if (layout == 4) b = randn({K, 2 * N}, dtype(dt)).slice(1, 0, std::nullopt, 2);  // needs packing
        INFO(dtype_name(dt) << " M " << M << " K " << K << " N " << N << " layout " << layout);
        // Reference: the CPU in double on the same (exactly representable) inputs; the error allowed is what
        // rounding can add, element by element (see check_matmul), so a zero or a sign-flipped result fails.
        const Tensor got = a.to(kCUDA).mm(b.to(kCUDA));
        REQUIRE(got.scalar_type() == dt);
        check_matmul(got, a.to(kDouble).mm(b.to(kDouble)), a.to(kDouble).abs().mm(b.to(kDouble).abs()), dt, K);
      }
    }
  }
  // Batched, with a broadcast batch dim and transposed batch members.
  const Tensor a = randn({3, 1, 4, 5}, dtype(kDouble)), b = randn({2, 6, 5}, dtype(kDouble)).transpose(1, 2);
  check_same(a.to(kCUDA).matmul(b.to(kCUDA)), a.matmul(b), 1e-10);
  const Tensor x = randn({8, 33, 17}), y = randn({8, 17, 9});
  check_same(wick::bmm(x.to(kCUDA), y.to(kCUDA)), wick::bmm(x, y), 1e-4);
  // addmm / linear (matmul followed by a broadcast add of the bias)
  const Tensor w = randn({10, 17}), bias = randn({10}), in = randn({33, 17});
  check_same(wick::linear(in.to(kCUDA), w.to(kCUDA), bias.to(kCUDA)), wick::linear(in, w, bias), 1e-4);
  // TF32 is off by default; allowed, results stay close at TF32 precision.
  CHECK_FALSE(cuda::allow_tf32());
  cuda::set_allow_tf32(true);
  const Tensor p = randn({256, 512}), q = randn({512, 128});
  check_same(p.to(kCUDA).mm(q.to(kCUDA)), p.mm(q), 5e-2);
  cuda::set_allow_tf32(false);
  check_same(p.to(kCUDA).mm(q.to(kCUDA)), p.mm(q), 1e-3);
}

TEST_CASE("cuda: index_select, gather, scatter, scatter_add, index_add", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(10);
  for (ScalarType dt : kEveryType) {
    INFO(dtype_name(dt));
    const Tensor x = sample({5, 7, 4}, dt), xt = sample({4, 7, 5}, dt).transpose(0, 2);
    const Tensor gx = x.to(kCUDA), gxt = xt.to(kCUDA);
    const Tensor idx = tensor({4, 0, 2, 2, 1}).to(kInt64), gidx = idx.to(kCUDA);
    for (int64_t d = 0; d < 3; ++d) {
      const Tensor i = idx.remainder(x.size(d)), gi = gidx.remainder(x.size(d));
      check_same(gx.index_select(d, gi), x.index_select(d, i));
      check_same(gxt.index_select(d, gi), xt.index_select(d, i));
    }
    const Tensor gather_idx = randint(0, 7, {5, 3, 4});
    check_same(gx.gather(1, gather_idx.to(kCUDA)), x.gather(1, gather_idx));
    check_same(gxt.gather(1, gather_idx.to(kCUDA)), xt.gather(1, gather_idx));
    // scatter without repeated targets along the dim (repeats leave the winner unspecified)
    const Tensor perm = randperm(7).slice(0, 0, 3).reshape({1, 3, 1}).expand({5, 3, 4}).contiguous();
    const Tensor src = sample({5, 3, 4}, dt);
    check_same(gx.scatter(1, perm.to(kCUDA), src.to(kCUDA)), x.scatter(1, perm, src));
    if (dt == kBool) continue;
    // accumulating writes with many repeats
    check_same(gx.scatter_add(1, gather_idx.to(kCUDA), src.to(kCUDA)), x.scatter_add(1, gather_idx, src),
               4 * tolerance(dt));
    const Tensor add_src = sample({5, 5, 4}, dt);
    check_same(gx.index_add(1, gidx, add_src.to(kCUDA)), x.index_add(1, idx, add_src), 4 * tolerance(dt));
  }
  // int32 indices work too
  const Tensor x = randn({6, 3});
  const Tensor i32 = tensor({5, 1, 1}).to(kInt32);
  check_same(x.to(kCUDA).scatter_add(0, i32.reshape({3, 1}).expand({3, 3}).to(kCUDA), ones({3, 3}).to(kCUDA)),
             x.scatter_add(0, i32.reshape({3, 1}).expand({3, 3}), ones({3, 3})));
  // An index out of range is an error at the next synchronisation, and the device keeps working.
  const Tensor bad = tensor({0, 9}).to(kInt64).to(kCUDA);
  CHECK_THROWS_WITH(x.to(kCUDA).index_select(0, bad).cpu(), Catch::Contains("out of bounds"));
  CHECK_THROWS_WITH((cuda::synchronize(), x.to(kCUDA).gather(0, bad.reshape({2, 1})), cuda::synchronize()),
                    Catch::Contains("gather"));
  check_same(x.to(kCUDA) * 2, x * 2);
}

TEST_CASE("cuda: random numbers match the CPU for one seed", "[cuda]") {
  WICK_REQUIRE_CUDA();
  for (ScalarType dt : kFloatTypes) {
    INFO(dtype_name(dt));
    manual_seed(1234);
    const Tensor u = rand({1001}, dtype(dt)), n = randn({999}, dtype(dt));
    manual_seed(1234);
    const Tensor gu = rand({1001}, TensorOptions().dtype(dt).device(kCUDA)),
                 gn = randn({999}, TensorOptions().dtype(dt).device(kCUDA));
    check_same(gu, u, 0);
    check_same(gn, n, dt == kDouble ? 1e-13 : 1e-6);
  }
  for (ScalarType dt : {kInt64, kInt32, kUInt8, kFloat}) {
    INFO(dtype_name(dt));
    manual_seed(77);
    const Tensor r = randint(-3, 100, {5000}, dtype(dt == kUInt8 ? kInt64 : dt));
    manual_seed(77);
    const Tensor gr = randint(-3, 100, {5000}, TensorOptions().dtype(dt == kUInt8 ? kInt64 : dt).device(kCUDA));
    check_same(gr, r, 0);
  }
  manual_seed(5);
  const Tensor p = full({4000}, 0.3);
  const Tensor bern = bernoulli(p);
  manual_seed(5);
  check_same(bernoulli(p.to(kCUDA)), bern, 0);
}

TEST_CASE("cuda: softmax and log_softmax, forward and backward", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(11);
  for (ScalarType dt : kFloatTypes) {
    for (const std::vector<int64_t>& shape :
         std::vector<std::vector<int64_t>>{{4, 10}, {3, 900}, {3, 2000}, {2, 50, 7}, {1, 5000}, {2, 20000}}) {
      for (int64_t d = 0; d < int64_t(shape.size()); ++d) {
        INFO(dtype_name(dt) << " dims " << shape.size() << " last " << shape.back() << " dim " << d);
        const Tensor x = (randn(shape, dtype(kDouble)) * 4).to(dt);
        const Tensor gx = x.to(kCUDA);
        check_same(wick::softmax(gx, d), wick::softmax(x, d));
        check_same(wick::log_softmax(gx, d), wick::log_softmax(x, d), 4 * tolerance(dt));
        if (dt == kFloat || dt == kDouble) {
          const Tensor w = randn(shape, dtype(dt));
          for (bool log_form : {false, true}) {
            Tensor xc = x.clone().requires_grad_(), xg = gx.clone().requires_grad_();
            auto f = [&](const Tensor& in) { return log_form ? wick::log_softmax(in, d) : wick::softmax(in, d); };
            (f(xc) * w).sum().backward();
            (f(xg) * w.to(kCUDA)).sum().backward();
            check_same(xg.grad(), xc.grad(), 10 * tolerance(dt));
          }
        }
      }
    }
  }
  const Tensor inf_row = tensor({-INFINITY, -INFINITY, 1.f});
  check_same(wick::softmax(inf_row.to(kCUDA), 0), wick::softmax(inf_row, 0));
}

TEST_CASE("cuda: conv2d and pooling, forward and backward", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(12);
  struct Case {
    int64_t N, C, H, W, OC, KH, KW, stride, pad, dil, groups;
  };
  const std::vector<Case> cases = {{2, 3, 9, 8, 4, 3, 3, 1, 1, 1, 1},
                                   {3, 4, 10, 11, 6, 3, 2, 2, 1, 1, 2},
                                   {1, 6, 7, 7, 6, 3, 3, 1, 2, 2, 6},
                                   {4, 8, 5, 5, 5, 1, 1, 1, 0, 1, 1}};
  for (ScalarType dt : {kFloat, kDouble}) {
    for (const Case& c : cases) {
      INFO(dtype_name(dt) << " N " << c.N << " C " << c.C << " OC " << c.OC << " k " << c.KH << "x" << c.KW
                          << " groups " << c.groups);
      const Tensor x = randn({c.N, c.C, c.H, c.W}, dtype(dt)), w = randn({c.OC, c.C / c.groups, c.KH, c.KW}, dtype(dt)),
                   b = randn({c.OC}, dtype(dt));
      Tensor xc = x.clone().requires_grad_(), wc = w.clone().requires_grad_(), bc = b.clone().requires_grad_();
      Tensor xg = x.to(kCUDA).requires_grad_(), wg = w.to(kCUDA).requires_grad_(), bg = b.to(kCUDA).requires_grad_();
      const Tensor yc = wick::conv2d(xc, wc, bc, {c.stride, c.stride}, {c.pad, c.pad}, {c.dil, c.dil}, c.groups);
      const Tensor yg = wick::conv2d(xg, wg, bg, {c.stride, c.stride}, {c.pad, c.pad}, {c.dil, c.dil}, c.groups);
      const double tol = dt == kFloat ? 1e-4 : 1e-10;
      check_same(yg, yc, tol);
      const Tensor gy = randn(yc.sizes(), dtype(dt));
      (yc * gy).sum().backward();
      (yg * gy.to(kCUDA)).sum().backward();
      check_same(xg.grad(), xc.grad(), tol);
      check_same(wg.grad(), wc.grad(), tol * 10);
      check_same(bg.grad(), bc.grad(), tol * 10);
    }
  }
  // Half precision forward against the float result.
  const Tensor x = randn({2, 4, 8, 8}), w = randn({3, 4, 3, 3});
  check_same(wick::conv2d(x.to(kCUDA).to(kHalf), w.to(kCUDA).to(kHalf)).to(kFloat), wick::conv2d(x, w), 5e-2);

  // 16-bit pooling: the same window rules, values compared at their precision.
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dtype_name(dt));
    const Tensor img = randn({2, 3, 9, 10}).to(dt);
    Tensor ic = img.clone().requires_grad_(), ig = img.to(kCUDA).requires_grad_();
    const Tensor mc = wick::max_pool2d(ic, {2, 2}), mg = wick::max_pool2d(ig, {2, 2});
    const Tensor ac = wick::avg_pool2d(ic, {3, 3}, {2, 2}, {1, 1}), ag = wick::avg_pool2d(ig, {3, 3}, {2, 2}, {1, 1});
    check_same(mg, mc, 0);
    check_same(ag, ac);
    (mc.sum() + ac.sum()).backward();
    (mg.sum() + ag.sum()).backward();
    check_same(ig.grad(), ic.grad());
  }

  for (ScalarType dt : {kFloat, kDouble}) {
    const Tensor img = randn({2, 3, 11, 10}, dtype(dt));
    for (bool ceil_mode : {false, true}) {
      INFO(dtype_name(dt) << " ceil_mode " << ceil_mode);
      Tensor ic = img.clone().requires_grad_(), ig = img.to(kCUDA).requires_grad_();
      const Tensor mc = wick::max_pool2d(ic, {3, 3}, {2, 2}, {1, 1}, {1, 1}, ceil_mode);
      const Tensor mg = wick::max_pool2d(ig, {3, 3}, {2, 2}, {1, 1}, {1, 1}, ceil_mode);
      check_same(mg, mc, 0);
      const Tensor ac = wick::avg_pool2d(ic, {3, 2}, {2, 2}, {1, 1}, ceil_mode, false);
      const Tensor ag = wick::avg_pool2d(ig, {3, 2}, {2, 2}, {1, 1}, ceil_mode, false);
      check_same(ag, ac, 1e-6);
      const Tensor ac2 = wick::avg_pool2d(ic, {2, 2}, {1, 1}, {1, 1}, ceil_mode, true);
      const Tensor ag2 = wick::avg_pool2d(ig, {2, 2}, {1, 1}, {1, 1}, ceil_mode, true);
      check_same(ag2, ac2, 1e-6);
      (mc.sum() * 2 + (ac * ac).sum() + ac2.sum()).backward();
      (mg.sum() * 2 + (ag * ag).sum() + ag2.sum()).backward();
      check_same(ig.grad(), ic.grad(), 1e-5);
    }
  }
}

TEST_CASE("cuda: a small model trains the same on both devices", "[cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(13);
  const Tensor x = randn({64, 20}), target = randint(0, 5, {64});
  Tensor w1 = randn({32, 20}) * 0.2, b1 = zeros({32}), w2 = randn({5, 32}) * 0.2, b2 = zeros({5});
  auto loss_of = [&](const Tensor& in, const Tensor& tg, std::vector<Tensor>& params) {
    const Tensor h = wick::linear(in, params[0], params[1]).relu();
    const Tensor logp = wick::log_softmax(wick::linear(h, params[2], params[3]), 1);
    return -logp.gather(1, tg.reshape({-1, 1})).mean();
  };
  std::vector<Tensor> pc = {w1.clone().requires_grad_(), b1.clone().requires_grad_(), w2.clone().requires_grad_(),
                            b2.clone().requires_grad_()};
  std::vector<Tensor> pg;
  for (const Tensor& p : pc) pg.push_back(p.detach().to(kCUDA).requires_grad_());
  for (int step = 0; step < 5; ++step) {
    Tensor lc = loss_of(x, target, pc), lg = loss_of(x.to(kCUDA), target.to(kCUDA), pg);
    CHECK(lg.item<float>() == Approx(lc.item<float>()).epsilon(1e-4));
    lc.backward();
    lg.backward();
    NoGradGuard no_grad;
    for (size_t i = 0; i < pc.size(); ++i) {
      check_same(pg[i].grad(), pc[i].grad(), 1e-4);
      pc[i].sub_(pc[i].grad() * 0.5);
      pg[i].sub_(pg[i].grad() * 0.5);
      pc[i].mutable_grad() = Tensor();
      pg[i].mutable_grad() = Tensor();
    }
  }
}

TEST_CASE("cuda: threads get their own streams", "[cuda]") {
  WICK_REQUIRE_CUDA();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      try {
        const Tensor a = full({512, 512}, double(t + 1)).to(kCUDA);
        Tensor acc = zeros({512, 512}, device(kCUDA));
        for (int i = 0; i < 20; ++i) acc = acc + a.mm(a) / 512.0;
        const double expect = 20.0 * (t + 1) * (t + 1);
        if (std::abs(acc.cpu().mean().item<double>() - expect) > 1e-3 * expect) ++failures;
      } catch (...) {
        ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures.load() == 0);
}
