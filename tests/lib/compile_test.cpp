// wick::compile on op-level functions: a replay gives eager's bits, fuses what it may, re-captures when it must,
// and runs eagerly (correctly) when the function cannot be replayed.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "../../tools/bench/compile_workloads.h"
#include "wick/wick.h"

using namespace wick;
using wick_bench::gelu_from_8_ops;
using wick_bench::layer_norm_from_public_ops;

namespace {

// Equal values, dtypes and shapes, NaNs included (equal() alone says NaN != NaN).
bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return false;
  if (!a.is_floating_point()) return equal(a, b);
  return equal(isnan(a), isnan(b)) && equal(where(isnan(a), zeros_like(a), a), where(isnan(b), zeros_like(b), b));
}

// Every elementwise op of the registry as a step of a chain: (running value, a second operand) -> next value.
// Comparisons and predicates come back to float through where(), so a chain can go on after them.
using ChainOp = std::function<Tensor(const Tensor& x, const Tensor& y)>;
const std::map<std::string, ChainOp>& chain_ops() {
  static const std::map<std::string, ChainOp> ops = [] {
    std::map<std::string, ChainOp> t;
    auto pick = [](const Tensor& mask, const Tensor& x, const Tensor& y) { return where(mask, x, y); };
    t["neg"] = [](const Tensor& x, const Tensor&) { return neg(x); };
    t["abs"] = [](const Tensor& x, const Tensor&) { return abs(x); };
    t["sign"] = [](const Tensor& x, const Tensor&) { return sign(x); };
    t["exp"] = [](const Tensor& x, const Tensor&) { return exp(x); };
    t["log"] = [](const Tensor& x, const Tensor&) { return log(x); };
    t["log1p"] = [](const Tensor& x, const Tensor&) { return log1p(x); };
    t["expm1"] = [](const Tensor& x, const Tensor&) { return expm1(x); };
    t["sqrt"] = [](const Tensor& x, const Tensor&) { return sqrt(x); };
    t["rsqrt"] = [](const Tensor& x, const Tensor&) { return rsqrt(x); };
    t["reciprocal"] = [](const Tensor& x, const Tensor&) { return reciprocal(x); };
    t["square"] = [](const Tensor& x, const Tensor&) { return square(x); };
    t["sin"] = [](const Tensor& x, const Tensor&) { return sin(x); };
    t["cos"] = [](const Tensor& x, const Tensor&) { return cos(x); };
    t["tanh"] = [](const Tensor& x, const Tensor&) { return tanh(x); };
    t["sigmoid"] = [](const Tensor& x, const Tensor&) { return sigmoid(x); };
    t["erf"] = [](const Tensor& x, const Tensor&) { return erf(x); };
    t["relu"] = [](const Tensor& x, const Tensor&) { return relu(x); };
    t["gelu"] = [](const Tensor& x, const Tensor&) { return gelu(x, "tanh"); };
    t["silu"] = [](const Tensor& x, const Tensor&) { return silu(x); };
    t["softplus"] = [](const Tensor& x, const Tensor&) { return softplus(x, 2.0, 10.0); };
    t["leaky_relu"] = [](const Tensor& x, const Tensor&) { return leaky_relu(x, 0.1); };
    t["elu"] = [](const Tensor& x, const Tensor&) { return elu(x, 0.7); };
    t["hardtanh"] = [](const Tensor& x, const Tensor&) { return hardtanh(x, -0.5, 0.5); };
    t["relu6"] = [](const Tensor& x, const Tensor&) { return relu6(x); };
    t["floor"] = [](const Tensor& x, const Tensor&) { return floor(x * 3.0); };
    t["ceil"] = [](const Tensor& x, const Tensor&) { return ceil(x * 3.0); };
    t["round"] = [](const Tensor& x, const Tensor&) { return round(x * 3.0); };
    t["trunc"] = [](const Tensor& x, const Tensor&) { return trunc(x * 3.0); };
    t["clamp"] = [](const Tensor& x, const Tensor&) { return clamp(x, -0.8, 0.9); };
    t["logical_not"] = [=](const Tensor& x, const Tensor& y) { return pick(logical_not(x), x, y); };
    t["isnan"] = [=](const Tensor& x, const Tensor& y) { return pick(isnan(x), y, x); };
    t["isinf"] = [=](const Tensor& x, const Tensor& y) { return pick(isinf(x), y, x); };
    t["isfinite"] = [=](const Tensor& x, const Tensor& y) { return pick(isfinite(x), x, y); };
    t["add"] = [](const Tensor& x, const Tensor& y) { return add(x, y, 0.5); };
    t["sub"] = [](const Tensor& x, const Tensor& y) { return x - y; };
    t["mul"] = [](const Tensor& x, const Tensor& y) { return x * y; };
    t["div"] = [](const Tensor& x, const Tensor& y) { return x / y; };
    t["remainder"] = [](const Tensor& x, const Tensor& y) { return remainder(x, y); };
    t["pow"] = [](const Tensor& x, const Tensor& y) { return pow(abs(x), y); };
    t["maximum"] = [](const Tensor& x, const Tensor& y) { return maximum(x, y); };
    t["minimum"] = [](const Tensor& x, const Tensor& y) { return minimum(x, y); };
    t["atan2"] = [](const Tensor& x, const Tensor& y) { return atan2(x, y); };
    t["lerp"] = [](const Tensor& x, const Tensor& y) { return lerp(x, y, 0.25); };
    t["where"] = [](const Tensor& x, const Tensor& y) { return where(x > 0.1, x, y); };
    t["masked_fill"] = [](const Tensor& x, const Tensor& y) { return masked_fill(x, y < 0, 2.5); };
    t["eq"] = [=](const Tensor& x, const Tensor& y) { return pick(eq(x, y), y, x); };
    t["ne"] = [=](const Tensor& x, const Tensor& y) { return pick(ne(x, y), x, y); };
    t["lt"] = [=](const Tensor& x, const Tensor& y) { return pick(lt(x, y), x, y); };
    t["le"] = [=](const Tensor& x, const Tensor& y) { return pick(le(x, y), y, x); };
    t["gt"] = [=](const Tensor& x, const Tensor& y) { return pick(gt(x, y), x, y); };
    t["ge"] = [=](const Tensor& x, const Tensor& y) { return pick(ge(x, y), y, x); };
    t["logical_and"] = [=](const Tensor& x, const Tensor& y) { return pick(logical_and(x > 0, y > 0), x, y); };
    t["logical_or"] = [=](const Tensor& x, const Tensor& y) { return pick(logical_or(x > 0, y > 0), x, y); };
    t["logical_xor"] = [=](const Tensor& x, const Tensor& y) { return pick(logical_xor(x > 0, y > 0), x, y); };
    return t;
  }();
  return ops;
}

