// Elementwise unary and binary ops against PyTorch (tests/fixtures/ops_unary|ops_binary.safetensors, written by
// tools/gen_fixtures.py): values, result dtypes and gradients, on contiguous, transposed, strided, broadcast,
// 0-dim, empty and large (multi-threaded) inputs, for floating, integer and bool dtypes.
#include <catch2/catch.hpp>

#include <limits>
#include <wick/cuda.h>
#include <wick/wick.h>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"
#include "../support/skip.h"

using namespace wick;
using namespace wick::testing;

namespace {

// The registry name an op of the fixtures exercises ("add_s" -> "add", "rpow_s" -> "pow", "max_dim" -> "max").
std::string registry_name(std::string op) {
  for (const char* suffix : {"_sa", "_s", "_t", "_dim"}) {
    const std::string s = suffix;
    if (op.size() > s.size() && op.compare(op.size() - s.size(), s.size(), s) == 0) {
      op.resize(op.size() - s.size());
      break;
    }
  }
  if (op == "rpow") return "pow";
  if (op == "rsub") return "sub";
  if (op == "rdiv") return "div";
  return op;
}

// Runs the file's large cases with 1 and with 4 threads: elementwise results must agree bit for bit.
void check_thread_invariance(const RefFile& f) {
  const int before = get_num_threads();
  int checked = 0;
  for (const std::string& name : f.cases()) {
    if (f.meta(name + ".sample").empty() || f.meta(name + ".error") == "1") continue;
    INFO("case " << name);
    std::vector<Tensor> inputs;
    for (const std::string& k : split(f.meta(name + ".inputs"), ',')) {
      const std::string gen = f.meta(name + ".gen." + k);
      inputs.push_back(
          apply_view(gen.empty() ? f.get(name + ".in." + k) : generate_input(gen), f.meta(name + ".view." + k)));
    }
    const Args args(f.meta(name + ".args"));
    const OpFn& fn = reference_ops().at(f.meta(name + ".op"));
    set_num_threads(1);
    const Tensor one = fn(inputs, args)[0];
    set_num_threads(4);
    const Tensor four = fn(inputs, args)[0];
    set_num_threads(before);
    CHECK(compare(four, one, {0, 0}).empty());
    ++checked;
  }
  CHECK(checked >= 8);
}

}  // namespace

TEST_CASE("elementwise: unary ops match PyTorch", "[elementwise][reference]") {
  const RefFile f("ops_unary.safetensors");
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 300);
  CHECK(s.grads > 100);
  CHECK(s.errors >= 3);
  CHECK(s.sampled >= 8);
}

TEST_CASE("elementwise: binary, comparison, logical and ternary ops match PyTorch", "[elementwise][reference]") {
  const RefFile f("ops_binary.safetensors");
  const RunStats s = run_cases(f, reference_ops());
  CHECK(s.cases == int(f.cases().size()));
  CHECK(s.cases > 300);
  CHECK(s.grads > 100);
  CHECK(s.errors >= 4);
  CHECK(s.sampled >= 9);
}

TEST_CASE("elementwise: gradients built with create_graph=true match PyTorch too",
          "[elementwise][reference][autograd]") {
  // With create_graph the backward rules run as differentiable compositions, not fused kernels.
  RunOptions o;
  o.create_graph = true;
  for (const char* file : {"ops_unary.safetensors", "ops_binary.safetensors"}) {
    const RefFile f(file);
    o.filter = [&](const std::string& name) { return !f.meta(name + ".grad").empty(); };
    CHECK(run_cases(f, reference_ops(), o).grads > 100);
  }
}

TEST_CASE("elementwise: the fixtures cover every elementwise op of the registry", "[elementwise][reference]") {
  std::set<std::string> covered;
  for (const char* file : {"ops_unary.safetensors", "ops_binary.safetensors"}) {
    const RefFile f(file);
    for (const std::string& name : f.cases()) covered.insert(registry_name(f.meta(name + ".op")));
  }
  for (const OpInfo& op : op_registry()) {
    if (op.kind != OpKind::Unary && op.kind != OpKind::Binary && op.kind != OpKind::Comparison) continue;
    INFO("op " << op.name << " has no case in ops_unary/ops_binary (add one to tools/gen_fixtures.py)");
    CHECK(covered.count(op.name) == 1);
  }
}

