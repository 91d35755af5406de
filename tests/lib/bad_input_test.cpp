// Every op in the registry rejects a representative bad call with a wick::Error that names the op.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <functional>
#include <limits>
#include <map>

using namespace wick;

namespace {

const std::map<std::string, std::function<void()>>& bad_calls() {
  static const std::map<std::string, std::function<void()>> calls = {
      {"empty", [] { empty({2, -1}); }},
      {"zeros", [] { zeros({-3}); }},
      {"ones", [] { ones({1, -2}); }},
      {"full", [] { full({-1}, 2.0); }},
      {"arange", [] { arange(0, 10, 0); }},
      {"linspace", [] { linspace(0, 1, -5); }},
      {"eye", [] { eye(-2); }},
      {"tensor", [] { tensor({{1.f, 2.f}, {3.f}}); }},
      {"from_blob", [] { from_blob(nullptr, {3}); }},
      {"rand", [] { rand({2}, dtype(kInt64)); }},
      {"randn", [] { randn({2}, dtype(kInt32)); }},
      {"randint", [] { randint(5, 2, {3}); }},
      {"randperm", [] { randperm(-1); }},
      {"bernoulli", [] { bernoulli(ones({2}, dtype(kInt64))); }},
      {"contiguous", [] { Tensor().contiguous(); }},
      {"clone", [] { Tensor().clone(); }},
      {"to", [] { ones({2}).to(Device(kCUDA, 99)); }},
      {"copy_", [] { zeros({2, 3}).copy_(ones({4})); }},
      {"neg", [] { neg(ones({2}, dtype(kBool))); }},
      {"abs", [] { abs(Tensor()); }},
      {"sign", [] { sign(Tensor()); }},
      {"exp", [] { exp(Tensor()); }},
      {"log", [] { log(Tensor()); }},
      {"log1p", [] { log1p(Tensor()); }},
      {"expm1", [] { expm1(Tensor()); }},
      {"sqrt", [] { sqrt(Tensor()); }},
      {"rsqrt", [] { rsqrt(Tensor()); }},
      {"reciprocal", [] { reciprocal(Tensor()); }},
      {"square", [] { square(Tensor()); }},
      {"sin", [] { sin(Tensor()); }},
      {"cos", [] { cos(Tensor()); }},
      {"tanh", [] { tanh(Tensor()); }},
      {"sigmoid", [] { sigmoid(Tensor()); }},
      {"erf", [] { erf(Tensor()); }},
      {"relu", [] { relu(Tensor()); }},
      {"gelu", [] { gelu(ones({2}), "cubic"); }},
      {"silu", [] { silu(Tensor()); }},
      {"softplus", [] { softplus(Tensor()); }},
      {"leaky_relu", [] { leaky_relu(Tensor()); }},
      {"elu", [] { elu(Tensor()); }},
      {"hardtanh", [] { hardtanh(ones({2}, dtype(kUInt8)), -1, 1); }},
      {"relu6", [] { relu6(ones({2}, dtype(kBool))); }},
      {"floor", [] { floor(Tensor()); }},
      {"ceil", [] { ceil(Tensor()); }},
      {"round", [] { round(Tensor()); }},
      {"trunc", [] { trunc(Tensor()); }},
      {"clamp", [] { clamp(ones({2}), std::optional<Scalar>(), std::optional<Scalar>()); }},
      {"logical_not", [] { logical_not(Tensor()); }},
      {"isnan", [] { isnan(Tensor()); }},
      {"isinf", [] { isinf(Tensor()); }},
      {"isfinite", [] { isfinite(Tensor()); }},
      {"add", [] { add(ones({2, 3}), ones({4})); }},
      {"sub", [] { sub(ones({2}, dtype(kBool)), ones({2}, dtype(kBool))); }},
      {"mul", [] { mul(ones({3}), ones({2})); }},
      {"div", [] { div(ones({3}), ones({2, 2})); }},
      {"remainder", [] { remainder(ones({2}, dtype(kInt64)), zeros({2}, dtype(kInt64))); }},
      {"pow", [] { pow(ones({2}, dtype(kInt64)), -1); }},
      {"maximum", [] { maximum(ones({3}), ones({4})); }},
      {"minimum", [] { minimum(ones({3}), ones({4})); }},
      {"atan2", [] { atan2(ones({3}), ones({4})); }},
      {"lerp", [] { lerp(ones({3}), ones({4}), 0.5); }},
      {"where", [] { where(ones({2}), ones({2}), ones({2})); }},
      {"masked_fill", [] { ones({2}).masked_fill(ones({2}), 1.0); }},
      {"eq", [] { eq(ones({3}), ones({4})); }},
      {"ne", [] { ne(ones({3}), ones({4})); }},
      {"lt", [] { lt(ones({3}), ones({4})); }},
      {"le", [] { le(ones({3}), ones({4})); }},
      {"gt", [] { gt(ones({3}), ones({4})); }},
      {"ge", [] { ge(ones({3}), ones({4})); }},
      {"logical_and", [] { logical_and(ones({3}), ones({4})); }},
      {"logical_or", [] { logical_or(ones({3}), ones({4})); }},
      {"logical_xor", [] { logical_xor(ones({3}), ones({4})); }},
      {"sum", [] { ones({2, 3}).sum({2}); }},
      {"mean", [] { ones({2}, dtype(kInt64)).mean(); }},
      {"prod", [] { ones({2, 3}).prod(3); }},
      {"max", [] { ones({0}).max(); }},
      {"min", [] { ones({2, 0}).min(); }},
      {"amax", [] { ones({2}).amax({0, 0}); }},
      {"amin", [] { ones({2}).amin({5}); }},
      {"argmax", [] { ones({2}).argmax(1); }},
      {"argmin", [] { ones({2, 0}).argmin(1); }},
      {"var", [] { ones({2}, dtype(kInt64)).var(); }},
      {"std", [] { ones({2}, dtype(kInt64)).std(); }},
      {"norm", [] { ones({2}, dtype(kInt64)).norm(); }},
      {"logsumexp", [] { ones({2}).logsumexp({3}); }},
      {"all", [] { ones({2}).all(4); }},
      {"any", [] { ones({2}).any(-3); }},
      {"softmax", [] { ones({2}).softmax(2); }},
      {"cumsum", [] { ones({2, 3}).cumsum(2); }},
      {"sort", [] { ones({2, 3}).sort(-3); }},
      {"topk", [] { ones({2, 3}).topk(4); }},
      {"log_softmax", [] { ones({2}, dtype(kInt64)).log_softmax(0, kInt64); }},
      {"matmul", [] { matmul(ones({64, 784}), ones({100, 10})); }},
      {"mm", [] { mm(ones({2, 3}), ones({2, 3})); }},
      {"bmm", [] { bmm(ones({2, 2, 3}), ones({3, 3, 2})); }},
      {"addmm", [] { addmm(ones({2}), ones({2, 3}), ones({2, 2})); }},
      {"linear", [] { linear(ones({4, 3}), ones({2, 5})); }},
      {"outer", [] { outer(ones({2, 2}), ones({2})); }},
      {"dot", [] { dot(ones({2}), ones({3})); }},
      {"einsum", [] { einsum("ij,jk->ik", {ones({2, 3}), ones({4, 5})}); }},
      {"view", [] { ones({2, 3}).t().view({6}); }},
      {"reshape", [] { ones({2, 3}).reshape({4, -1}); }},
      {"flatten", [] { ones({2, 3, 4}).flatten(2, 1); }},
      {"unflatten", [] { ones({6}).unflatten(0, {4, -1}); }},
      {"squeeze", [] { ones({2}).squeeze(3); }},
      {"unsqueeze", [] { ones({2}).unsqueeze(3); }},
      {"permute", [] { ones({2, 3}).permute({0, 0}); }},
      {"transpose", [] { ones({2, 3}).transpose(0, 2); }},
      {"t", [] { ones({2, 3, 4}).t(); }},
      {"expand", [] { ones({2, 3}).expand({4, 3}); }},
      {"repeat", [] { ones({2, 3}).repeat({2}); }},
      {"cat", [] { cat({ones({2, 3}), ones({2, 4})}, 0); }},
      {"stack", [] { stack({ones({2}), ones({3})}); }},
      {"split", [] { ones({5}).split({2, 2}); }},
      {"chunk", [] { ones({5}).chunk(0); }},
      {"unbind", [] { ones({5}).unbind(1); }},
      {"narrow", [] { ones({5}).narrow(0, 3, 4); }},
      {"select", [] { ones({5}).select(0, 5); }},
      {"slice", [] { ones({5}).slice(0, 0, 3, 0); }},
      {"diagonal", [] { ones({3, 3}).diagonal(0, 1, -1); }},
      {"flip", [] { ones({5}).flip({0, 0}); }},
      {"tril", [] { tril(ones({5})); }},
      {"triu", [] { triu(ones({5})); }},
      {"pad", [] { pad(ones({3}), {3, 0}, "reflect"); }},
      {"index", [] { ones({2, 3}).index({0, 0, 0}); }},
      {"index_put_", [] { ones({2, 3}).index_put_({5}, 1.0); }},
      {"index_select", [] { ones({2, 3}).index_select(1, tensor({0, 3})); }},
      {"index_add", [] { ones({2, 3}).index_add(1, tensor({0}), ones({2, 2})); }},
      {"gather", [] { ones({2, 3}).gather(1, tensor({{0, 7}})); }},
      {"scatter", [] { ones({2, 3}).scatter(1, tensor({{-1, 0}}), ones({1, 1})); }},
      {"scatter_add", [] { ones({2, 3}).scatter_add(1, ones({1, 1}), ones({1, 1})); }},
      {"masked_select", [] { masked_select(ones({2}), ones({2})); }},
      {"nonzero", [] { nonzero(Tensor()); }},
      {"conv1d", [] { conv1d(ones({1, 3, 8}), ones({4, 2, 3})); }},
      {"conv2d", [] { conv2d(ones({1, 3, 8, 8}), ones({4, 3, 9, 9})); }},
      {"conv_transpose1d", [] { conv_transpose1d(ones({1, 3, 8}), ones({2, 4, 3})); }},
      {"conv_transpose2d", [] { conv_transpose2d(ones({1, 3, 8, 8}), ones({3, 4, 3, 3}), {}, 1, 0, 2); }},
      {"max_pool1d", [] { max_pool1d(ones({1, 2, 4}), 5); }},
      {"max_pool2d", [] { max_pool2d(ones({1, 2, 4, 4}), 3, 1, 2); }},
      {"avg_pool1d", [] { avg_pool1d(ones({1, 2, 4}), 0); }},
      {"avg_pool2d", [] { avg_pool2d(ones({2, 4}), 2); }},
      {"adaptive_avg_pool1d", [] { adaptive_avg_pool1d(ones({1, 2, 4}), 0); }},
      {"adaptive_avg_pool2d", [] { adaptive_avg_pool2d(ones({1, 2, 4, 4}), {2, 2, 2}); }},
      {"upsample_nearest2d", [] { upsample_nearest2d(ones({1, 2, 4}), {8, 8}); }},
      {"upsample_bilinear2d", [] { upsample_bilinear2d(ones({1, 2, 4, 4}), {0, 8}, false); }},
      {"conv3d", [] { conv3d(ones({1, 3, 4, 4, 4}), ones({4, 3, 5, 3, 3})); }},
      {"conv_transpose3d", [] { conv_transpose3d(ones({1, 3, 4, 4, 4}), ones({3, 2, 3, 3, 3}), {}, 1, 0, 1); }},
      {"max_pool3d", [] { max_pool3d(ones({1, 2, 4, 4, 4}), 2, 2, {0, 0, 2}); }},
      {"avg_pool3d", [] { avg_pool3d(ones({1, 2, 4, 4, 4}), 2, 0); }},
      {"adaptive_avg_pool3d", [] { adaptive_avg_pool3d(ones({1, 2, 0, 4, 4}), 2); }},
      {"upsample_nearest3d", [] { upsample_nearest3d(ones({1, 2, 4, 4, 4}), {4, 4}); }},
      {"upsample_trilinear3d", [] { upsample_trilinear3d(ones({1, 2, 4, 4, 4}), {4, 4, -1}, true); }},
      {"batch_norm", [] { batch_norm(ones({2, 3}), {}, {}, {}, {}, false, 0.1, 1e-5); }},
      {"layer_norm", [] { layer_norm(ones({2, 5}), {5}, ones({4})); }},
      {"group_norm", [] { group_norm(ones({2, 6, 3}), 0); }},
      {"fused_lstm_cell", [] { fused_lstm_cell(ones({2, 8}), ones({2, 4}), ones({2, 2})); }},
      {"fused_gru_cell", [] { fused_gru_cell(ones({6}), ones({6}), ones({2}, dtype(kDouble))); }},
  };
  return calls;
}

}  // namespace

