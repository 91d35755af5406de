// Reductions and softmax against PyTorch (tests/fixtures/ops_reduce.safetensors, written by
// tools/gen_fixtures.py): sum/mean/prod/max/min/amax/amin/argmax/argmin/var/std/norm/logsumexp/all/any and
// softmax/log_softmax over dims with keepdim, on permuted, 0-dim, empty and large (threaded) inputs, with
// gradients (ties split as PyTorch splits them) and result dtypes.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <limits>
#include <optional>
#include <vector>

#include "../support/fixtures.h"

using namespace wick;
using namespace wick::testing;

TEST_CASE("reduce: reductions and softmax match PyTorch", "[reduce][reference]") {
  const RefFile f("ops_reduce.safetensors");
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 200);
  CHECK(s.grads > 100);
  CHECK(s.errors >= 15);
}

TEST_CASE("reduce: gradients built with create_graph=true match PyTorch too", "[reduce][reference][autograd]") {
  const RefFile f("ops_reduce.safetensors");
  RunOptions o;
  o.create_graph = true;
  o.filter = [&](const std::string& name) { return !f.meta(name + ".grad").empty(); };
  CHECK(run_cases(f, reference_ops(), o).grads > 100);
}

TEST_CASE("reduce: the fixtures cover every reduction of the registry", "[reduce][reference]") {
  const RefFile f("ops_reduce.safetensors");
  std::set<std::string> covered;
  for (const std::string& name : f.cases()) {
    std::string op = f.meta(name + ".op");
    if (op.size() > 4 && op.compare(op.size() - 4, 4, "_dim") == 0) op.resize(op.size() - 4);
    covered.insert(op);
  }
  for (const OpInfo& op : op_registry()) {
    const std::string name = op.name;
    if (op.kind != OpKind::Reduction || name.find("pool") != std::string::npos) continue;
    INFO("reduction " << name << " has no case in ops_reduce (add one to tools/gen_fixtures.py)");
    CHECK(covered.count(name) == 1);
  }
}

TEST_CASE("reduce: large reductions agree across thread counts", "[reduce][threads]") {
  const RefFile f("ops_reduce.safetensors");
  const int before = get_num_threads();
  int checked = 0;
  for (const std::string& name : f.cases()) {
    if (!f.has_meta(name + ".gen.x")) continue;
    INFO("case " << name);
    const std::string k = split(f.meta(name + ".inputs"), ',').at(0);
    const Tensor x = apply_view(generate_input(f.meta(name + ".gen." + k)), f.meta(name + ".view." + k));
    const Args args(f.meta(name + ".args"));
    const OpFn& fn = reference_ops().at(f.meta(name + ".op"));
    set_num_threads(1);
    const Tensor one = fn({x}, args)[0];
    set_num_threads(4);
    const Tensor four = fn({x}, args)[0];
    set_num_threads(before);
    // Summation order may differ between partitions: equal within rounding.
    CHECK(compare(four, one, {1e-5, 1e-5}).empty());
    ++checked;
  }
  CHECK(checked >= 10);
}

TEST_CASE("reduce: integer sums, products and scatter-adds wrap around as PyTorch's do", "[reduce]") {
  // tests/fuzz/ops_fuzz found prod() of int64 overflowing (undefined behaviour in C++); values from PyTorch 1.13.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  CHECK(tensor(std::vector<int64_t>{int64_t(1) << 62, 4}).prod().item<int64_t>() == 0);
  CHECK(tensor(std::vector<int64_t>{kMax, 1}).sum().item<int64_t>() == std::numeric_limits<int64_t>::min());
  CHECK(sum(tensor({2147483647, 1}, dtype(kInt32)), kInt32).item<int64_t>() == -2147483648LL);
  // ... and scatter_add of int32 (tests/fuzz/corpus/ops/finding_scatter_add_int32_overflow), index_add too.
  const Tensor big = tensor({2147483647, 5}, dtype(kInt32)), twice = tensor(std::vector<int64_t>{0, 0});
  CHECK(zeros({1}, dtype(kInt32)).scatter_add(0, twice, big).item<int64_t>() == -2147483644LL);
  CHECK(zeros({1}, dtype(kInt32)).index_add(0, twice, big).item<int64_t>() == -2147483644LL);
  CHECK(zeros({1}, dtype(kUInt8)).scatter_add(0, twice, tensor({200, 100}, dtype(kUInt8))).item<int64_t>() == 44);
}

namespace {
// Variance of each row of a row-major [rows, cols] double array, with denominator cols - correction.
std::vector<double> row_variances(const std::vector<double>& v, int64_t rows, int64_t cols, int64_t correction) {
  std::vector<double> out;
  for (int64_t r = 0; r < rows; ++r) {
    double mean = 0, ss = 0;
    for (int64_t c = 0; c < cols; ++c) mean += v[size_t(r * cols + c)] / double(cols);
    for (int64_t c = 0; c < cols; ++c) ss += (v[size_t(r * cols + c)] - mean) * (v[size_t(r * cols + c)] - mean);
    out.push_back(ss / double(cols - correction));
  }
  return out;
}
}  // namespace

TEST_CASE("reduce: var and std overloads resolve as LibTorch's (an integer is a dim, a bool is unbiased)", "[reduce]") {
  const std::vector<double> values = {0, 1, 4, 9, 16, 25};
  const Tensor a = tensor(values, dtype(kDouble)).reshape({2, 3});
  const std::vector<double> unbiased = row_variances(values, 2, 3, 1), biased = row_variances(values, 2, 3, 0);
  // LibTorch 1.13 prints a.std(1) as [2.0817, 8.0208] and a.std(true) as 9.74508: a literal 1 is dim 1.
  const Tensor s1 = a.std(1);
  REQUIRE(s1.sizes() == IntArrayRef({2}));
  CHECK(s1[0].item<double>() == Approx(std::sqrt(unbiased[0])).epsilon(1e-12));
  CHECK(s1[1].item<double>() == Approx(std::sqrt(unbiased[1])).epsilon(1e-12));
  CHECK(std::sqrt(unbiased[0]) == Approx(2.0817).epsilon(1e-4));
  CHECK(a.std(true).dim() == 0);
  CHECK(a.std(true).item<double>() == Approx(9.74508).epsilon(1e-5));
  CHECK(a.std(0).sizes() == IntArrayRef({3}));   // 0 is dim 0, not unbiased = false
  CHECK(a.var(-1).sizes() == IntArrayRef({2}));  // any integer type
  CHECK(a.var(int64_t(1), false)[1].item<double>() == Approx(biased[1]).epsilon(1e-12));
  CHECK(a.var(1, true, true).sizes() == IntArrayRef({2, 1}));
  CHECK(wick::var(a, 1)[0].item<double>() == Approx(unbiased[0]).epsilon(1e-12));
  CHECK(wick::std(a, 0).sizes() == IntArrayRef({3}));
  // A correction replaces unbiased: the denominator is N - correction.
  const std::vector<double> c2 = row_variances(values, 2, 3, 2);
  const Tensor v2 = a.var({1}, std::optional<int64_t>(2));
  CHECK(v2[0].item<double>() == Approx(c2[0]).epsilon(1e-12));
  CHECK(v2[1].item<double>() == Approx(c2[1]).epsilon(1e-12));
  CHECK(wick::std(a, {1}, std::optional<int64_t>(0))[1].item<double>() == Approx(std::sqrt(biased[1])).epsilon(1e-12));
  CHECK(a.var({1}, std::optional<int64_t>(std::nullopt))[0].item<double>() == Approx(unbiased[0]).epsilon(1e-12));
}