CompileStats run_and_compare(const std::function<Tensor(const Tensor&, const Tensor&)>& fn, const Tensor& x,
                             const Tensor& y, int calls) {
  auto compiled = compile([&](const Tensor& a, const Tensor& b) { return fn(a, b); });
  for (int i = 0; i < calls; ++i) {
    const Tensor got = compiled(x, y).clone();
    INFO("call " << i << ", plan:\n" << compiled.plan_string());
    REQUIRE(same_bits(got, fn(x, y)));
  }
  return compiled.stats();
}

}  // namespace

TEST_CASE("compile: a GELU of 8 elementwise ops replays as one fused group, bit for bit", "[compile]") {
  NoGradGuard no_grad;
  manual_seed(0);
  const Tensor x = randn({1000003});  // not a multiple of the tile: the last tile is short
  auto gelu = compile([](const Tensor& a) { return gelu_from_8_ops(a); });
  for (int i = 0; i < 5; ++i) REQUIRE(equal(gelu(x), gelu_from_8_ops(x)));
  const CompileStats s = gelu.stats();
  CHECK(s.calls == 5);
  CHECK(s.captures == 2);  // the second capture agreed with the first
  CHECK(s.replays == 3);
  CHECK(s.eager_calls == 0);
  const std::string plan = gelu.plan_string();
  INFO(plan);
  CHECK(plan.find("9 steps, 9 of them in 1 fused groups") != std::string::npos);
  CHECK(plan.find("8 tile-local intermediates") != std::string::npos);
  // Every step is a float32 op over dense or scalar operands: the group runs as one elementwise program, its
  // eight intermediates in two or three chunk-sized registers (C++ leaves the order in which the compiler
  // evaluates x * 0.5 and the tanh factor open, and the number alive at once depends on it).
  CHECK((plan.find("one elementwise program of 1000003 elements in 2 registers") != std::string::npos ||
         plan.find("one elementwise program of 1000003 elements in 3 registers") != std::string::npos));
  // Eight intermediates of 4 MB never materialise: the arena holds a tile of the few alive at once.
  CHECK(gelu.arena_bytes() < 1000003 * sizeof(float));
  const std::string dot = gelu.plan_dot();
  CHECK(dot.rfind("digraph plan {", 0) == 0);

  // A new argument replays the same plan.
  const Tensor x2 = randn({1000003});
  CHECK(equal(gelu(x2), gelu_from_8_ops(x2)));
  CHECK(gelu.stats().replays == 4);
}