TEST_CASE("elementwise: large inputs give the same bits with 1 and 4 threads", "[elementwise][threads]") {
  check_thread_invariance(RefFile("ops_unary.safetensors"));
  check_thread_invariance(RefFile("ops_binary.safetensors"));
}

TEST_CASE("reference fixtures on CUDA: every op case, values and gradients", "[cuda_reference]") {
  // The same PyTorch (CPU) references judge the CUDA backend.
  WICK_REQUIRE_CUDA();
  RunOptions o;
  o.device = kCUDA;
  for (const char* file : {"ops_unary.safetensors", "ops_binary.safetensors", "ops_reduce.safetensors",
                           "ops_linalg.safetensors", "ops_promotion.safetensors"}) {
    INFO(file);
    const RefFile f(file);
    CHECK(run_cases(f, reference_ops(), o).cases == int(f.cases().size()));
  }
}

TEST_CASE("reference fixtures: the comparison catches dtype, shape and value differences", "[reference]") {
  const Tensor a = tensor({1.0, 2.0, NAN, INFINITY}, dtype(kDouble));
  CHECK(compare(a, a.clone(), default_tolerance(kDouble)).empty());
  CHECK(!compare(a.to(kFloat), a, default_tolerance(kDouble)).empty());       // dtype
  CHECK(!compare(a.reshape({2, 2}), a, default_tolerance(kDouble)).empty());  // shape
  CHECK(!compare(a + tensor({0.0, 1e-6, 0.0, 0.0}, dtype(kDouble)), a, default_tolerance(kDouble)).empty());
  CHECK(!compare(tensor({1.0, 2.0, 0.0, INFINITY}, dtype(kDouble)), a, default_tolerance(kDouble)).empty());  // NaN
  CHECK(!compare(tensor({1.0, 2.0, NAN, -INFINITY}, dtype(kDouble)), a, default_tolerance(kDouble)).empty());
  CHECK(!compare(tensor({1, 2}), tensor({1, 3}), default_tolerance(kInt64)).empty());  // ints are exact
  CHECK(!compare(Tensor(), a, default_tolerance(kDouble)).empty());
  CHECK(compare(a.to(kHalf), a.to(kFloat).to(kHalf), default_tolerance(kHalf)).empty());
}

TEST_CASE("elementwise: an integer power's exponent must fit its dtype, as in PyTorch", "[elementwise]") {
  // torch.tensor([2, 3], dtype=...) ** 1000 in torch 1.13: the products wrap; uint8 cannot hold the exponent.
  const Tensor i32 = pow(tensor({2, 3}, dtype(kInt32)), 1000);
  CHECK(i32.dtype() == kInt32);
  CHECK(i32[0].item<int32_t>() == 0);
  CHECK(i32[1].item<int32_t>() == -742892767);
  CHECK(pow(tensor({2, 3}), 1000)[1].item<int64_t>() == 6203307696791771937);
  CHECK_THROWS_WITH(pow(tensor({2, 3}, dtype(kUInt8)), 1000), Catch::Contains("pow") && Catch::Contains("1000"));
  CHECK(pow(tensor({2, 3}, dtype(kUInt8)), 255)[1].item<uint8_t>() == 171);  // 3 ** 255 mod 256
  // Beyond 2^53 an int64 exponent is not carried exactly, so it is refused rather than rounded.
  CHECK_THROWS_WITH(pow(tensor({3}), INT64_MAX), Catch::Contains("cannot be converted to int64"));
}