TEST_CASE("bad input: every registry op has a bad call in this sweep", "[errors]") {
  for (const OpInfo& op : op_registry()) {
    INFO("op: " << op.name);
    CHECK(bad_calls().count(op.name) == 1);
  }
}

TEST_CASE("bad input: each bad call throws wick::Error naming the op", "[errors]") {
  for (const auto& [name, call] : bad_calls()) {
    INFO("op: " << name);
    try {
      call();
      FAIL("no error for a bad call of " << name);
    } catch (const Error& e) {
      const std::string what = e.what();
      INFO("message: " << what);
      CHECK(what.rfind("wick::", 0) == 0);
      // The message names the op (or, for an undefined tensor, says so).
      const bool named = what.find(name) != std::string::npos || what.find("undefined tensor") != std::string::npos;
      CHECK(named);
    }
  }
}

TEST_CASE("bad input: messages carry the offending shapes", "[errors]") {
  CHECK_THROWS_WITH(matmul(ones({64, 784}), ones({100, 10})),
                    "wick::matmul: shapes [64, 784] and [100, 10] cannot be multiplied (784 != 100)");
  CHECK_THROWS_WITH(add(ones({2, 3}), ones({4})), Catch::Contains("[2, 3]") && Catch::Contains("[4]"));
  CHECK_THROWS_WITH(ones({2}).to(kFloat).data_ptr<int64_t>(), Catch::Contains("int64") && Catch::Contains("float32"));
  CHECK_THROWS_WITH(ones({2, 3}).topk(4),
                    "wick::topk: k = 4 is out of range for dim 1 of size 3 (shape [2, 3]); expected 0 <= k <= 3");
  CHECK_THROWS_WITH(ones({2, 3}).cumsum(2), Catch::StartsWith("wick::cumsum: dim 2 is out of range"));
  CHECK_THROWS_WITH(hardtanh(ones({2}, dtype(kUInt8)), -1, 1),
                    Catch::StartsWith("wick::hardtanh:") && Catch::Contains("min_val -1, max_val 1"));
}