TEST_CASE("compile: an elementwise program gives eager's bits in float64 and on several threads", "[compile]") {
  NoGradGuard no_grad;
  manual_seed(3);
  const int threads = get_num_threads();
  for (const int n : {1, 2}) {
    set_num_threads(n);
    for (const ScalarType dtype : {kFloat, kDouble}) {
      INFO(n << " threads, " << dtype_name(dtype));
      // 300007 elements: several 32768-element thread shares, each ending mid-chunk, and a ragged last vector.
      const Tensor x = randn({300007}, TensorOptions().dtype(dtype)) * 3;
      auto gelu = compile([](const Tensor& a) { return gelu_from_8_ops(a); });
      for (int i = 0; i < 4; ++i) REQUIRE(same_bits(gelu(x).clone(), gelu_from_8_ops(x)));
      CHECK(gelu.stats().replays == 2);
      INFO(gelu.plan_string());
      CHECK(gelu.plan_string().find("one elementwise program") != std::string::npos);
    }
  }
  set_num_threads(threads);
}

TEST_CASE("compile: random chains of every registry elementwise op equal eager, fused or not", "[compile]") {
  NoGradGuard no_grad;
  std::vector<std::string> names;
  for (const auto& [name, op] : chain_ops()) names.push_back(name);
  for (const OpInfo& op : op_registry()) {
    if (op.kind != OpKind::Unary && op.kind != OpKind::Binary && op.kind != OpKind::Comparison) continue;
    INFO("registry op " << op.name << " has no entry in chain_ops()");
    CHECK(chain_ops().count(op.name) == 1);
  }
  std::set<std::string> used;
  int fused_chains = 0, program_chains = 0;
  for (uint32_t seed = 0; seed < 40; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> chain;
    for (int k = 0; k < 6; ++k) chain.push_back(names[rng() % names.size()]);
    // Rows of 129 floats (516 bytes: 63 rows a tile, so 300 rows make 5 tiles), or one long dim; the second operand
    // full-sized, broadcast along either dim, or a scalar tensor; a row reduction at the end half the time.
    const bool two_d = seed % 2 == 0;
    manual_seed(seed);
    const Tensor x = two_d ? randn({300, 129}) : randn({70001});
    const int64_t form = seed % 4;
    const Tensor y = form == 0   ? randn(x.sizes()) * 2
                     : form == 1 ? (two_d ? randn({1, 129}) : randn({1}))
                     : form == 2 ? (two_d ? randn({300, 1}) : randn({70001}))
                                 : tensor(0.75f);
    const bool reduce = seed % 3 == 0 && two_d;
    auto fn = [&](const Tensor& a, const Tensor& b) {
      Tensor v = a;
      for (const std::string& name : chain) v = chain_ops().at(name)(v, b);
      return reduce ? v.sum({1}, true) : v;
    };
    INFO("seed " << seed << ": " << chain[0] << " " << chain[1] << " " << chain[2] << " " << chain[3] << " " << chain[4]
                 << " " << chain[5] << (reduce ? " sum" : ""));
    auto compiled = compile([&](const Tensor& a, const Tensor& b) { return fn(a, b); });
    for (int call = 0; call < 4; ++call) REQUIRE(same_bits(compiled(x, y).clone(), fn(x, y)));
    CHECK(compiled.stats().replays == 2);
    fused_chains += compiled.plan_string().find("group") != std::string::npos;
    program_chains += compiled.plan_string().find("elementwise program") != std::string::npos;
    used.insert(chain.begin(), chain.end());
  }
  CHECK(fused_chains >= 30);
  CHECK(program_chains >= 5);  // dense and scalar operands, no where() or row reduction: one elementwise program
  CHECK(used.size() >= names.size() * 3 / 4);  // 240 draws from ~55 ops
}