TEST_CASE("max/min: the elementwise overloads are maximum/minimum, beside the reductions", "[elementwise]") {
  const Tensor a = tensor({1.0, 5.0, -2.0}), b = tensor({3.0, 4.0, -2.0});
  CHECK(equal(max(a, b), maximum(a, b)));
  CHECK(equal(a.max(b), maximum(a, b)));
  CHECK(equal(min(a, b), minimum(a, b)));
  CHECK(equal(a.min(b), minimum(a, b)));
  // the reductions keep their overloads: an integer is a dim
  auto [values, indices] = a.unsqueeze(0).max(1);
  CHECK(indices.item<int64_t>() == 1);
  CHECK(a.max().item<double>() == 5.0);
  CHECK(std::get<0>(min(a, 0)).item<double>() == -2.0);
}

TEST_CASE("elementwise: a NaN clamp bound gives NaN, with a zero gradient", "[elementwise][clamp]") {
  // PyTorch 1.13: clamp_min(x, nan), clamp_max(x, nan), clamp(x, nan, 2), clamp(x, 0, nan) and a tensor bound of
  // NaN all give NaN; its one-bound clamp(x, min=nan) alone passes x through, which wick does not copy.
  const Tensor x = tensor({1.0, 5.0, NAN}).to(kDouble).requires_grad_();
  const Tensor all_nan = full({3}, NAN, kDouble);
  CHECK_TENSOR_CLOSE(clamp_min(x, NAN), all_nan);
  CHECK_TENSOR_CLOSE(clamp_max(x, NAN), all_nan);
  CHECK_TENSOR_CLOSE(clamp(x, NAN, 2.0), all_nan);
  CHECK_TENSOR_CLOSE(clamp(x, 0.0, NAN), all_nan);
  CHECK_TENSOR_CLOSE(clamp(x, std::optional<Tensor>(tensor({NAN, 0.0, 0.0}).to(kDouble)), std::nullopt),
                     tensor({NAN, 5.0, NAN}).to(kDouble));
  clamp(x, 0.0, NAN).sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), zeros({3}, kDouble));
  // An integer tensor with a NaN bound promotes to float, as PyTorch's result type does.
  CHECK_TENSOR_CLOSE(clamp(tensor({1, 5}), 0.0, NAN), full({2}, NAN, kFloat));
}

TEST_CASE("elementwise: subtracting INT64_MIN wraps as PyTorch's integer arithmetic", "[elementwise]") {
  // PyTorch 1.13: torch.tensor([1, -1, 0]) - (-2**63) == [-9223372036854775807, 9223372036854775807,
  // -9223372036854775808]. (Negating the scalar as int64_t was undefined behaviour, found by the ops fuzzer.)
  const int64_t lowest = std::numeric_limits<int64_t>::min();
  const Tensor got = sub(tensor({int64_t(1), int64_t(-1), int64_t(0)}), lowest);
  CHECK_TENSOR(got, tensor({lowest + 1, std::numeric_limits<int64_t>::max(), lowest}), (Tolerance{0, 0}));
}

TEST_CASE("elementwise: a range split between threads keeps every element's vector lane", "[elementwise][threads]") {
  // 70,001 elements split in two at 35,000 (not a multiple of 16) once put AVX-512's exp of the second half in
  // other lanes than one thread did, and some of its results moved by one ulp. Chunks now start on a 64-element
  // grid; odd sizes and three threads check every split.
  manual_seed(21);
  for (int64_t n : {70001, 100003, 131071}) {
    const Tensor x = randn({n}) * 30.0;
    std::vector<Tensor> one;
    {
      wick::testing::ThreadCount threads(1);
      one = {exp(x), tanh(x), sigmoid(x), log1p(abs(x)), x * 1.5 + 0.25};
    }
    for (int t : {2, 3}) {
      wick::testing::ThreadCount threads(t);
      const std::vector<Tensor> many = {exp(x), tanh(x), sigmoid(x), log1p(abs(x)), x * 1.5 + 0.25};
      for (size_t k = 0; k < one.size(); ++k) {
        INFO("n " << n << ", threads " << t << ", op " << k);
        CHECK(equal(one[k], many[k]));
      }
    }
  }
}