// Inputs the sanitizer build and tests/fuzz found reaching undefined behaviour (signed overflow, float-to-int
// casts of NaN or huge values) before a check; each must be a wick::Error naming the op.
TEST_CASE("bad input: huge sizes, NaN and infinite values throw instead of overflowing", "[errors][fuzz]") {
  constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();
  CHECK_THROWS_WITH(empty({int64_t(1) << 32, int64_t(1) << 32}), Catch::StartsWith("wick::empty") &&
                                                                       Catch::Contains("more elements"));
  CHECK_THROWS_WITH(ones({1}).expand({kHuge, 2}), Catch::Contains("more elements than int64 counts"));
  CHECK_THROWS_WITH(ones({2}).view({kHuge, 2}), Catch::StartsWith("wick::view"));
  CHECK_THROWS_WITH(repeat(ones({2}), {kHuge}), Catch::StartsWith("wick::repeat"));
  CHECK_THROWS_WITH(narrow(ones({4}), 0, 1, kHuge), Catch::StartsWith("wick::narrow"));
  CHECK_THROWS_WITH(arange(0, INFINITY), Catch::StartsWith("wick::arange") && Catch::Contains("unsupported range"));
  CHECK_THROWS_WITH(arange(0.0, 1e300, 1e-300), Catch::StartsWith("wick::arange") && Catch::Contains("invalid size"));
  CHECK_THROWS_WITH(randint(-50, 10, {3}, dtype(kUInt8)), Catch::StartsWith("wick::randint") &&
                                                               Catch::Contains("does not fit uint8"));
  CHECK_THROWS_WITH(randint(std::numeric_limits<int64_t>::min(), kHuge, {3}), Catch::StartsWith("wick::randint"));
  CHECK_THROWS_WITH(tensor({NAN}).item<int64_t>(), Catch::Contains("cannot be converted to int64"));
  CHECK_THROWS_WITH(tensor({1e30}).item<int64_t>(), Catch::Contains("cannot be converted to int64"));
  CHECK(tensor({-3.5}).item<int64_t>() == -3);
  // A 0-dim tensor accepts dim 0 in ops but has no size to read: size(0) once read past its (empty) sizes.
  CHECK_THROWS_WITH(scalar_tensor(1.0).size(0), Catch::StartsWith("wick::size") && Catch::Contains("no dimensions"));
  CHECK_THROWS_WITH(scalar_tensor(1.0).stride(-1), Catch::StartsWith("wick::stride"));
  CHECK_THROWS_WITH(zeros({3, 5}, dtype(kBool)).scatter_add(0, zeros({3, 5}, dtype(kInt64)), ones({}, dtype(kBool))),
                    Catch::StartsWith("wick::scatter_add") && Catch::Contains("same number of dims as src"));
}