TEST_CASE("compile: LayerNorm composed from public ops fuses its row reductions and matches eager", "[compile]") {
  NoGradGuard no_grad;
  manual_seed(3);
  const Tensor x = randn({257, 1024});
  const CompileStats s =
      run_and_compare([](const Tensor& a, const Tensor&) { return layer_norm_from_public_ops(a); }, x, x, 4);
  CHECK(s.replays == 2);
  auto ln = compile([](const Tensor& a) { return layer_norm_from_public_ops(a); });
  ln(x), ln(x);
  CHECK(ln.plan_string().find("reduce Sum") != std::string::npos);
  CHECK(ln.plan_string().find("in 1 fused groups") != std::string::npos);
}

TEST_CASE("compile: row programs (per-row operands, per-row values, row reductions) give eager's bits", "[compile]") {
  NoGradGuard no_grad;
  const int threads = get_num_threads();
  // LayerNorm: two row sums, a mean and a variance read along their rows, eps and rsqrt on one value per row.
  for (const int n : {1, 2}) {
    set_num_threads(n);
    for (const ScalarType dtype : {kFloat, kDouble}) {
      INFO(n << " threads, " << dtype_name(dtype));
      manual_seed(5);
      const Tensor x = randn({257, 1024}, TensorOptions().dtype(dtype)) * 2 + 1;
      auto ln = compile([](const Tensor& a) { return layer_norm_from_public_ops(a); });
      for (int i = 0; i < 4; ++i) REQUIRE(same_bits(ln(x).clone(), layer_norm_from_public_ops(x)));
      INFO(ln.plan_string());
      CHECK(ln.plan_string().find("one row program of 257 rows of 1024 elements") != std::string::npos);
    }
  }
  set_num_threads(threads);

  // exp's vector form recomputes a whole vector with the C library when one lane overflows its range, so in
  // eager's call over all rows' maxima, one row's large maximum changes its neighbours' bits where the vector form
  // and the C library differ. Such values, found on this kernel set, as the other rows' maxima: a replay must keep
  // their bits (a row program taking exp per row alone would not).
  {
    manual_seed(9);
    const Tensor v = rand({1 << 20}) * 20 - 10;
    const Tensor beside_overflow = exp(stack({v, full_like(v, 100.0)}, 1).reshape({-1})).view({-1, 2}).select(1, 0);
    const Tensor sensitive = masked_select(v, ne(exp(v), beside_overflow));
    const int64_t n = std::min<int64_t>(sensitive.numel(), 64);
    if (n == 0) {
      WARN("this kernel set's vector exp agrees with the C library on 2^20 values: the neighbour case is not built");
    } else {
      // Row 2i: maximum sensitive[i] (the rest of the row 1 below it); row 2i + 1: maximum 100.
      const Tensor maxima = stack({sensitive.narrow(0, 0, n), full({n}, 100.0)}, 1).reshape({2 * n, 1});
      const Tensor x = cat({maxima, maxima - 1 - rand({2 * n, 255})}, 1);
      auto fn = [](const Tensor& a) { return a * exp(a.amax({1}, true)); };
      auto compiled = compile(fn);
      for (int call = 0; call < 4; ++call) REQUIRE(same_bits(compiled(x).clone(), fn(x)));
      CHECK(compiled.stats().replays == 2);
    }
  }

  // Random chains: ops on the rows, a row reduction, two ops on its per-row values (300 rows: every vector lane),
  // the rows combined with them, and a closing reduction half the time. The first per-row op is one whose vector
  // form is lane-local (what a row program takes there); the second is any op, so that some chains must be left
  // to the tiled path (exp on one value per row could round differently without its eager neighbours).
  std::vector<std::string> names;
  for (const auto& [name, op] : chain_ops()) names.push_back(name);
  const std::vector<std::string> lane_local = {"add", "sub",  "mul",  "div",        "maximum", "minimum", "neg",
                                               "abs", "sign", "sqrt", "reciprocal", "relu",    "floor",   "clamp"};
  const std::vector<std::string> reductions = {"sum", "max", "min", "mean"};
  int row_programs = 0;
  for (uint32_t seed = 0; seed < 30; ++seed) {
    std::mt19937 rng(seed);
    std::vector<std::string> chain;
    for (int k = 0; k < 5; ++k)
      chain.push_back(k == 2 ? lane_local[rng() % lane_local.size()] : names[rng() % names.size()]);
    const std::string reduction = reductions[rng() % reductions.size()];
    const bool close = seed % 2 == 0;
    manual_seed(seed);
    const Tensor x = randn({300, seed % 3 == 0 ? 256 : 128});
    const Tensor y = randn(x.sizes());
    auto reduce = [&](const Tensor& v) {
      return reduction == "sum"   ? v.sum({1}, true)
             : reduction == "max" ? v.amax({1}, true)
             : reduction == "min" ? v.amin({1}, true)
                                  : v.mean({1}, true);
    };
    auto fn = [&](const Tensor& a, const Tensor& b) {
      Tensor v = chain_ops().at(chain[0])(a, b);
      v = chain_ops().at(chain[1])(v, b);
      Tensor m = reduce(v);
      m = chain_ops().at(chain[2])(m, tensor(0.75f));
      m = chain_ops().at(chain[3])(m, tensor(-1.5f));
      v = chain_ops().at(chain[4])(v, m);
      return close ? v.sum({1}, true) : v;
    };
    INFO("seed " << seed << ": " << chain[0] << " " << chain[1] << " " << reduction << " " << chain[2] << " "
                 << chain[3] << " " << chain[4] << (close ? " sum" : ""));
    auto compiled = compile([&](const Tensor& a, const Tensor& b) { return fn(a, b); });
    for (int call = 0; call < 4; ++call) {
      INFO("call " << call << ", plan:\n" << compiled.plan_string());
      REQUIRE(same_bits(compiled(x, y).clone(), fn(x, y)));
    }
    row_programs += compiled.plan_string().find("row program") != std::string::npos;
  }
  CHECK(row_programs >= 5);  // chains without where() or a bool result, in one group
}

TEST_CASE("compile: a new argument shape re-captures, then replays again", "[compile]") {
  NoGradGuard no_grad;
  auto f = compile([](const Tensor& a) { return relu(a * 2.0 - 1.0).sum({1}); });
  const Tensor small = randn({8, 4}), large = randn({16, 4});
  for (int i = 0; i < 3; ++i) CHECK(equal(f(small), relu(small * 2.0 - 1.0).sum({1})));
  CHECK(f.stats().replays == 1);
  for (int i = 0; i < 3; ++i) CHECK(equal(f(large), relu(large * 2.0 - 1.0).sum({1})));
  const CompileStats s = f.stats();
  CHECK(s.recaptures == 1);
  CHECK(s.captures == 4);
  CHECK(s.replays == 2);
  CHECK(f.fallback_reason().empty());
  // A non-contiguous argument of the same shape is a new signature too.
  const Tensor strided = randn({4, 8}).t();
  CHECK(equal(f(strided), relu(strided * 2.0 - 1.0).sum({1})));
  CHECK(f.stats().recaptures == 2);
}

TEST_CASE("compile: a function that reads values on the host runs eagerly, with the reason", "[compile]") {
  NoGradGuard no_grad;
  auto f = compile([](const Tensor& a) { return a.index_select(0, nonzero(a > 0).reshape({-1})) * 3.0; });
  for (int i = 0; i < 6; ++i) {
    const Tensor x = randn({50});  // a different number of positives each call
    CHECK(equal(f(x), x.index_select(0, nonzero(x > 0).reshape({-1})) * 3.0));
  }
  const CompileStats s = f.stats();
  CHECK(s.replays == 0);
  CHECK(s.eager_calls == 3);  // three captures, then plain eager runs
  CHECK(f.fallback_reason().find("read tensor values on the host") != std::string::npos);
}

TEST_CASE("compile: a scalar that changes between calls keeps the function eager", "[compile]") {
  NoGradGuard no_grad;
  double scale = 1.0;
  auto f = compile([&](const Tensor& a) { return a * scale; });
  const Tensor x = randn({64});
  for (int i = 0; i < 6; ++i, scale += 1.0) CHECK(equal(f(x), x * scale));
  CHECK(f.stats().replays == 0);
  CHECK(f.fallback_reason().find("differed") != std::string::npos);
  // Once it stops changing, reset() lets the function compile again.
  f.reset();
  for (int i = 0; i < 4; ++i) CHECK(equal(f(x), x * scale));
  CHECK(f.stats().replays == 2);
}

TEST_CASE("compile: freeing a tensor the plan reads makes it re-capture", "[compile]") {
  NoGradGuard no_grad;
  Tensor w = full({32}, 2.0f);
  auto f = compile([&](const Tensor& a) { return a * w + 1.0; });
  const Tensor x = randn({32});
  for (int i = 0; i < 3; ++i) CHECK(equal(f(x), x * 2.0 + 1.0));
  CHECK(f.stats().replays == 1);
  w.fill_(5.0);  // an in-place update is seen
  CHECK(equal(f(x), x * 5.0 + 1.0));
  CHECK(f.stats().replays == 2);
  w = full({32}, 7.0f);  // the old tensor is freed: the plan must not read its memory again
  CHECK(equal(f(x), x * 7.0 + 1.0));
  CHECK(f.stats().recaptures == 1);
}

TEST_CASE("compile: dropout replays with the generator's next draws, as eager would", "[compile]") {
  NoGradGuard no_grad;
  manual_seed(11);
  const Tensor x = randn({16, 64});
  auto f = compile([](const Tensor& a) { return dropout(a, 0.5, true) * 2.0; });
  for (int i = 0; i < 5; ++i) {
    const detail::RandomSlice before = detail::random_state();
    const Tensor got = f(x).clone();
    const detail::RandomSlice after = detail::random_state();
    detail::set_random_state(before);
    const Tensor want = dropout(x, 0.5, true) * 2.0;
    CHECK(equal(got, want));
    CHECK(detail::random_state().offset == after.offset);  // the replay advanced the generator as eager does
  }
  CHECK(f.stats().replays == 3);
}

TEST_CASE("compile: a bounds check that fails on replay falls back to eager's error", "[compile]") {
  NoGradGuard no_grad;
  const Tensor logits = randn({4, 5});
  auto loss = compile([&](const Tensor& target) { return nn::functional::cross_entropy(logits, target); });
  const Tensor good = tensor({0, 1, 4, 2}, dtype(kInt64));
  for (int i = 0; i < 3; ++i) CHECK(equal(loss(good), nn::functional::cross_entropy(logits, good)));
  CHECK(loss.stats().replays == 1);
  const Tensor bad = tensor({0, 1, 7, 2}, dtype(kInt64));
  CHECK_THROWS_WITH(loss(bad), Catch::Contains("target 7 is out of bounds"));
  CHECK(equal(loss(good), nn::functional::cross_entropy(logits, good)));
}

TEST_CASE("compile: results that need a backward outside, or alias an argument, are not replayed", "[compile]") {
  const Tensor w = randn({8}, requires_grad());
  auto needs_grad = compile([&](const Tensor& a) { return (a * w).sum(); });
  const Tensor x = randn({8});
  for (int i = 0; i < 4; ++i) CHECK(needs_grad(x).requires_grad());
  CHECK(needs_grad.stats().replays == 0);
  CHECK(needs_grad.fallback_reason().find("backward()") != std::string::npos);

  NoGradGuard no_grad;
  auto identity = compile([](const Tensor& a) { return a; });
  for (int i = 0; i < 4; ++i) CHECK(identity(x).is_same(x));
  CHECK(identity.stats().replays == 0);
}

TEST_CASE("compile: a module's forward, for inference", "[compile]") {
  manual_seed(2);
  nn::Sequential net(nn::Linear(20, 32), nn::GELU(), nn::Linear(32, 4), nn::Softmax(1));
  net->eval();
  InferenceMode guard;
  auto fast = compile(net);
  const Tensor x = randn({5, 20});
  for (int i = 0; i < 4; ++i) CHECK(equal(fast(x), net->forward(x)));
  CHECK(fast.stats().replays == 2);
}

TEST_CASE("compile: relu's backward test of its saved output moves up, so only a bool mask reaches backward",
          "[compile]") {
  manual_seed(5);
  const Tensor w = randn({256, 1024}, requires_grad()), v = randn({256, 1024});
  // h = relu(x * w) is read by the product with v and, in backward, by relu's `h > 0`. The plan tests h right
  // after the product has read it, so the 1 MiB of h dies there (here it never leaves the forward's fused group)
  // and the 256 KiB mask is what backward keeps.
  auto f = [&](const Tensor& x) {
    const Tensor h = relu(x * w);
    return autograd::grad({(h * v).sum()}, {w})[0];
  };
  auto compiled = compile(f);
  const Tensor x = randn({256, 1024});
  for (int i = 0; i < 4; ++i) REQUIRE(equal(compiled(x), f(x)));
  REQUIRE(compiled.stats().replays == 2);
  const std::string plan = compiled.plan_string();
  INFO(plan);
  const size_t relu_output = 256 * 1024 * sizeof(float), mask = 256 * 1024;
  // The steps' order: x * w, relu, h * v, the mask, the sum; backward's products and where after it.
  std::vector<size_t> products;
  for (auto at = plan.find(" Mul:"); at != std::string::npos; at = plan.find(" Mul:", at + 1)) products.push_back(at);
  const auto gt = plan.find(" Gt:");
  REQUIRE(products.size() == 4);
  REQUIRE(gt != std::string::npos);
  CHECK(products[1] < gt);
  CHECK(gt < products[2]);
  CHECK(compiled.arena_bytes() + relu_output - mask <= compiled.eager_peak_bytes());
}

TEST_CASE("compile: a narrowing step does not move above a write to what it reads", "[compile]") {
  // h > 1 reads h for the last time and writes a narrower block, but h changes in place before it: moved above the
  // sub_, the mask would test the old values.
  auto f = [](const Tensor& x) {
    Tensor h = exp(x);
    const Tensor s = h * 2.0;
    h.sub_(1.5);
    return where(h > 1.0, s, zeros_like(s));
  };
  auto compiled = compile(f);
  const Tensor x = randn({64, 256});
  for (int i = 0; i < 4; ++i) REQUIRE(equal(compiled(x), f(x)));
  REQUIRE(compiled.stats().replays == 2);
}

TEST_CASE("compile: blocks live from first to last use, and an elementwise op writes over its dying input",
          "[compile]") {
  manual_seed(3);
  const Tensor w1 = randn({32, 128}), w2 = randn({128, 16});
  // Eager holds the first product until the end of the full expression, beside the relu of it: two blocks of
  // 64 x 128 floats at once. The plan knows the product's last use is the relu, which writes over it.
  auto f = [&](const Tensor& x) { return matmul(relu(matmul(x, w1)), w2); };
  auto compiled = compile(f);
  const Tensor x = randn({64, 32});
  for (int i = 0; i < 4; ++i) CHECK(equal(compiled(x), f(x)));
  REQUIRE(compiled.stats().replays == 2);
  const size_t product_bytes = 64 * 128 * sizeof(float);
  INFO(compiled.plan_string());
  CHECK(compiled.eager_peak_bytes() >= 2 * product_bytes);
  CHECK(compiled.arena_bytes() + product_bytes <= compiled.eager_peak_bytes());
}

TEST_CASE("compile: an SGD step updates each parameter in one fused pass, and equals eager", "[compile]") {
  auto make = [] {
    manual_seed(5);
    return nn::Sequential(nn::Linear(64, 128), nn::ReLU(), nn::Linear(128, 10));
  };
  nn::Sequential eager_net = make(), compiled_net = make();
  optim::SGD eager_opt(eager_net->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  optim::SGD compiled_opt(compiled_net->parameters(), optim::SGDOptions(0.05).momentum(0.9));
  auto step_of = [](nn::Sequential& net, optim::SGD& opt) {
    return [&net, &opt](const Tensor& x, const Tensor& y) {
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(net->forward(x), y);
      loss.backward();
      opt.step();
      return loss.detach();
    };
  };
  auto eager = step_of(eager_net, eager_opt);
  auto compiled = compile(step_of(compiled_net, compiled_opt));
  const Tensor x = randn({32, 64}), y = randint(0, 10, {32});
  // The first step creates the momentum buffers, the next two capture, the rest replay.
  for (int i = 0; i < 6; ++i) REQUIRE(equal(compiled(x, y), eager(x, y)));
  REQUIRE(compiled.stats().replays == 3);
  const auto eager_params = eager_net->parameters(), compiled_params = compiled_net->parameters();
  for (size_t p = 0; p < eager_params.size(); ++p) CHECK(equal(compiled_params[p], eager_params[p]));
  // The momentum buffer times the learning rate, [128, 64], is a tile of the group that writes the parameter:
  // it never takes arena memory.
  const std::string plan = compiled.plan_string();
  INFO(plan);
  CHECK(std::regex_search(plan, std::regex(R"(Mul: tile[0-9]+\[128,64\] ext@)")));
}

TEST_CASE("compile: in-place updates of overlapping views of one tensor do not fuse", "[compile]") {
  // Rows 0..998 doubled, then rows 1..999 shifted: run tile by tile, a row would be shifted before it is doubled.
  auto make = [] { return arange(1000 * 64, kFloat).reshape({1000, 64}) / 1000.0; };
  Tensor eager_w = make(), compiled_w = make();
  auto step_of = [](Tensor& w) {
    return [&w](const Tensor& x) {
      w.narrow(0, 0, 999).mul_(2.0);
      w.narrow(0, 1, 999).add_(1.0);
      return x * 1.0;
    };
  };
  auto eager = step_of(eager_w);
  auto compiled = compile(step_of(compiled_w));
  const Tensor x = randn({999, 64});
  for (int i = 0; i < 4; ++i) {
    compiled(x);
    eager(x);
    INFO("call " << i << ", plan:\n" << compiled.plan_string());
    REQUIRE(equal(compiled_w, eager_w));
  }
  REQUIRE(compiled.stats().replays == 2);
}
