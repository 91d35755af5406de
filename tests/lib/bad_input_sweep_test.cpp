// The bad-input sweep: every op of the op registry is called with generated bad inputs in each category that
// applies to it (unsupported dtypes, wrong ranks, mismatched shapes, out-of-range dims and indices, undefined
// tensors, bad arguments) and with the inputs PyTorch gives a documented result for (empty tensors, NaN/Inf).
// Each call either throws a wick::Error whose message names the op ("wick::<op>: ...") or returns what PyTorch
// 1.13 returns, read from fixtures: tests/fixtures/special_values.safetensors (tools/gen_robust_fixtures.py) for
// the NaN/Inf sweeps over whole op families, tests/fixtures/sweep_results.safetensors
// (tools/gen_sweep_fixtures.py, which makes the same calls in PyTorch) for every other result compared.
// tests/lib/bad_input_test.cpp keeps one hand-picked bad call per op.
//
// Adding an op: one line in sweep_table() (an op with no line fails "every registry op has a sweep entry").
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <typeinfo>

#include "../support/fixtures.h"

using namespace wick;
using testing::RefFile;
using testing::Tolerance;

namespace {

using Tensors = std::vector<Tensor>;
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinI64 = std::numeric_limits<int64_t>::min();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const ScalarType kEveryDtype[] = {kBool, kUInt8, kInt8, kInt32, kInt64, kHalf, kBFloat16, kFloat, kDouble};

// Every op's outputs as a list, whatever it returns.
Tensors outs(const Tensor& t) { return {t}; }
Tensors outs(const std::vector<Tensor>& v) { return v; }
Tensors outs(const std::tuple<Tensor, Tensor>& t) { return {std::get<0>(t), std::get<1>(t)}; }

// Deterministic values in [-1, 2) of any shape and dtype (0/1 for bool).
Tensor wave(std::vector<int64_t> shape, ScalarType dt = kFloat) {
  const int64_t n = product(shape);
  Tensor x = arange(n, dtype(kDouble)).mul(0.37).remainder(3.0).sub(1.0).reshape(shape);
  if (dt == kBool) return x.gt(0.5);
  return is_floating_point(dt) ? x.to(dt) : x.mul(3).to(dt);  // ints: -3..5 (uint8 wraps, as a C cast would)
}
Tensor longs(std::vector<int64_t> v) { return tensor(v); }
// x with its integer values made >= 1 (floating and bool tensors as they are).
Tensor positive_if_integral(const Tensor& x) {
  if (!x.defined() || is_floating_point(x.dtype()) || x.dtype() == kBool) return x;
  return x.to(kInt64).abs().remainder(100).add(1).to(x.dtype());
}

// ---- one generated input --------------------------------------------------------------------------------------
// Without `check` the call must throw wick::Error naming the op; with it, the call must succeed and `check`
// judges the outputs with CHECKs.
using Check = std::function<void(const Tensors&)>;
struct Case {
  std::string category, input;
  std::function<Tensors()> call;
  Check check;
};

// Categories that are not bad inputs: calls the registry says must work.
const std::set<std::string> kGoodCategories = {"supported dtype", "high rank"};

Check shape_is(std::vector<int64_t> shape) {
  return [shape](const Tensors& o) {
    REQUIRE(!o.empty());
    CHECK(o[0].sizes() == IntArrayRef(shape));
  };
}
// Shape and values (and the dtype if check_dtype), NaN matching NaN.
Check equals(Tensor expected, Tolerance tol = {1e-6, 1e-6}, size_t output = 0, bool check_dtype = false) {
  return [expected, tol, output, check_dtype](const Tensors& o) {
    REQUIRE(o.size() > output);
    const std::string msg = testing::compare(o[output], expected, tol, check_dtype);
    INFO(msg);
    CHECK(msg.empty());
  };
}
Check all(std::vector<Check> checks) {
  return [checks](const Tensors& o) {
    for (const Check& c : checks) c(o);
  };
}

// The per-op collector: shared generators append the cases of each category.
class Sweep {
 public:
  explicit Sweep(std::string op) : op_(std::move(op)), info_(find_op(op_)) {}
  const std::string& op() const { return op_; }
  const std::vector<Case>& cases() const { return cases_; }

  Sweep& rejects(std::string category, std::string input, std::function<Tensors()> call) {
    cases_.push_back({std::move(category), std::move(input), std::move(call), nullptr});
    return *this;
  }
  Sweep& gives(std::string category, std::string input, std::function<Tensors()> call, Check check) {
    cases_.push_back({std::move(category), std::move(input), std::move(call), std::move(check)});
    return *this;
  }

  // Every dtype outside the registry's set is rejected; every dtype inside it works.
  Sweep& dtypes(std::function<Tensors(ScalarType)> call) {
    REQUIRE(info_ != nullptr);
    for (ScalarType t : kEveryDtype) {
      auto run = [call, t] { return call(t); };
      if (info_->dtypes.contains(t))
        gives("supported dtype", dtype_name(t), run, [](const Tensors& o) { CHECK(!o.empty()); });
      else
        rejects("dtype", dtype_name(t), run);
    }
    return *this;
  }
  // dim = rank, -rank - 1, rank + 7 and the int64 extremes (which must not overflow in dim wrapping).
  Sweep& bad_dims(int64_t rank, std::function<Tensors(int64_t dim)> call) {
    for (int64_t d : {rank, -rank - 1, rank + 7, kMaxI64, kMinI64})
      rejects("dim", "dim " + std::to_string(d) + " of a rank-" + std::to_string(rank) + " input",
              [call, d] { return call(d); });
    return *this;
  }
  // index = size, -size - 1, size + 100 and the int64 extremes, for a dim of `size` elements.
  Sweep& bad_indices(int64_t size, std::function<Tensors(int64_t index)> call) {
    for (int64_t i : {size, -size - 1, size + 100, kMaxI64, kMinI64})
      rejects("index", "index " + std::to_string(i) + " into a dim of " + std::to_string(size),
              [call, i] { return call(i); });
    return *this;
  }
  // Ranks 0..5 outside `ok`, each as a tensor of shape [2, 3, 4, 4, 4][:rank].
  Sweep& bad_ranks(std::set<int64_t> ok, std::function<Tensors(const Tensor&)> call) {
    const std::vector<int64_t> dims = {2, 3, 4, 4, 4};
    for (int64_t r = 0; r <= 5; ++r) {
      if (ok.count(r)) continue;
      const std::vector<int64_t> shape(dims.begin(), dims.begin() + r);
      rejects("rank", "rank " + std::to_string(r), [call, shape] { return call(wave(shape)); });
    }
    return *this;
  }
  // Each input in turn replaced by an undefined tensor.
  Sweep& undefined(Tensors valid, std::function<Tensors(const Tensors&)> call) {
    for (size_t i = 0; i < valid.size(); ++i) {
      Tensors in = valid;
      in[i] = Tensor();
      rejects("undefined", "input " + std::to_string(i) + " undefined", [call, in] { return call(in); });
    }
    return *this;
  }

 private:
  std::string op_;
  const OpInfo* info_;
  std::vector<Case> cases_;
};

using Entry = std::function<void(Sweep&)>;

// ---- PyTorch's results on special values ----------------------------------------------------------------------
const RefFile& specials() {
  static const RefFile f("special_values.safetensors");
  return f;
}
const char* const kSpecialDtypes[] = {"float32", "float64"};
Tolerance special_tolerance(const std::string& dt) {
  // float32 transcendental functions may differ from PyTorch's by a few ulp.
  return dt == "float32" ? Tolerance{2e-5, 1e-6} : Tolerance{1e-12, 1e-14};
}

// PyTorch's result, dtype included, of the call the case makes: "<op>.<case>" in sweep_results.safetensors.
Check pytorch(const std::string& key, size_t output = 0) {
  static const RefFile results("sweep_results.safetensors");
  return equals(results.get(key), {1e-6, 1e-6}, output, /*check_dtype=*/true);
}

// ---- builders for families of ops -----------------------------------------------------------------------------
using UnaryFn = std::function<Tensor(const Tensor&)>;
using BinaryFn = std::function<Tensor(const Tensor&, const Tensor&)>;

// Elementwise unary ops: any rank works (0-d, empty and more than 8 dims included); NaN/Inf as PyTorch.
Entry unary(UnaryFn f) {
  return [f](Sweep& s) {
    s.dtypes([f](ScalarType t) { return outs(f(wave({2, 3}, t))); });
    s.undefined({wave({2})}, [f](const Tensors& in) { return outs(f(in[0])); });
    for (std::vector<int64_t> shape : {std::vector<int64_t>{0}, {2, 0}, {0, 3, 1}})
      s.gives(
          "empty", shape_str(shape), [f, shape] { return outs(f(wave(shape))); }, shape_is(shape));
    s.gives(
        "high rank", "0-d", [f] { return outs(f(wave({}))); }, shape_is({}));
    // More dims than the inline shape buffer holds (8): same values as the flat call.
    s.gives(
        "high rank", "9 dims",
        [f] {
          return Tensors{f(wave({1, 2, 1, 1, 1, 1, 1, 1, 3})), f(wave({6}))};
        },
        [](const Tensors& o) {
          CHECK(testing::compare(o[0].flatten(), o[1], {0, 0}).empty());
        });  // NaN == NaN
    for (const char* dt : kSpecialDtypes) {
      const std::string key = "unary." + s.op() + "." + dt;
      s.gives(
          "nan/inf", key, [f, dt] { return outs(f(specials().get("S").to(testing::dtype_from_name(dt)))); },
          equals(specials().get(key), special_tolerance(dt)));
    }
  };
}

// Elementwise binary ops: broadcasting shapes only; every pair of special values (through broadcasting).
Entry binary(BinaryFn f) {
  return [f](Sweep& s) {
    s.dtypes([f](ScalarType t) { return outs(f(wave({2, 3}, t), wave({3}, t))); });
    s.undefined({wave({2}), wave({2})}, [f](const Tensors& in) { return outs(f(in[0], in[1])); });
    const std::vector<std::pair<std::vector<int64_t>, std::vector<int64_t>>> mismatched = {
        {{2, 3}, {4}}, {{3}, {2}}, {{2, 3}, {3, 2}}, {{2, 0}, {2, 3}}, {{4, 1, 3}, {2, 3, 3}}, {{0}, {2}}};
    for (const auto& [a, b] : mismatched)
      s.rejects("shape", shape_str(a) + " with " + shape_str(b),
                [f, a = a, b = b] { return outs(f(wave(a), wave(b))); });
    const std::vector<std::tuple<std::vector<int64_t>, std::vector<int64_t>, std::vector<int64_t>>> empty = {
        {{0}, {0}, {0}}, {{0}, {1}, {0}}, {{2, 0}, {2, 1}, {2, 0}}, {{0, 3}, {3}, {0, 3}}, {{1, 0}, {3, 1}, {3, 0}}};
    for (const auto& [a, b, r] : empty)
      s.gives(
          "empty", shape_str(a) + " with " + shape_str(b), [f, a = a, b = b] { return outs(f(wave(a), wave(b))); },
          shape_is(r));
    for (const char* dt : kSpecialDtypes) {
      const std::string key = "binary." + s.op() + "." + dt;
      s.gives(
          "nan/inf", key,
          [f, dt] {
            const Tensor v = specials().get("S").to(testing::dtype_from_name(dt));
            return outs(f(v.unsqueeze(1), v.unsqueeze(0)));
          },
          equals(specials().get(key), special_tolerance(dt)));
    }
  };
}

// What a reduction of an empty tensor gives: PyTorch's identity value (sum 0, prod 1, mean NaN, ...), an error
// (max/min/argmax/argmin have no identity), or an output shaped as the input (softmax).
enum class EmptyRule { Identity, Throws, SameShape };
constexpr EmptyRule kIdentity = EmptyRule::Identity, kNoIdentity = EmptyRule::Throws, kSameShape = EmptyRule::SameShape;

using FullFn = std::function<Tensors(const Tensor&)>;
using DimFn = std::function<Tensors(const Tensor&, int64_t)>;

// Reductions: a full form (may be null) and a form along one dim (may be null).
Entry reduction(FullFn full, DimFn along, EmptyRule empty) {
  return [full, along, empty](Sweep& s) {
    s.dtypes([full, along](ScalarType t) { return full ? full(wave({2, 3}, t)) : along(wave({2, 3}, t), 1); });
    s.undefined({wave({2})}, [full, along](const Tensors& in) { return full ? full(in[0]) : along(in[0], 0); });
    // key: where PyTorch's identity is in sweep_results ("<op>.<key>").
    auto expect_empty = [&](std::string input, std::string key, std::function<Tensors()> call,
                            std::vector<int64_t> input_shape) {
      if (empty == EmptyRule::Throws) {
        s.rejects("empty", input, call);
      } else if (empty == EmptyRule::SameShape) {
        s.gives("empty", input, call, shape_is(input_shape));
      } else {
        s.gives("empty", input, call, pytorch(s.op() + "." + key));
      }
    };
    if (full) {
      expect_empty("full reduction of [0]", "empty_full_0", [full] { return full(wave({0})); }, {0});
      expect_empty("full reduction of [2, 0]", "empty_full_2x0", [full] { return full(wave({2, 0})); }, {2, 0});
    }
    if (along) {
      s.bad_dims(2, [along](int64_t d) { return along(wave({2, 3}), d); });
      s.rejects("dim", "dim 1 of a 0-d input", [along] { return along(wave({}), 1); });
      s.rejects("dim", "dim -2 of a 0-d input", [along] { return along(wave({}), -2); });
      // Along a zero-sized dim: the identity per row; along a full dim of an empty tensor: an empty result.
      expect_empty("[3, 0] along dim 1", "empty_3x0_dim1", [along] { return along(wave({3, 0}), 1); }, {3, 0});
      s.gives(
          "empty", "[3, 0] along dim 0",
          [along] {
            return along(wave({3, 0}), 0);
          },
          shape_is(empty == EmptyRule::SameShape ? std::vector<int64_t>{3, 0} : std::vector<int64_t>{0}));
      s.gives(
          "empty", "[0, 2] along dim 1",
          [along] {
            return along(wave({0, 2}), 1);
          },
          shape_is(empty == EmptyRule::SameShape ? std::vector<int64_t>{0, 2} : std::vector<int64_t>{0}));
    }
    for (const char* dt : kSpecialDtypes) {
      const ScalarType t = testing::dtype_from_name(dt);
      auto rows = [t] { return specials().get("R").to(t); };
      const std::string reduce_key = "reduce." + s.op() + "." + dt;
      if (along && specials().has(reduce_key))
        s.gives(
            "nan/inf", reduce_key, [along, rows] { return along(rows(), 1); },
            equals(specials().get(reduce_key), special_tolerance(dt)));
      if (along && specials().has(reduce_key + ".values"))
        s.gives(
            "nan/inf", reduce_key + " (values, indices)", [along, rows] { return along(rows(), 1); },
            all({equals(specials().get(reduce_key + ".values"), special_tolerance(dt), 0),
                 equals(specials().get(reduce_key + ".indices"), {}, 1)}));
      const std::string full_key = "full." + s.op() + "." + dt;
      if (full && specials().has(full_key))
        s.gives(
            "nan/inf", full_key, [full, rows] { return full(rows()); },
            equals(specials().get(full_key), special_tolerance(dt)));
    }
  };
}

// Matrix products: wrong ranks, inner sizes that differ, empty inner/outer dims, NaN and Inf * 0 in a product.
Entry matrix_product(BinaryFn f, std::set<int64_t> ok_ranks, std::vector<int64_t> a, std::vector<int64_t> b) {
  return [=](Sweep& s) {
    s.dtypes([=](ScalarType t) { return outs(f(wave(a, t), wave(b, t))); });
    s.undefined({wave(a), wave(b)}, [f](const Tensors& in) { return outs(f(in[0], in[1])); });
    s.bad_ranks(ok_ranks, [f, b](const Tensor& x) { return outs(f(x, wave(b))); });
    s.bad_ranks(ok_ranks, [f, a](const Tensor& y) { return outs(f(wave(a), y)); });
    std::vector<int64_t> b_wrong = b;
    b_wrong[b.size() >= 2 ? b.size() - 2 : 0] += 1;  // inner size off by one
    s.rejects("shape", shape_str(a) + " with " + shape_str(b_wrong), [=] { return outs(f(wave(a), wave(b_wrong))); });
    // Inner size 0: the sum over nothing is 0 (PyTorch fills zeros).
    std::vector<int64_t> a0 = a, b0 = b;
    a0.back() = 0;
    b0[b.size() >= 2 ? b.size() - 2 : 0] = 0;
    s.gives(
        "empty", "inner size 0", [=] { return outs(f(wave(a0), wave(b0))); }, pytorch(s.op() + ".inner_size_0"));
    // A NaN anywhere in a row of `a` and an Inf against a 0 give NaN (no zero-skipping shortcut).
    s.gives(
        "nan/inf", "NaN and Inf * 0 in a product",
        [=] {
          Tensor x = ones(a), y = zeros(b);
          x.view({-1})[0] = kNaN;
          x.view({-1})[x.numel() - 1] = kInf;
          return outs(f(x, y));
        },
        pytorch(s.op() + ".nan_inf_times_0"));
  };
}

// Convolution and pooling: wrong ranks, dtypes, an empty batch (PyTorch returns an empty batch) and NaN.
Entry spatial(UnaryFn f, std::set<int64_t> ok_ranks, std::vector<int64_t> x_shape, std::vector<int64_t> out_shape,
              std::vector<std::pair<std::string, std::function<Tensor()>>> bad_args) {
  return [=](Sweep& s) {
    s.dtypes([=](ScalarType t) { return outs(f(wave(x_shape, t))); });
    s.undefined({wave(x_shape)}, [f](const Tensors& in) { return outs(f(in[0])); });
    s.bad_ranks(ok_ranks, [f](const Tensor& x) { return outs(f(x)); });
    std::vector<int64_t> empty_in = x_shape, empty_out = out_shape;
    empty_in[0] = empty_out[0] = 0;
    s.gives(
        "empty", "batch of 0", [=] { return outs(f(wave(empty_in))); }, shape_is(empty_out));
    s.gives(
        "nan/inf", "NaN input",
        [=] {
          Tensor x = wave(x_shape);
          x.fill_(kNaN);
          return outs(f(x));
        },
        pytorch(s.op() + ".nan_input"));
    for (const auto& [input, call] : bad_args) s.rejects("argument", input, [call = call] { return outs(call()); });
  };
}

// Creation ops with a size list: negative sizes and sizes whose element count overflows int64.
Entry sized(std::function<Tensor(IntArrayRef, ScalarType)> f) {
  return [f](Sweep& s) {
    s.dtypes([f](ScalarType t) { return outs(f({2, 3}, t)); });
    for (std::vector<int64_t> size : {std::vector<int64_t>{-1},
                                      {2, -3},
                                      {kMinI64},
                                      {kMaxI64, kMaxI64},
                                      {int64_t(1) << 32, int64_t(1) << 32},
                                      {kMaxI64, 0, -1}})
      s.rejects("size", shape_str(size), [f, size] { return outs(f(size, kFloat)); });
    for (std::vector<int64_t> size : {std::vector<int64_t>{0}, {3, 0}, {0, kMaxI64}})
      s.gives(
          "empty", shape_str(size), [f, size] { return outs(f(size, kFloat)); }, shape_is(size));
  };
}

// ---- the table ------------------------------------------------------------------------------------------------
#define UNARY(op, ...)                                      \
  {                                                         \
#op, unary([](const Tensor& x) { return __VA_ARGS__; }) \
  }
#define BINARY(op, ...)                                                       \
  {                                                                           \
#op, binary([](const Tensor& a, const Tensor& b) { return __VA_ARGS__; }) \
  }

const std::map<std::string, Entry>& sweep_table() {
  static const std::map<std::string, Entry> table = {
      // ---- creation
      {"empty", sized([](IntArrayRef s, ScalarType t) { return empty(s, dtype(t)); })},
      {"zeros", sized([](IntArrayRef s, ScalarType t) { return zeros(s, dtype(t)); })},
      {"ones", sized([](IntArrayRef s, ScalarType t) { return ones(s, dtype(t)); })},
      {"full", sized([](IntArrayRef s, ScalarType t) { return full(s, 1, dtype(t)); })},
      {"rand", sized([](IntArrayRef s, ScalarType t) { return rand(s, dtype(t)); })},
      {"randn", sized([](IntArrayRef s, ScalarType t) { return randn(s, dtype(t)); })},
      {"randint", [](Sweep& s) {
         sized([](IntArrayRef size, ScalarType t) { return randint(0, 5, size, dtype(t)); })(s);
         s.rejects("argument", "low == high", [] { return outs(randint(3, 3, {2})); });
         s.rejects("argument", "low > high", [] { return outs(randint(5, -5, {2})); });
         s.rejects("argument", "high beyond uint8", [] { return outs(randint(0, 300, {2}, dtype(kUInt8))); });
       }},
      {"arange", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(arange(0, 4, 1, dtype(t))); });
         s.rejects("argument", "step 0", [] { return outs(arange(0, 4, 0)); });
         s.rejects("argument", "step against the direction", [] { return outs(arange(0, 4, -1)); });
         s.rejects("nan/inf", "NaN end", [] { return outs(arange(0.0, kNaN, 1.0)); });
         s.rejects("nan/inf", "infinite end", [] { return outs(arange(0.0, kInf, 1.0)); });
         s.rejects("nan/inf", "NaN step", [] { return outs(arange(0.0, 1.0, kNaN)); });
         s.rejects("size", "more than int64 elements", [] { return outs(arange(0.0, 1e300, 1e-300)); });
         s.gives("empty", "start == end", [] { return outs(arange(3, 3)); }, shape_is({0}));
       }},
      {"linspace", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(linspace(0, 4, 5, dtype(t))); });
         s.rejects("size", "steps -1", [] { return outs(linspace(0, 1, -1)); });
         s.rejects("size", "steps int64 min", [] { return outs(linspace(0, 1, kMinI64)); });
         s.gives("empty", "steps 0", [] { return outs(linspace(0, 1, 0)); }, shape_is({0}));
         s.gives("nan/inf", "NaN start", [] { return outs(linspace(kNaN, 1, 3, dtype(kDouble))); },
                 pytorch("linspace.nan_start"));
       }},
      {"eye", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(eye(3, dtype(t))); });
         s.rejects("size", "n -1", [] { return outs(eye(-1)); });
         s.rejects("size", "m -2", [] { return outs(eye(2, -2)); });
         s.rejects("size", "n * m overflows", [] { return outs(eye(kMaxI64, kMaxI64)); });
         s.gives("empty", "0 x 3", [] { return outs(eye(0, 3)); }, shape_is({0, 3}));
       }},
      {"tensor", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(tensor({1.f, 0.f}, dtype(t))); });
         s.rejects("shape", "ragged rows", [] { return outs(tensor({{1.f, 2.f}, {3.f}})); });
         s.rejects("shape", "ragged first row", [] { return outs(tensor({{1}, {2, 3}})); });
         s.gives("empty", "no values", [] { return outs(tensor(std::vector<float>{})); }, shape_is({0}));
         s.gives("nan/inf", "NaN and Inf kept", [] { return outs(tensor({kNaN, kInf, -kInf})); },
                 pytorch("tensor.nan_inf"));
       }},
      {"from_blob", [](Sweep& s) {
         static float data[6] = {1, 2, 3, 4, 5, 6};
         s.dtypes([](ScalarType t) { return outs(from_blob(data, {1}, dtype(t))); });
         // Options passed as a temporary once chose the deleter overload (and failed to compile).
         s.gives("supported dtype", "dtype(kInt32) as a temporary", [] { return outs(from_blob(data, {2}, dtype(kInt32))); },
                 [](const Tensors& o) { CHECK(o[0].dtype() == kInt32); });
         s.rejects("argument", "null data", [] { return outs(from_blob(nullptr, {3})); });
         s.rejects("size", "negative size", [] { return outs(from_blob(data, {-2})); });
         s.rejects("size", "strides of another rank", [] { return outs(from_blob(data, {2, 3}, {1})); });
         s.rejects("size", "negative stride", [] { return outs(from_blob(data, {2}, {-1})); });
       }},
      {"randperm", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(randperm(4, dtype(t))); });
         s.rejects("size", "n -1", [] { return outs(randperm(-1)); });
         s.rejects("size", "n beyond uint8", [] { return outs(randperm(300, dtype(kUInt8))); });
         s.gives("empty", "n 0", [] { return outs(randperm(0)); }, shape_is({0}));
       }},
      {"bernoulli", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(bernoulli(full({3}, 0.5).to(t))); });
         s.undefined({full({2}, 0.5)}, [](const Tensors& in) { return outs(bernoulli(in[0])); });
         s.rejects("argument", "p = 1.5", [] { return outs(bernoulli(full({3}, 1.5))); });
         s.rejects("argument", "p = -0.5", [] { return outs(bernoulli(full({3}, -0.5))); });
         s.rejects("nan/inf", "p = NaN", [] { return outs(bernoulli(full({3}, kNaN))); });
         s.gives("empty", "[0]", [] { return outs(bernoulli(full({0}, 0.5))); }, shape_is({0}));
       }},
      // ---- conversion
      {"contiguous", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).t().contiguous()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().contiguous()); });
         s.gives("empty", "[0, 3] transposed", [] { return outs(wave({0, 3}).t().contiguous()); }, shape_is({3, 0}));
       }},
      {"clone", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).clone()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().clone()); });
         s.gives("empty", "[2, 0]", [] { return outs(wave({2, 0}).clone()); }, shape_is({2, 0}));
         s.gives("nan/inf", "NaN payload kept", [] { return outs(tensor({kNaN, -kInf}).clone()); },
                 pytorch("clone.nan_inf"));
       }},
      {"to", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}).to(t)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().to(kDouble)); });
         s.rejects("argument", "CUDA device 99", [] { return outs(ones({2}).to(Device(kCUDA, 99))); });
         s.gives("empty", "[0] to int64", [] { return outs(wave({0}).to(kInt64)); }, shape_is({0}));
         s.gives("nan/inf", "NaN and Inf to float16",
                 [] { return outs(tensor({kNaN, kInf, -kInf, 1e5}, dtype(kDouble)).to(kHalf)); },
                 pytorch("to.nan_inf_to_float16"));  // 1e5 overflows float16 to inf
         s.gives("nan/inf", "NaN to bool is true", [] { return outs(tensor({kNaN, 0.0, -0.0}).to(kBool)); },
                 pytorch("to.nan_to_bool"));
       }},
      {"copy_", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(zeros({2, 3}, dtype(t)).copy_(wave({3}))); });
         s.undefined({zeros({2}), ones({2})}, [](const Tensors& in) { return outs(in[0].copy_(in[1])); });
         s.rejects("shape", "[4] into [2, 3]", [] { return outs(zeros({2, 3}).copy_(ones({4}))); });
         s.rejects("shape", "[2, 3] into [3]", [] { return outs(zeros({3}).copy_(ones({2, 3}))); });
         s.rejects("shape", "[3] into [0]", [] { return outs(zeros({0}).copy_(ones({3}))); });
         s.gives("empty", "[0] into [0]", [] { return outs(zeros({0}).copy_(ones({0}))); }, shape_is({0}));
         s.gives("empty", "[1] into [2, 0]", [] { return outs(zeros({2, 0}).copy_(ones({1}))); }, shape_is({2, 0}));
       }},
      // ---- unary
      UNARY(neg, neg(x)),
      UNARY(abs, abs(x)),
      UNARY(sign, sign(x)),
      UNARY(exp, exp(x)),
      UNARY(log, log(x)),
      UNARY(log1p, log1p(x)),
      UNARY(expm1, expm1(x)),
      UNARY(sqrt, sqrt(x)),
      UNARY(rsqrt, rsqrt(x)),
      UNARY(reciprocal, reciprocal(x)),
      UNARY(square, square(x)),
      UNARY(sin, sin(x)),
      UNARY(cos, cos(x)),
      UNARY(tanh, tanh(x)),
      UNARY(sigmoid, sigmoid(x)),
      UNARY(erf, erf(x)),
      UNARY(relu, relu(x)),
      UNARY(gelu, gelu(x)),
      UNARY(silu, silu(x)),
      UNARY(softplus, softplus(x)),
      UNARY(leaky_relu, leaky_relu(x)),
      UNARY(elu, elu(x)),
      // uint8 takes only limits >= 0 (checked below): the sweep's uint8 call clamps to [0, 1]
      {"hardtanh", [](Sweep& s) {
         unary([](const Tensor& x) { return hardtanh(x, x.defined() && x.dtype() == kUInt8 ? 0 : -1, 1); })(s);
         s.rejects("argument", "uint8 with min_val -1", [] { return outs(hardtanh(wave({3}, kUInt8))); });
         s.rejects("argument", "NaN min_val", [] { return outs(hardtanh(wave({3}), kNaN, 1)); });
         s.rejects("argument", "NaN max_val", [] { return outs(hardtanh(wave({3}), -1, kNaN)); });
       }},
      UNARY(relu6, relu6(x)),
      UNARY(floor, floor(x)),
      UNARY(ceil, ceil(x)),
      UNARY(round, round(x)),
      UNARY(trunc, trunc(x)),
      UNARY(clamp, clamp(x, -1.0, 2.0)),
      UNARY(logical_not, logical_not(x)),
      UNARY(isnan, isnan(x)),
      UNARY(isinf, isinf(x)),
      UNARY(isfinite, isfinite(x)),
      // ---- binary
      BINARY(add, add(a, b)),
      BINARY(sub, sub(a, b)),
      BINARY(mul, mul(a, b)),
      BINARY(div, div(a, b)),
      // PyTorch too throws for an integer remainder by 0 and an integer to a negative power, so integer
      // divisors and exponents are kept positive here; floating ones keep their zeros and signs.
      BINARY(remainder, remainder(a, positive_if_integral(b))),
      BINARY(pow, pow(a, positive_if_integral(b))),
      BINARY(maximum, maximum(a, b)),
      BINARY(minimum, minimum(a, b)),
      BINARY(atan2, atan2(a, b)),
      BINARY(lerp, lerp(a, b, 0.25)),
      BINARY(eq, eq(a, b)),
      BINARY(ne, ne(a, b)),
      BINARY(lt, lt(a, b)),
      BINARY(le, le(a, b)),
      BINARY(gt, gt(a, b)),
      BINARY(ge, ge(a, b)),
      BINARY(logical_and, logical_and(a, b)),
      BINARY(logical_or, logical_or(a, b)),
      BINARY(logical_xor, logical_xor(a, b)),
      {"where", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(where(wave({3}).gt(0), wave({2, 3}, t), wave({3}, t))); });
         s.undefined({wave({2}).gt(0), wave({2}), wave({2})},
                     [](const Tensors& in) { return outs(where(in[0], in[1], in[2])); });
         s.rejects("dtype", "float condition", [] { return outs(where(ones({2}), ones({2}), ones({2}))); });
         s.rejects("shape", "condition [4] with [3]", [] { return outs(where(ones({4}, dtype(kBool)), ones({3}), ones({3}))); });
         s.rejects("shape", "[2] with [3]", [] { return outs(where(ones({3}, dtype(kBool)), ones({2}), ones({3}))); });
         s.gives("empty", "[0]", [] { return outs(where(ones({0}, dtype(kBool)), ones({0}), ones({1}))); }, shape_is({0}));
         s.gives("nan/inf", "NaN not chosen does not leak",
                 [] { return outs(where(tensor({true, false}), tensor({1.0, kNaN}), tensor({kNaN, kInf}))); },
                 pytorch("where.nan_not_chosen"));
       }},
      {"masked_fill", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).masked_fill(wave({3}).gt(0), 1)); });
         s.undefined({wave({2}), wave({2}).gt(0)}, [](const Tensors& in) { return outs(in[0].masked_fill(in[1], 0)); });
         s.rejects("dtype", "float mask", [] { return outs(ones({2}).masked_fill(ones({2}), 1.0)); });
         s.rejects("shape", "mask [3] on [2]", [] { return outs(ones({2}).masked_fill(ones({3}, dtype(kBool)), 1.0)); });
         s.rejects("shape", "mask [2, 2] on [2]", [] { return outs(ones({2}).masked_fill(ones({2, 2}, dtype(kBool)), 1.0)); });
         s.rejects("shape", "value of 2 elements", [] { return outs(ones({2}).masked_fill(ones({2}, dtype(kBool)), ones({2}))); });
         s.gives("empty", "[0]", [] { return outs(ones({0}).masked_fill(ones({0}, dtype(kBool)), 1.0)); }, shape_is({0}));
         s.gives("nan/inf", "fill NaN", [] { return outs(ones({2}).masked_fill(tensor({true, false}), kNaN)); },
                 pytorch("masked_fill.nan"));
       }},
      // ---- reductions
      {"sum", reduction([](const Tensor& x) { return outs(x.sum()); },
                        [](const Tensor& x, int64_t d) { return outs(x.sum({d})); }, kIdentity)},
      {"mean", reduction([](const Tensor& x) { return outs(x.mean()); },
                         [](const Tensor& x, int64_t d) { return outs(x.mean({d})); }, kIdentity)},
      {"prod", reduction([](const Tensor& x) { return outs(x.prod()); },
                         [](const Tensor& x, int64_t d) { return outs(x.prod(d)); }, kIdentity)},
      {"max", reduction([](const Tensor& x) { return outs(x.max()); },
                        [](const Tensor& x, int64_t d) { return outs(x.max(d)); }, kNoIdentity)},
      {"min", reduction([](const Tensor& x) { return outs(x.min()); },
                        [](const Tensor& x, int64_t d) { return outs(x.min(d)); }, kNoIdentity)},
      {"amax", reduction([](const Tensor& x) { return outs(x.amax()); },
                         [](const Tensor& x, int64_t d) { return outs(x.amax({d})); }, kNoIdentity)},
      {"amin", reduction([](const Tensor& x) { return outs(x.amin()); },
                         [](const Tensor& x, int64_t d) { return outs(x.amin({d})); }, kNoIdentity)},
      {"argmax", reduction([](const Tensor& x) { return outs(x.argmax()); },
                           [](const Tensor& x, int64_t d) { return outs(x.argmax(d)); }, kNoIdentity)},
      {"argmin", reduction([](const Tensor& x) { return outs(x.argmin()); },
                           [](const Tensor& x, int64_t d) { return outs(x.argmin(d)); }, kNoIdentity)},
      {"var", reduction([](const Tensor& x) { return outs(x.var()); },
                        [](const Tensor& x, int64_t d) { return outs(x.var({d})); }, kIdentity)},
      {"std", reduction([](const Tensor& x) { return outs(x.std()); },
                        [](const Tensor& x, int64_t d) { return outs(x.std({d})); }, kIdentity)},
      {"norm", reduction([](const Tensor& x) { return outs(x.norm()); },
                         [](const Tensor& x, int64_t d) { return outs(x.norm(2, {d})); }, kIdentity)},
      {"logsumexp", reduction(nullptr, [](const Tensor& x, int64_t d) { return outs(x.logsumexp({d})); },
                              kIdentity)},
      {"all", reduction([](const Tensor& x) { return outs(x.all()); },
                        [](const Tensor& x, int64_t d) { return outs(x.all(d)); }, kIdentity)},
      {"any", reduction([](const Tensor& x) { return outs(x.any()); },
                        [](const Tensor& x, int64_t d) { return outs(x.any(d)); }, kIdentity)},
      {"softmax", reduction(nullptr, [](const Tensor& x, int64_t d) { return outs(x.softmax(d)); }, kSameShape)},
      {"log_softmax",
       reduction(nullptr, [](const Tensor& x, int64_t d) { return outs(x.log_softmax(d)); }, kSameShape)},
      {"cumsum", [](Sweep& s) {
         reduction(nullptr, [](const Tensor& x, int64_t d) { return outs(x.cumsum(d)); }, kSameShape)(s);
         s.rejects("dtype", "dtype=bool", [] { return outs(wave({3}).cumsum(0, kBool)); });
       }},
      {"sort", [](Sweep& s) {
         reduction(nullptr, [](const Tensor& x, int64_t d) { return outs(x.sort(d)); }, kSameShape)(s);
         for (const char* dt : kSpecialDtypes) {
           const std::string key = std::string("reduce.sort_descending.") + dt;
           s.gives("nan/inf", key + " (values, indices)",
                   [dt] { return outs(specials().get("R").to(testing::dtype_from_name(dt)).sort(1, true)); },
                   all({equals(specials().get(key + ".values"), special_tolerance(dt), 0),
                        equals(specials().get(key + ".indices"), {}, 1)}));
         }
       }},
      {"topk", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).topk(2, 1)); });
         s.undefined({wave({2})}, [](const Tensors& in) { return outs(in[0].topk(1)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).topk(1, d)); });
         for (int64_t k : {int64_t(4), int64_t(-1), kMaxI64, kMinI64})
           s.rejects("argument", "k " + std::to_string(k) + " of a dim of 3",
                     [k] { return outs(wave({2, 3}).topk(k, 1)); });
         s.rejects("empty", "k 1 of a dim of 0", [] { return outs(wave({3, 0}).topk(1, 1)); });
         s.gives("empty", "k 0 of a dim of 0", [] { return outs(wave({3, 0}).topk(0, 1)); }, shape_is({3, 0}));
         s.gives("empty", "k 2 along a full dim of [0, 3]", [] { return outs(wave({0, 3}).topk(2, 1)); },
                 shape_is({0, 2}));
         s.gives("high rank", "0-d, k 1", [] { return outs(wave({}).topk(1)); }, shape_is({}));
         for (const char* dt : kSpecialDtypes) {
           const std::string key = std::string("reduce.topk.") + dt;
           s.gives("nan/inf", key,
                   [dt] { return outs(specials().get("R").to(testing::dtype_from_name(dt)).topk(2, 1)); },
                   equals(specials().get(key + ".values"), special_tolerance(dt)));
         }
       }},
      // ---- linear algebra
      {"matmul", matrix_product([](const Tensor& a, const Tensor& b) { return matmul(a, b); }, {1, 2, 3, 4, 5},
                                {2, 3}, {3, 4})},
      {"mm", matrix_product([](const Tensor& a, const Tensor& b) { return mm(a, b); }, {2}, {2, 3}, {3, 4})},
      {"bmm", matrix_product([](const Tensor& a, const Tensor& b) { return bmm(a, b); }, {3}, {2, 2, 3}, {2, 3, 4})},
      {"addmm", matrix_product([](const Tensor& a, const Tensor& b) { return addmm(zeros({4}, a.options()), a, b); },
                               {2}, {2, 3}, {3, 4})},
      {"einsum", matrix_product([](const Tensor& a, const Tensor& b) { return einsum("ij,jk->ik", {a, b}); }, {2},
                                {2, 3}, {3, 4})},
      {"linear", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(linear(wave({2, 3}, t), wave({4, 3}, t), wave({4}, t))); });
         s.undefined({wave({2, 3}), wave({4, 3})}, [](const Tensors& in) { return outs(linear(in[0], in[1])); });
         s.bad_ranks({1, 2, 3, 4, 5}, [](const Tensor& x) { return outs(linear(x, wave({4, 3}))); });
         s.bad_ranks({1, 2}, [](const Tensor& w) { return outs(linear(wave({2, 3}), w)); });
         s.rejects("shape", "in_features 3 != 4", [] { return outs(linear(wave({2, 3}), wave({5, 4}))); });
         s.rejects("shape", "bias of 3 for 4 outputs", [] { return outs(linear(wave({2, 3}), wave({4, 3}), wave({3}))); });
         s.gives("empty", "batch of 0", [] { return outs(linear(wave({0, 3}), wave({4, 3}), wave({4}))); },
                 shape_is({0, 4}));
         s.gives("empty", "in_features 0: the bias", [] { return outs(linear(wave({2, 0}), wave({4, 0}), ones({4}))); },
                 pytorch("linear.in_features_0"));
         s.gives("nan/inf", "Inf * 0", [] { return outs(linear(tensor({{kInf, 1.0}}), tensor({{0.0, 1.0}}))); },
                 pytorch("linear.inf_times_0"));
       }},
      {"outer", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(outer(wave({2}, t), wave({3}, t))); });
         s.undefined({wave({2}), wave({3})}, [](const Tensors& in) { return outs(outer(in[0], in[1])); });
         s.bad_ranks({1}, [](const Tensor& x) { return outs(outer(x, wave({3}))); });
         s.gives("empty", "[0] with [3]", [] { return outs(outer(wave({0}), wave({3}))); }, shape_is({0, 3}));
         s.gives("nan/inf", "Inf * 0", [] { return outs(outer(tensor({kInf}), tensor({0.f, 1.f}))); },
                 pytorch("outer.inf_times_0"));
       }},
      {"dot", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(dot(wave({3}, t), wave({3}, t))); });
         s.undefined({wave({2}), wave({2})}, [](const Tensors& in) { return outs(dot(in[0], in[1])); });
         s.bad_ranks({1}, [](const Tensor& x) { return outs(dot(x, wave({2}))); });
         s.rejects("shape", "[2] with [3]", [] { return outs(dot(wave({2}), wave({3}))); });
         s.gives("empty", "[0] with [0]", [] { return outs(dot(wave({0}), wave({0}))); }, pytorch("dot.empty"));
         s.gives("nan/inf", "Inf * 0", [] { return outs(dot(tensor({kInf, 1.f}), tensor({0.f, 1.f}))); },
                 pytorch("dot.inf_times_0"));
       }},
      // ---- shape and views
      {"view", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).view({3, 2})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().view({1})); });
         s.rejects("shape", "[2, 3] as [4]", [] { return outs(wave({2, 3}).view({4})); });
         s.rejects("shape", "two -1", [] { return outs(wave({2, 3}).view({-1, -1})); });
         s.rejects("shape", "-2", [] { return outs(wave({2, 3}).view({-2, -3})); });
         s.rejects("shape", "non-contiguous", [] { return outs(wave({2, 3}).t().view({6})); });
         s.rejects("shape", "-1 with a 0", [] { return outs(wave({0, 3}).view({0, -1})); });
         s.gives("empty", "[0, 3] as [3, 0]", [] { return outs(wave({0, 3}).view({3, 0})); }, shape_is({3, 0}));
       }},
      {"reshape", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).reshape({3, 2})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().reshape({1})); });
         s.rejects("shape", "[2, 3] as [4, -1]", [] { return outs(wave({2, 3}).reshape({4, -1})); });
         s.rejects("shape", "size overflowing int64", [] { return outs(wave({2, 3}).reshape({kMaxI64, 2})); });
         s.rejects("shape", "two -1", [] { return outs(wave({2, 3}).reshape({-1, -1})); });
         s.gives("empty", "[0] as [0, 5]", [] { return outs(wave({0}).reshape({0, 5})); }, shape_is({0, 5}));
       }},
      {"flatten", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).flatten()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().flatten()); });
         s.bad_dims(3, [](int64_t d) { return outs(wave({2, 3, 4}).flatten(d, -1)); });
         s.bad_dims(3, [](int64_t d) { return outs(wave({2, 3, 4}).flatten(0, d)); });
         s.rejects("dim", "start after end", [] { return outs(wave({2, 3, 4}).flatten(2, 1)); });
         s.gives("empty", "[2, 0, 3]", [] { return outs(wave({2, 0, 3}).flatten(1)); }, shape_is({2, 0}));
       }},
      {"unflatten", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({6}, t).unflatten(0, {2, 3})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().unflatten(0, {1})); });
         s.bad_dims(1, [](int64_t d) { return outs(wave({6}).unflatten(d, {2, 3})); });
         s.rejects("shape", "sizes of another product", [] { return outs(wave({6}).unflatten(0, {4, 2})); });
         s.rejects("shape", "two -1", [] { return outs(wave({6}).unflatten(0, {-1, -1})); });
         s.rejects("shape", "no sizes", [] { return outs(wave({6}).unflatten(0, {})); });
         s.gives("empty", "[0] as [0, 4]", [] { return outs(wave({0}).unflatten(0, {0, 4})); }, shape_is({0, 4}));
       }},
      {"squeeze", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 1}, t).squeeze()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().squeeze()); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 1}).squeeze(d)); });
         s.gives("empty", "[0, 1]", [] { return outs(wave({0, 1}).squeeze()); }, shape_is({0}));
       }},
      {"unsqueeze", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2}, t).unsqueeze(0)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().unsqueeze(0)); });
         // unsqueeze accepts dims in [-rank - 1, rank].
         s.bad_dims(3, [](int64_t d) { return outs(wave({2, 3}).unsqueeze(d)); });
         s.gives("empty", "[0] at dim 1", [] { return outs(wave({0}).unsqueeze(1)); }, shape_is({0, 1}));
       }},
      {"permute", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).permute({1, 0})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().permute({0})); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).permute({0, d})); });
         s.rejects("dim", "repeated dim", [] { return outs(wave({2, 3}).permute({1, 1})); });
         s.rejects("rank", "too few dims", [] { return outs(wave({2, 3}).permute({0})); });
         s.rejects("rank", "too many dims", [] { return outs(wave({2, 3}).permute({0, 1, 2})); });
         s.gives("empty", "[0, 3]", [] { return outs(wave({0, 3}).permute({1, 0})); }, shape_is({3, 0}));
       }},
      {"transpose", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).transpose(0, 1)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().transpose(0, 1)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).transpose(0, d)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).transpose(d, 0)); });
         s.gives("empty", "[0, 3]", [] { return outs(wave({0, 3}).transpose(0, 1)); }, shape_is({3, 0}));
       }},
      {"t", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).t()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().t()); });
         s.bad_ranks({0, 1, 2}, [](const Tensor& x) { return outs(x.t()); });
         s.gives("empty", "[0, 3]", [] { return outs(wave({0, 3}).t()); }, shape_is({3, 0}));
       }},
      {"expand", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({1, 3}, t).expand({2, 3})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().expand({2})); });
         s.rejects("shape", "[2, 3] to [4, 3]", [] { return outs(wave({2, 3}).expand({4, 3})); });
         s.rejects("rank", "fewer dims", [] { return outs(wave({2, 3}).expand({3})); });
         s.rejects("shape", "-1 for a new leading dim", [] { return outs(wave({3}).expand({-1, 3})); });
         s.rejects("shape", "negative size", [] { return outs(wave({1}).expand({-2})); });
         s.gives("empty", "[1] to [0]", [] { return outs(wave({1}).expand({0})); }, shape_is({0}));
       }},
      {"repeat", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2}, t).repeat({2})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().repeat({2})); });
         s.rejects("rank", "fewer repeats than dims", [] { return outs(wave({2, 3}).repeat({2})); });
         s.rejects("argument", "negative repeat", [] { return outs(wave({2}).repeat({-1})); });
         s.rejects("size", "repeat overflowing int64", [] { return outs(wave({2}).repeat({kMaxI64})); });
         s.gives("empty", "repeat 0", [] { return outs(wave({2}).repeat({0, 3})); }, shape_is({0, 6}));
       }},
      {"cat", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(cat({wave({2}, t), wave({3}, t)})); });
         s.undefined({wave({2}), wave({2})}, [](const Tensors& in) { return outs(cat(in)); });
         s.rejects("argument", "no tensors", [] { return outs(cat({})); });
         s.bad_dims(2, [](int64_t d) { return outs(cat({wave({2, 3}), wave({2, 3})}, d)); });
         s.rejects("shape", "[2, 3] with [2, 4] on dim 0", [] { return outs(cat({wave({2, 3}), wave({2, 4})}, 0)); });
         s.rejects("rank", "[2, 3] with [2]", [] { return outs(cat({wave({2, 3}), wave({2})}, 0)); });
         s.rejects("rank", "0-d", [] { return outs(cat({wave({}), wave({})})); });
         // PyTorch still skips 1-D empty tensors in cat (legacy behaviour).
         s.gives("empty", "[0] with [2, 3]", [] { return outs(cat({wave({0}), wave({2, 3})})); }, shape_is({2, 3}));
         s.gives("empty", "[2, 0] with [2, 3] on dim 1", [] { return outs(cat({wave({2, 0}), wave({2, 3})}, 1)); },
                 shape_is({2, 3}));
       }},
      {"stack", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(stack({wave({2}, t), wave({2}, t)})); });
         s.undefined({wave({2}), wave({2})}, [](const Tensors& in) { return outs(stack(in)); });
         s.rejects("argument", "no tensors", [] { return outs(stack({})); });
         s.bad_dims(3, [](int64_t d) { return outs(stack({wave({2, 3}), wave({2, 3})}, d)); });
         s.rejects("shape", "[2] with [3]", [] { return outs(stack({wave({2}), wave({3})})); });
         s.gives("empty", "two [0]", [] { return outs(stack({wave({0}), wave({0})}, 1)); }, shape_is({0, 2}));
       }},
      {"split", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).split(2)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().split(2)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).split(1, d)); });
         s.rejects("argument", "split size -1", [] { return outs(wave({4}).split(-1)); });
         s.rejects("argument", "sizes summing to 4 of 5", [] { return outs(wave({5}).split(IntArrayRef({2, 2}))); });
         s.rejects("argument", "negative size", [] { return outs(wave({1}).split(IntArrayRef({2, -1}))); });
         s.rejects("rank", "0-d", [] { return outs(wave({}).split(1)); });
         s.gives("empty", "[0] by 2", [] { return outs(wave({0}).split(2)); },
                 [](const Tensors& o) { CHECK((o.size() == 1 && o[0].numel() == 0)); });
       }},
      {"chunk", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).chunk(2)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().chunk(2)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).chunk(2, d)); });
         s.rejects("argument", "0 chunks", [] { return outs(wave({4}).chunk(0)); });
         s.rejects("argument", "-1 chunks", [] { return outs(wave({4}).chunk(-1)); });
         s.gives("empty", "[0] in 2", [] { return outs(wave({0}).chunk(2)); },
                 [](const Tensors& o) { CHECK((o.size() >= 1 && o[0].numel() == 0)); });
       }},
      {"unbind", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).unbind()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().unbind()); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).unbind(d)); });
         s.rejects("rank", "0-d", [] { return outs(wave({}).unbind()); });
         s.gives("empty", "[0, 3]", [] { return outs(wave({0, 3}).unbind()); },
                 [](const Tensors& o) { CHECK(o.empty()); });
       }},
      {"narrow", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).narrow(0, 1, 2)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().narrow(0, 0, 1)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).narrow(d, 0, 1)); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).narrow(1, i, 1)); });
         s.rejects("index", "length past the end", [] { return outs(wave({5}).narrow(0, 3, 4)); });
         s.rejects("index", "negative length", [] { return outs(wave({5}).narrow(0, 1, -1)); });
         s.rejects("index", "length int64 max", [] { return outs(wave({5}).narrow(0, 1, kMaxI64)); });
         s.gives("empty", "length 0 at the end", [] { return outs(wave({5}).narrow(0, 5, 0)); }, shape_is({0}));
       }},
      {"select", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).select(0, 1)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().select(0, 0)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).select(d, 0)); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).select(1, i)); });
         s.rejects("rank", "0-d", [] { return outs(wave({}).select(0, 0)); });
         s.rejects("empty", "[0, 3] index 0", [] { return outs(wave({0, 3}).select(0, 0)); });
         s.gives("empty", "[3, 0] index 2", [] { return outs(wave({3, 0}).select(0, 2)); }, shape_is({0}));
       }},
      {"slice", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).slice(0, 1, 3)); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().slice(0, 0, 1)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).slice(d, 0, 1)); });
         s.rejects("argument", "step 0", [] { return outs(wave({5}).slice(0, 0, 3, 0)); });
         s.rejects("argument", "step -1", [] { return outs(wave({5}).slice(0, 3, 0, -1)); });
         // Out-of-range bounds clamp, as in Python slicing.
         for (int64_t start : {int64_t(5), int64_t(100), kMaxI64, int64_t(-100), kMinI64})
           s.gives("index", "start " + std::to_string(start), [start] { return outs(wave({5}).slice(0, start, kMaxI64)); },
                   shape_is({start < 0 ? 5 : 0}));
         s.gives("index", "end before start", [] { return outs(wave({5}).slice(0, 3, 1)); }, shape_is({0}));
         s.gives("index", "end int64 min", [] { return outs(wave({5}).slice(0, 0, kMinI64)); }, shape_is({0}));
         s.gives("empty", "of [0]", [] { return outs(wave({0}).slice(0, 0, 2)); }, shape_is({0}));
       }},
      {"diagonal", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({3, 4}, t).diagonal()); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().diagonal()); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).diagonal(0, d, 0)); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).diagonal(0, 1, d)); });
         s.bad_ranks({2, 3, 4, 5}, [](const Tensor& x) { return outs(x.diagonal()); });
         s.rejects("dim", "dim1 == dim2 (1 and -1 of rank 2)", [] { return outs(wave({3, 3}).diagonal(0, 1, -1)); });
         // An offset past either edge is an empty diagonal, as in PyTorch, and must not overflow.
         s.gives("index", "offset int64 max", [] { return outs(wave({3, 4}).diagonal(kMaxI64)); }, shape_is({0}));
         s.gives("index", "offset int64 min", [] { return outs(wave({3, 4}).diagonal(kMinI64)); }, shape_is({0}));
         s.gives("empty", "[0, 3]", [] { return outs(wave({0, 3}).diagonal(1)); }, shape_is({0}));
         s.gives("nan/inf", "NaN on the diagonal", [] { return outs(full({2, 2}, kNaN).diagonal()); },
                 pytorch("diagonal.nan"));
       }},
      {"flip", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({4}, t).flip({0})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().flip({0})); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).flip({d})); });
         s.rejects("dim", "repeated dim", [] { return outs(wave({2, 3}).flip({1, -1})); });
         s.gives("empty", "[0, 2]", [] { return outs(wave({0, 2}).flip({0, 1})); }, shape_is({0, 2}));
       }},
      {"tril", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(tril(wave({3, 3}, t))); });
         s.undefined({wave({2, 2})}, [](const Tensors& in) { return outs(tril(in[0])); });
         s.bad_ranks({2, 3, 4, 5}, [](const Tensor& x) { return outs(tril(x)); });
         s.gives("empty", "[0, 3]", [] { return outs(tril(wave({0, 3}))); }, shape_is({0, 3}));
         s.gives("index", "diagonal int64 min", [] { return outs(tril(ones({2, 2}), kMinI64)); },
                 pytorch("tril.diagonal_int64_min"));
         // PyTorch 1.13 overflows here (pytorch/pytorch#153240): the reference is its result at diagonal 2^62.
         s.gives("index", "diagonal int64 max", [] { return outs(tril(ones({2, 2}), kMaxI64)); },
                 pytorch("tril.diagonal_huge"));
         s.gives("nan/inf", "NaN above the diagonal is zeroed",
                 [] { return outs(tril(full({2, 2}, kNaN))); }, pytorch("tril.nan"));
       }},
      {"triu", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(triu(wave({3, 3}, t))); });
         s.undefined({wave({2, 2})}, [](const Tensors& in) { return outs(triu(in[0])); });
         s.bad_ranks({2, 3, 4, 5}, [](const Tensor& x) { return outs(triu(x)); });
         s.gives("empty", "[3, 0]", [] { return outs(triu(wave({3, 0}))); }, shape_is({3, 0}));
         s.gives("index", "diagonal int64 min", [] { return outs(triu(ones({2, 2}), kMinI64)); },
                 pytorch("triu.diagonal_int64_min"));
         // As for tril: PyTorch 1.13 overflows here; the reference is its result at diagonal 2^62.
         s.gives("index", "diagonal int64 max", [] { return outs(triu(ones({2, 2}), kMaxI64)); },
                 pytorch("triu.diagonal_huge"));
       }},
      {"pad", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(pad(wave({3}, t), {1, 1})); });
         s.undefined({wave({2})}, [](const Tensors& in) { return outs(pad(in[0], {1, 1})); });
         s.rejects("argument", "odd pad list", [] { return outs(pad(wave({3}), {1})); });
         s.rejects("argument", "more pairs than dims", [] { return outs(pad(wave({3}), {1, 1, 1, 1})); });
         s.rejects("argument", "unknown mode", [] { return outs(pad(wave({1, 3}), {1, 1}, "circularish")); });
         s.rejects("argument", "reflect pad >= size", [] { return outs(pad(wave({1, 3}), {3, 0}, "reflect")); });
         s.rejects("argument", "negative pad below size 0", [] { return outs(pad(wave({3}), {-2, -2})); });
         s.rejects("empty", "replicate of an empty dim", [] { return outs(pad(wave({1, 0}), {1, 1}, "replicate")); });
         s.gives("empty", "constant pad of [0]", [] { return outs(pad(wave({0}), {1, 2})); },
                 pytorch("pad.constant_of_empty"));
         s.gives("argument", "negative pad crops", [] { return outs(pad(arange(5, dtype(kDouble)), {-1, -2})); },
                 pytorch("pad.negative_crops"));
       }},
      // ---- indexing
      {"index", [](Sweep& s) {
         using namespace indexing;
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).index({1, Slice(0, 2)})); });
         s.rejects("undefined", "undefined", [] { return outs(Tensor().index({0})); });
         s.bad_indices(2, [](int64_t i) { return outs(wave({2, 3}).index({i})); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).index({Slice(), longs({0, i})})); });
         s.rejects("rank", "too many indices", [] { return outs(wave({2, 3}).index({0, 0, 0})); });
         s.rejects("rank", "two ellipses", [] { return outs(wave({2, 3}).index({Ellipsis, Ellipsis})); });
         s.rejects("shape", "mask [3] on dim of 2", [] { return outs(wave({2, 3}).index({tensor({true, false, true})})); });
         s.rejects("dtype", "float index tensor", [] { return outs(wave({2, 3}).index({tensor({0.f})})); });
         s.rejects("argument", "slice step 0", [] { return outs(wave({2, 3}).index({Slice(0, 2, 0)})); });
         s.rejects("empty", "index 0 into [0]", [] { return outs(wave({0}).index({0})); });
         s.gives("empty", "empty index tensor", [] { return outs(wave({2, 3}).index({longs({})})); }, shape_is({0, 3}));
         s.gives("empty", "all-false mask", [] { return outs(wave({2, 3}).index({tensor({false, false})})); },
                 shape_is({0, 3}));
       }},
      {"index_put_", [](Sweep& s) {
         using namespace indexing;
         s.dtypes([](ScalarType t) { return outs(zeros({2, 3}, dtype(t)).index_put_({0}, wave({3}, t))); });
         s.rejects("undefined", "undefined target", [] { return outs(Tensor().index_put_({0}, 1.0)); });
         s.bad_indices(2, [](int64_t i) { return outs(zeros({2, 3}).index_put_({i}, 1.0)); });
         s.bad_indices(3, [](int64_t i) { return outs(zeros({2, 3}).index_put_({Slice(), longs({i})}, 1.0)); });
         s.rejects("shape", "value [4] into a row of 3", [] { return outs(zeros({2, 3}).index_put_({0}, ones({4}))); });
         s.rejects("rank", "too many indices", [] { return outs(zeros({2}).index_put_({0, 0}, 1.0)); });
         s.gives("empty", "empty index tensor", [] { return outs(zeros({2}).index_put_({longs({})}, 5.0)); },
                 pytorch("index_put_.empty_index"));
         s.gives("nan/inf", "put NaN", [] { return outs(zeros({2}).index_put_({1}, kNaN)); },
                 pytorch("index_put_.nan"));
       }},
      {"index_select", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).index_select(1, longs({0, 2}))); });
         s.undefined({wave({2, 3}), longs({0})},
                     [](const Tensors& in) { return outs(in[0].index_select(0, in[1])); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).index_select(d, longs({0}))); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).index_select(1, longs({0, i}))); });
         s.rejects("dtype", "float index", [] { return outs(wave({2, 3}).index_select(1, tensor({0.f}))); });
         s.rejects("rank", "2-d index", [] { return outs(wave({2, 3}).index_select(1, longs({0, 1}).view({1, 2}))); });
         s.rejects("empty", "index 0 into a dim of 0", [] { return outs(wave({2, 0}).index_select(1, longs({0}))); });
         s.gives("empty", "empty index", [] { return outs(wave({2, 3}).index_select(1, longs({}))); }, shape_is({2, 0}));
       }},
      {"index_add", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).index_add(0, longs({1}), wave({1, 3}, t))); });
         s.undefined({wave({2, 3}), longs({0}), wave({1, 3})},
                     [](const Tensors& in) { return outs(in[0].index_add(0, in[1], in[2])); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).index_add(d, longs({0}), wave({1, 3}))); });
         s.bad_indices(2, [](int64_t i) { return outs(wave({2, 3}).index_add(0, longs({i}), wave({1, 3}))); });
         s.rejects("shape", "source rows != index length",
                   [] { return outs(wave({2, 3}).index_add(0, longs({0}), wave({2, 3}))); });
         s.rejects("shape", "source of another width",
                   [] { return outs(wave({2, 3}).index_add(0, longs({0}), wave({1, 4}))); });
         s.rejects("dtype", "float index", [] { return outs(wave({2, 3}).index_add(0, tensor({0.f}), wave({1, 3}))); });
         s.gives("empty", "empty index", [] { return outs(ones({2, 3}).index_add(0, longs({}), wave({0, 3}))); },
                 pytorch("index_add.empty_index"));
         s.gives("nan/inf", "adds NaN", [] { return outs(zeros({2}).index_add(0, longs({1}), tensor({kNaN}))); },
                 pytorch("index_add.nan"));
       }},
      {"gather", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).gather(1, longs({0, 2}).view({1, 2}))); });
         s.undefined({wave({2, 3}), longs({0}).view({1, 1})},
                     [](const Tensors& in) { return outs(in[0].gather(1, in[1])); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).gather(d, longs({0}).view({1, 1}))); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).gather(1, longs({0, i}).view({1, 2}))); });
         s.rejects("rank", "1-d index on 2-d input", [] { return outs(wave({2, 3}).gather(1, longs({0}))); });
         s.rejects("shape", "index larger than input", [] { return outs(wave({2, 3}).gather(1, zeros({3, 1}, dtype(kInt64)))); });
         s.rejects("dtype", "float index", [] { return outs(wave({2, 3}).gather(1, zeros({1, 1}))); });
         s.gives("empty", "[2, 0] index", [] { return outs(wave({2, 3}).gather(1, zeros({2, 0}, dtype(kInt64)))); },
                 shape_is({2, 0}));
       }},
      {"scatter", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).scatter(1, longs({2}).view({1, 1}), wave({1, 1}, t))); });
         s.undefined({wave({2, 3}), longs({0}).view({1, 1}), wave({1, 1})},
                     [](const Tensors& in) { return outs(in[0].scatter(1, in[1], in[2])); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).scatter(d, longs({0}).view({1, 1}), wave({1, 1}))); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).scatter(1, longs({i}).view({1, 1}), wave({1, 1}))); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).scatter(1, longs({i}).view({1, 1}), 2.0)); });
         s.rejects("shape", "src smaller than index",
                   [] { return outs(wave({2, 3}).scatter(1, zeros({2, 2}, dtype(kInt64)), wave({1, 1}))); });
         s.rejects("rank", "1-d index on 2-d input", [] { return outs(wave({2, 3}).scatter(1, longs({0}), wave({1}))); });
         s.rejects("dtype", "float index", [] { return outs(wave({2, 3}).scatter(1, zeros({1, 1}), wave({1, 1}))); });
         s.gives("empty", "[0, 0] index", [] { return outs(ones({2, 3}).scatter(1, zeros({0, 0}, dtype(kInt64)), 5.0)); },
                 pytorch("scatter.empty_index"));
       }},
      {"scatter_add", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(wave({2, 3}, t).scatter_add(1, longs({2}).view({1, 1}), wave({1, 1}, t))); });
         s.undefined({wave({2, 3}), longs({0}).view({1, 1}), wave({1, 1})},
                     [](const Tensors& in) { return outs(in[0].scatter_add(1, in[1], in[2])); });
         s.bad_dims(2, [](int64_t d) { return outs(wave({2, 3}).scatter_add(d, longs({0}).view({1, 1}), wave({1, 1}))); });
         s.bad_indices(3, [](int64_t i) { return outs(wave({2, 3}).scatter_add(1, longs({i}).view({1, 1}), wave({1, 1}))); });
         s.rejects("shape", "src smaller than index",
                   [] { return outs(wave({2, 3}).scatter_add(1, zeros({2, 2}, dtype(kInt64)), wave({1, 1}))); });
         s.rejects("dtype", "float index", [] { return outs(wave({2, 3}).scatter_add(1, ones({1, 1}), ones({1, 1}))); });
         s.gives("nan/inf", "adds Inf and -Inf", [] {
                   return outs(zeros({1, 2}).scatter_add(1, longs({0, 0}).view({1, 2}), tensor({{kInf, -kInf}})));
                 }, pytorch("scatter_add.inf_minus_inf"));
       }},
      {"masked_select", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(masked_select(wave({2, 3}, t), wave({3}).gt(0))); });
         s.undefined({wave({2}), wave({2}).gt(0)}, [](const Tensors& in) { return outs(masked_select(in[0], in[1])); });
         s.rejects("dtype", "float mask", [] { return outs(masked_select(ones({2}), ones({2}))); });
         s.rejects("shape", "mask [3] on [2]", [] { return outs(masked_select(ones({2}), ones({3}, dtype(kBool)))); });
         s.gives("empty", "[0]", [] { return outs(masked_select(ones({0}), ones({0}, dtype(kBool)))); }, shape_is({0}));
         s.gives("empty", "all false", [] { return outs(masked_select(ones({2, 2}), zeros({2}, dtype(kBool)))); },
                 shape_is({0}));
       }},
      {"nonzero", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(nonzero(wave({2, 3}, t))); });
         s.undefined({wave({2})}, [](const Tensors& in) { return outs(nonzero(in[0])); });
         s.gives("empty", "[0, 3]", [] { return outs(nonzero(wave({0, 3}))); }, shape_is({0, 2}));
         s.gives("empty", "all zero", [] { return outs(nonzero(zeros({2, 3}))); }, shape_is({0, 2}));
         s.gives("nan/inf", "NaN and Inf are nonzero, -0 is zero",
                 [] { return outs(nonzero(tensor({kNaN, 0.0, kInf, -0.0}))); }, pytorch("nonzero.nan_inf_signed_zero"));
       }},
      // ---- convolution, pooling, resampling
      {"conv1d", spatial([](const Tensor& x) { return conv1d(x, ones({4, 3, 3}, x.options())); }, {2, 3}, {1, 3, 8},
                         {1, 4, 6},
                         {{"channels 2 != 3", [] { return conv1d(ones({1, 2, 8}), ones({4, 3, 3})); }},
                          {"kernel longer than input", [] { return conv1d(ones({1, 3, 2}), ones({4, 3, 3})); }},
                          {"stride 0", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 0); }},
                          {"padding -1", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 1, -1); }},
                          {"dilation 0", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 1, 0, 0); }},
                          {"groups 0", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 1, 0, 1, 0); }},
                          {"groups 2 of 3 channels", [] { return conv1d(ones({1, 3, 8}), ones({4, 1, 3}), {}, 1, 0, 1, 2); }},
                          {"bias of 3 for 4 outputs", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), ones({3})); }},
                          {"weight rank 2", [] { return conv1d(ones({1, 3, 8}), ones({4, 3})); }},
                          {"padding \"same\" with stride 2", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 2, "same"); }},
                          {"unknown padding mode", [] { return conv1d(ones({1, 3, 8}), ones({4, 3, 3}), {}, 1, "full"); }}})},
      {"conv2d", spatial([](const Tensor& x) { return conv2d(x, ones({4, 3, 3, 3}, x.options())); }, {3, 4},
                         {1, 3, 5, 5}, {1, 4, 3, 3},
                         {{"channels 2 != 3", [] { return conv2d(ones({1, 2, 5, 5}), ones({4, 3, 3, 3})); }},
                          {"kernel larger than input", [] { return conv2d(ones({1, 3, 2, 5}), ones({4, 3, 3, 3})); }},
                          {"stride 0", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), {}, {1, 0}); }},
                          {"3 strides", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), {}, {1, 1, 1}); }},
                          {"padding -1", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), {}, 1, -1); }},
                          {"dilation 0", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), {}, 1, 0, 0); }},
                          {"groups -1", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), {}, 1, 0, 1, -1); }},
                          {"outputs 3 not divisible by groups 2", [] { return conv2d(ones({1, 4, 5, 5}), ones({3, 2, 3, 3}), {}, 1, 0, 1, 2); }},
                          {"bias of rank 2", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3, 3}), ones({4, 1})); }},
                          {"weight rank 3", [] { return conv2d(ones({1, 3, 5, 5}), ones({4, 3, 3})); }},
                          {"weight of 0 outputs", [] { return conv2d(ones({1, 3, 5, 5}), ones({0, 3, 3, 3})); }}})},
      {"conv_transpose1d",
       spatial([](const Tensor& x) { return conv_transpose1d(x, ones({3, 2, 3}, x.options())); }, {2, 3}, {1, 3, 4},
               {1, 2, 6},
               {{"channels 4 != 3", [] { return conv_transpose1d(ones({1, 4, 4}), ones({3, 2, 3})); }},
                {"stride 0", [] { return conv_transpose1d(ones({1, 3, 4}), ones({3, 2, 3}), {}, 0); }},
                {"output_padding >= stride", [] { return conv_transpose1d(ones({1, 3, 4}), ones({3, 2, 3}), {}, 1, 0, 1); }},
                {"padding past the output", [] { return conv_transpose1d(ones({1, 3, 1}), ones({3, 2, 1}), {}, 1, 2); }},
                {"groups 2 of 3 channels", [] { return conv_transpose1d(ones({1, 3, 4}), ones({3, 2, 3}), {}, 1, 0, 0, 2); }},
                {"bias of 5", [] { return conv_transpose1d(ones({1, 3, 4}), ones({3, 2, 3}), ones({5})); }}})},
      {"conv_transpose2d",
       spatial([](const Tensor& x) { return conv_transpose2d(x, ones({3, 2, 3, 3}, x.options())); }, {3, 4},
               {1, 3, 4, 4}, {1, 2, 6, 6},
               {{"channels 4 != 3", [] { return conv_transpose2d(ones({1, 4, 4, 4}), ones({3, 2, 3, 3})); }},
                {"stride 0", [] { return conv_transpose2d(ones({1, 3, 4, 4}), ones({3, 2, 3, 3}), {}, 0); }},
                {"output_padding >= stride and dilation",
                 [] { return conv_transpose2d(ones({1, 3, 4, 4}), ones({3, 2, 3, 3}), {}, 1, 0, 2); }},
                {"dilation -1", [] { return conv_transpose2d(ones({1, 3, 4, 4}), ones({3, 2, 3, 3}), {}, 1, 0, 0, 1, -1); }},
                {"weight rank 3", [] { return conv_transpose2d(ones({1, 3, 4, 4}), ones({3, 2, 3})); }}})},
      {"max_pool1d", spatial([](const Tensor& x) { return max_pool1d(x, 2); }, {2, 3}, {1, 3, 8}, {1, 3, 4},
                             {{"kernel 0", [] { return max_pool1d(ones({1, 2, 4}), 0); }},
                              {"kernel longer than input", [] { return max_pool1d(ones({1, 2, 4}), 5); }},
                              {"stride 0", [] { return max_pool1d(ones({1, 2, 4}), 2, 0); }},
                              {"padding over half the kernel", [] { return max_pool1d(ones({1, 2, 4}), 2, 1, 2); }},
                              {"padding -1", [] { return max_pool1d(ones({1, 2, 4}), 2, 1, -1); }},
                              {"dilation 0", [] { return max_pool1d(ones({1, 2, 4}), 2, 1, 0, 0); }},
                              {"2 kernel sizes", [] { return max_pool1d(ones({1, 2, 4}), {2, 2}); }}})},
      {"max_pool2d", spatial([](const Tensor& x) { return max_pool2d(x, 2); }, {3, 4}, {1, 3, 4, 4}, {1, 3, 2, 2},
                             {{"kernel 0", [] { return max_pool2d(ones({1, 2, 4, 4}), {2, 0}); }},
                              {"kernel larger than input", [] { return max_pool2d(ones({1, 2, 4, 4}), 5); }},
                              {"stride -1", [] { return max_pool2d(ones({1, 2, 4, 4}), 2, -1); }},
                              {"padding over half the kernel", [] { return max_pool2d(ones({1, 2, 4, 4}), 3, 1, 2); }},
                              {"3 kernel sizes", [] { return max_pool2d(ones({1, 2, 4, 4}), {2, 2, 2}); }},
                              {"empty plane", [] { return max_pool2d(ones({1, 2, 0, 4}), 1); }}})},
      {"avg_pool1d", spatial([](const Tensor& x) { return avg_pool1d(x, 2); }, {2, 3}, {1, 3, 8}, {1, 3, 4},
                             {{"kernel 0", [] { return avg_pool1d(ones({1, 2, 4}), 0); }},
                              {"kernel longer than input", [] { return avg_pool1d(ones({1, 2, 4}), 5); }},
                              {"stride 0", [] { return avg_pool1d(ones({1, 2, 4}), 2, 0); }},
                              {"padding over half the kernel", [] { return avg_pool1d(ones({1, 2, 4}), 2, 1, 2); }}})},
      {"avg_pool2d", spatial([](const Tensor& x) { return avg_pool2d(x, 2); }, {3, 4}, {1, 3, 4, 4}, {1, 3, 2, 2},
                             {{"kernel 0", [] { return avg_pool2d(ones({1, 2, 4, 4}), 0); }},
                              {"padding over half the kernel", [] { return avg_pool2d(ones({1, 2, 4, 4}), 2, 2, 2); }},
                              {"divisor_override 0", [] { return avg_pool2d(ones({1, 2, 4, 4}), 2, {}, 0, false, true, 0); }},
                              {"stride 0", [] { return avg_pool2d(ones({1, 2, 4, 4}), 2, 0); }}})},
      {"adaptive_avg_pool1d",
       spatial([](const Tensor& x) { return adaptive_avg_pool1d(x, 2); }, {2, 3}, {1, 3, 8}, {1, 3, 2},
               {{"output size 0", [] { return adaptive_avg_pool1d(ones({1, 2, 4}), 0); }},
                {"output size -1", [] { return adaptive_avg_pool1d(ones({1, 2, 4}), -1); }},
                {"2 output sizes", [] { return adaptive_avg_pool1d(ones({1, 2, 4}), {2, 2}); }},
                {"empty plane", [] { return adaptive_avg_pool1d(ones({1, 2, 0}), 2); }}})},
      {"adaptive_avg_pool2d",
       spatial([](const Tensor& x) { return adaptive_avg_pool2d(x, {2, 2}); }, {3, 4}, {1, 3, 4, 4}, {1, 3, 2, 2},
               {{"output size 0", [] { return adaptive_avg_pool2d(ones({1, 2, 4, 4}), {0, 2}); }},
                {"3 output sizes", [] { return adaptive_avg_pool2d(ones({1, 2, 4, 4}), {2, 2, 2}); }},
                {"empty plane", [] { return adaptive_avg_pool2d(ones({1, 2, 0, 4}), {2, 2}); }}})},
      {"upsample_nearest2d",
       spatial([](const Tensor& x) { return upsample_nearest2d(x, {4, 4}); }, {4}, {1, 3, 2, 2}, {1, 3, 4, 4},
               {{"output size 0", [] { return upsample_nearest2d(ones({1, 2, 2, 2}), {0, 4}); }},
                {"output size -4", [] { return upsample_nearest2d(ones({1, 2, 2, 2}), {4, -4}); }},
                {"one output size", [] { return upsample_nearest2d(ones({1, 2, 2, 2}), {4}); }},
                {"empty plane", [] { return upsample_nearest2d(ones({1, 2, 0, 2}), {4, 4}); }}})},
      {"upsample_bilinear2d",
       spatial([](const Tensor& x) { return upsample_bilinear2d(x, {4, 4}, false); }, {4}, {1, 3, 2, 2},
               {1, 3, 4, 4},
               {{"output size 0", [] { return upsample_bilinear2d(ones({1, 2, 2, 2}), {0, 4}, false); }},
                {"3 output sizes", [] { return upsample_bilinear2d(ones({1, 2, 2, 2}), {4, 4, 4}, true); }},
                {"empty plane", [] { return upsample_bilinear2d(ones({1, 2, 2, 0}), {4, 4}, true); }}})},
      {"conv3d", spatial([](const Tensor& x) { return conv3d(x, ones({4, 3, 3, 2, 3}, x.options())); }, {4, 5},
                         {1, 3, 4, 5, 5}, {1, 4, 2, 4, 3},
                         {{"channels 2 != 3", [] { return conv3d(ones({1, 2, 4, 5, 5}), ones({4, 3, 3, 3, 3})); }},
                          {"kernel deeper than input", [] { return conv3d(ones({1, 3, 2, 5, 5}), ones({4, 3, 3, 3, 3})); }},
                          {"stride 0 in depth", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 3, 3, 3, 3}), {}, {0, 1, 1}); }},
                          {"2 strides", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 3, 3, 3, 3}), {}, {1, 1}); }},
                          {"padding -1", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 3, 3, 3, 3}), {}, 1, -1); }},
                          {"groups 2 of 3 channels", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 1, 3, 3, 3}), {}, 1, 0, 1, 2); }},
                          {"weight rank 4", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 3, 3, 3})); }},
                          {"padding \"same\" with stride 2", [] { return conv3d(ones({1, 3, 4, 5, 5}), ones({4, 3, 3, 3, 3}), {}, 2, "same"); }}})},
      {"conv_transpose3d",
       spatial([](const Tensor& x) { return conv_transpose3d(x, ones({3, 2, 3, 3, 2}, x.options())); }, {4, 5},
               {1, 3, 2, 3, 4}, {1, 2, 4, 5, 5},
               {{"channels 4 != 3", [] { return conv_transpose3d(ones({1, 4, 2, 3, 4}), ones({3, 2, 3, 3, 3})); }},
                {"output_padding >= stride and dilation",
                 [] { return conv_transpose3d(ones({1, 3, 2, 3, 4}), ones({3, 2, 3, 3, 3}), {}, 1, 0, {1, 0, 0}); }},
                {"padding past the output", [] { return conv_transpose3d(ones({1, 3, 1, 1, 1}), ones({3, 2, 1, 1, 1}), {}, 1, 2); }},
                {"weight rank 4", [] { return conv_transpose3d(ones({1, 3, 2, 3, 4}), ones({3, 2, 3, 3})); }}})},
      {"max_pool3d", spatial([](const Tensor& x) { return max_pool3d(x, 2); }, {4, 5}, {1, 3, 4, 4, 6}, {1, 3, 2, 2, 3},
                             {{"kernel 0", [] { return max_pool3d(ones({1, 2, 4, 4, 4}), {2, 0, 2}); }},
                              {"kernel deeper than input", [] { return max_pool3d(ones({1, 2, 3, 4, 4}), {4, 2, 2}); }},
                              {"padding over half the kernel", [] { return max_pool3d(ones({1, 2, 4, 4, 4}), 3, 1, {2, 0, 0}); }},
                              {"dilation 0", [] { return max_pool3d(ones({1, 2, 4, 4, 4}), 2, 1, 0, 0); }},
                              {"2 kernel sizes", [] { return max_pool3d(ones({1, 2, 4, 4, 4}), {2, 2}); }},
                              {"empty depth", [] { return max_pool3d(ones({1, 2, 0, 4, 4}), 1); }}})},
      {"avg_pool3d", spatial([](const Tensor& x) { return avg_pool3d(x, 2); }, {4, 5}, {1, 3, 4, 4, 6}, {1, 3, 2, 2, 3},
                             {{"kernel 0", [] { return avg_pool3d(ones({1, 2, 4, 4, 4}), 0); }},
                              {"padding over half the kernel", [] { return avg_pool3d(ones({1, 2, 4, 4, 4}), 2, 2, {0, 2, 0}); }},
                              {"divisor_override 0", [] { return avg_pool3d(ones({1, 2, 4, 4, 4}), 2, {}, 0, false, true, 0); }},
                              {"stride -2", [] { return avg_pool3d(ones({1, 2, 4, 4, 4}), 2, -2); }}})},
      {"adaptive_avg_pool3d",
       spatial([](const Tensor& x) { return adaptive_avg_pool3d(x, {2, 3, 2}); }, {4, 5}, {1, 3, 4, 5, 4},
               {1, 3, 2, 3, 2},
               {{"output size 0", [] { return adaptive_avg_pool3d(ones({1, 2, 4, 4, 4}), {2, 0, 2}); }},
                {"2 output sizes", [] { return adaptive_avg_pool3d(ones({1, 2, 4, 4, 4}), {2, 2}); }},
                {"empty depth", [] { return adaptive_avg_pool3d(ones({1, 2, 0, 4, 4}), 2); }}})},
      {"upsample_nearest3d",
       spatial([](const Tensor& x) { return upsample_nearest3d(x, {4, 3, 4}); }, {5}, {1, 3, 2, 2, 2}, {1, 3, 4, 3, 4},
               {{"output size 0", [] { return upsample_nearest3d(ones({1, 2, 2, 2, 2}), {0, 4, 4}); }},
                {"two output sizes", [] { return upsample_nearest3d(ones({1, 2, 2, 2, 2}), {4, 4}); }},
                {"empty depth", [] { return upsample_nearest3d(ones({1, 2, 0, 2, 2}), {4, 4, 4}); }}})},
      {"upsample_trilinear3d",
       spatial([](const Tensor& x) { return upsample_trilinear3d(x, {4, 3, 4}, false); }, {5}, {1, 3, 2, 2, 2},
               {1, 3, 4, 3, 4},
               {{"output size -1", [] { return upsample_trilinear3d(ones({1, 2, 2, 2, 2}), {4, -1, 4}, false); }},
                {"4 output sizes", [] { return upsample_trilinear3d(ones({1, 2, 2, 2, 2}), {4, 4, 4, 4}, true); }},
                {"empty width", [] { return upsample_trilinear3d(ones({1, 2, 2, 2, 0}), {4, 4, 4}, true); }}})},
      // ---- normalisation: a NaN spoils only its own channel, row or group
      {"batch_norm", [](Sweep& s) {
         auto bn = [](const Tensor& x, const Tensor& w, bool training = true) {
           return batch_norm(x, w, Tensor(), zeros({3}, x.options()), ones({3}, x.options()), training, 0.1, 1e-5);
         };
         s.dtypes([bn](ScalarType t) { return outs(bn(wave({2, 3, 4}, t), ones({3}, dtype(t)))); });
         s.undefined({wave({2, 3})}, [bn](const Tensors& in) { return outs(bn(in[0], Tensor())); });
         s.bad_ranks({2, 3, 4, 5}, [bn](const Tensor& x) { return outs(bn(x, Tensor())); });
         s.rejects("shape", "4 channels, statistics of 3", [bn] { return outs(bn(wave({2, 4}), Tensor())); });
         s.rejects("shape", "weight of 4 for 3 channels", [bn] { return outs(bn(wave({2, 3}), ones({4}))); });
         s.rejects("argument", "one value per channel in training", [bn] { return outs(bn(wave({1, 3}), Tensor())); });
         s.rejects("argument", "evaluation without running statistics",
                   [] { return outs(batch_norm(wave({2, 3}), {}, {}, {}, {}, false, 0.1, 1e-5)); });
         s.gives("empty", "batch of 0 (evaluation)", [bn] { return outs(bn(wave({0, 3}), Tensor(), false)); },
                 shape_is({0, 3}));
         s.gives("nan/inf", "NaN in channel 0",
                 [] { return outs(batch_norm(tensor({{kNaN, 1.0}, {2.0, 3.0}}), {}, {}, {}, {}, true, 0.1, 0.0)); },
                 pytorch("batch_norm.nan"));
       }},
      {"layer_norm", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(layer_norm(wave({2, 4}, t), {4}, ones({4}, dtype(t)))); });
         s.undefined({wave({2, 4})}, [](const Tensors& in) { return outs(layer_norm(in[0], {4}, ones({4}))); });
         s.rejects("shape", "normalized_shape [3] of [2, 4]", [] { return outs(layer_norm(wave({2, 4}), {3})); });
         s.rejects("shape", "empty normalized_shape", [] { return outs(layer_norm(wave({2, 4}), {})); });
         s.rejects("rank", "normalized_shape longer than the input", [] { return outs(layer_norm(wave({4}), {2, 4})); });
         s.rejects("shape", "weight [3] for [4]", [] { return outs(layer_norm(wave({2, 4}), {4}, ones({3}))); });
         s.rejects("shape", "bias [4, 1] for [4]", [] { return outs(layer_norm(wave({2, 4}), {4}, {}, ones({4, 1}))); });
         s.gives("empty", "batch of 0", [] { return outs(layer_norm(wave({0, 4}), {4})); }, shape_is({0, 4}));
         s.gives("empty", "0 features", [] { return outs(layer_norm(wave({2, 0}), {0})); }, shape_is({2, 0}));
         s.gives("nan/inf", "NaN in row 0", [] { return outs(layer_norm(tensor({{kNaN, 1.0}, {2.0, 3.0}}), {2}, {}, {}, 0.0)); },
                 pytorch("layer_norm.nan"));
         s.gives("nan/inf", "Inf in row 0", [] { return outs(layer_norm(tensor({{kInf, 1.0}, {2.0, 3.0}}), {2}, {}, {}, 0.0)); },
                 pytorch("layer_norm.inf"));
       }},
      {"group_norm", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(group_norm(wave({2, 4, 3}, t), 2, ones({4}, dtype(t)))); });
         s.undefined({wave({2, 4, 3})}, [](const Tensors& in) { return outs(group_norm(in[0], 2, ones({4}))); });
         s.bad_ranks({2, 3, 4, 5}, [](const Tensor& x) { return outs(group_norm(x, 1)); });
         s.rejects("argument", "3 groups of 4 channels", [] { return outs(group_norm(wave({2, 4, 3}), 3)); });
         s.rejects("argument", "0 groups", [] { return outs(group_norm(wave({2, 4, 3}), 0)); });
         s.rejects("argument", "-2 groups", [] { return outs(group_norm(wave({2, 4, 3}), -2)); });
         s.rejects("shape", "weight [3] for 4 channels", [] { return outs(group_norm(wave({2, 4, 3}), 2, ones({3}))); });
         s.gives("empty", "batch of 0", [] { return outs(group_norm(wave({0, 4, 3}), 2)); }, shape_is({0, 4, 3}));
         s.gives("nan/inf", "NaN in sample 0",
                 [] { return outs(group_norm(tensor({{kNaN, 1.0}, {2.0, 3.0}}).unsqueeze(2), 1, {}, {}, 0.0)); },
                 pytorch("group_norm.nan"));
       }},
      // ---- recurrent steps: a NaN gate spoils only its own unit; an infinite one saturates the gate
      {"fused_lstm_cell", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(fused_lstm_cell(wave({2, 8}, t), wave({2, 8}, t), wave({2, 2}, t))); });
         s.undefined({wave({2, 8}), wave({2, 8}), wave({2, 2})},
                     [](const Tensors& in) { return outs(fused_lstm_cell(in[0], in[1], in[2])); });
         s.bad_ranks({1, 2}, [](const Tensor& x) { return outs(fused_lstm_cell(x, x, x)); });
         s.rejects("shape", "hidden_gates [2, 4] for input_gates [2, 8]",
                   [] { return outs(fused_lstm_cell(wave({2, 8}), wave({2, 4}), wave({2, 2}))); });
         s.rejects("shape", "cx of 3 units for 8 gates",
                   [] { return outs(fused_lstm_cell(wave({2, 8}), wave({2, 8}), wave({2, 3}))); });
         s.rejects("shape", "cx batch 3 for gates batch 2",
                   [] { return outs(fused_lstm_cell(wave({2, 8}), wave({2, 8}), wave({3, 2}))); });
         s.rejects("shape", "unbatched gates with batched cx",
                   [] { return outs(fused_lstm_cell(wave({8}), wave({8}), wave({1, 2}))); });
         s.rejects("dtype", "float64 cx with float32 gates",
                   [] { return outs(fused_lstm_cell(wave({2, 8}), wave({2, 8}), wave({2, 2}, kDouble))); });
         s.gives("empty", "batch of 0", [] { return outs(fused_lstm_cell(wave({0, 8}), wave({0, 8}), wave({0, 2}))); },
                 shape_is({0, 2}));
         s.gives("empty", "0 units", [] { return outs(fused_lstm_cell(wave({2, 0}), wave({2, 0}), wave({2, 0}))); },
                 shape_is({2, 0}));
         auto special = [] {
           return fused_lstm_cell(tensor({{kNaN, 0.0, 0.0, 0.0}, {0.0, kInf, 0.0, 0.0}}), zeros({2, 4}), ones({2, 1}));
         };
         s.gives("nan/inf", "NaN input gate in row 0, +Inf forget gate in row 1", [special] { return outs(special()); },
                 pytorch("fused_lstm_cell.nan_inf.hy", 0));
         s.gives("nan/inf", "the same step's cell state", [special] { return outs(special()); },
                 pytorch("fused_lstm_cell.nan_inf.cy", 1));
       }},
      {"fused_gru_cell", [](Sweep& s) {
         s.dtypes([](ScalarType t) { return outs(fused_gru_cell(wave({2, 6}, t), wave({2, 6}, t), wave({2, 2}, t))); });
         s.undefined({wave({2, 6}), wave({2, 6}), wave({2, 2})},
                     [](const Tensors& in) { return outs(fused_gru_cell(in[0], in[1], in[2])); });
         s.bad_ranks({1, 2}, [](const Tensor& x) { return outs(fused_gru_cell(x, x, x)); });
         s.rejects("shape", "hx of 2 units for 8 gates",
                   [] { return outs(fused_gru_cell(wave({2, 8}), wave({2, 8}), wave({2, 2}))); });
         s.rejects("shape", "hidden_gates [3, 6] for input_gates [2, 6]",
                   [] { return outs(fused_gru_cell(wave({2, 6}), wave({3, 6}), wave({2, 2}))); });
         s.rejects("dtype", "float32 hx with float64 gates",
                   [] { return outs(fused_gru_cell(wave({2, 6}, kDouble), wave({2, 6}, kDouble), wave({2, 2}))); });
         s.gives("empty", "batch of 0", [] { return outs(fused_gru_cell(wave({0, 6}), wave({0, 6}), wave({0, 2}))); },
                 shape_is({0, 2}));
         s.gives("nan/inf", "NaN reset gate in row 0, +Inf new gate in row 1",
                 [] {
                   return outs(fused_gru_cell(tensor({{kNaN, 0.0, 0.0}, {0.0, 0.0, kInf}}), zeros({2, 3}), ones({2, 1})));
                 },
                 pytorch("fused_gru_cell.nan_inf"));
       }},
  };
  return table;
}

// A thrown wick::Error must name the op: "wick::<op>: ...", or say which input was undefined.
bool names_op(const std::string& what, const std::string& op, const std::string& category) {
  if (what.find("wick::" + op + ":") != std::string::npos) return true;
  return category == "undefined" && what.find("undefined tensor") != std::string::npos;
}

}  // namespace

TEST_CASE("bad input sweep: every registry op has a sweep entry", "[errors][sweep]") {
  for (const OpInfo& op : op_registry()) {
    INFO("op: " << op.name);
    CHECK(sweep_table().count(op.name) == 1);
  }
  for (const auto& [name, entry] : sweep_table()) {
    INFO("sweep entry for an op the registry does not list: " << name);
    CHECK(find_op(name) != nullptr);
  }
}

TEST_CASE("bad input sweep: each op throws an error naming itself or gives PyTorch's result", "[errors][sweep]") {
  std::map<std::string, int> per_category;
  int bad_inputs = 0, good_inputs = 0;
  for (const auto& [name, entry] : sweep_table()) {
    Sweep sweep(name);
    entry(sweep);
    for (const Case& c : sweep.cases()) {
      INFO("op " << name << ", " << c.category << ": " << c.input);
      ++per_category[c.category];
      (kGoodCategories.count(c.category) ? good_inputs : bad_inputs)++;
      try {
        const Tensors result = c.call();
        if (!c.check) {
          FAIL_CHECK("accepted a bad input"
                     << (result.empty() || !result[0].defined() ? std::string() : " and returned " + result[0].str()));
        } else {
          c.check(result);
        }
      } catch (const Error& e) {
        const std::string what = e.what();
        INFO("wick::Error: " << what);
        if (c.check)
          FAIL_CHECK("threw where PyTorch gives a result");
        else
          CHECK(names_op(what, name, c.category));
      } catch (const std::exception& e) {
        FAIL_CHECK("threw a " << typeid(e).name() << " (not wick::Error): " << e.what());
      }
    }
  }
  std::string summary;
  for (const auto& [category, n] : per_category) summary += " " + category + "=" + std::to_string(n);
  WARN("bad-input sweep: " << bad_inputs << " bad inputs over " << sweep_table().size() << " ops, plus " << good_inputs
                           << " calls that must work;" << summary);
  CHECK(bad_inputs > 1000);
}

// The profiler's coverage, driven by the same table: each registry op's first call that must work, made under a
// profile, records an event of that op's name (so an op added without WICK_PROFILE_OP fails here).
TEST_CASE("profiler: every registry op records an event under its name", "[profiler][sweep]") {
  for (const auto& [name, entry] : sweep_table()) {
    Sweep sweep(name);
    entry(sweep);
    const auto good = std::find_if(sweep.cases().begin(), sweep.cases().end(), [](const Case& c) { return c.check; });
    INFO("op " << name);
    REQUIRE(good != sweep.cases().end());
    INFO(good->category << ": " << good->input);
    profiler::Profile prof;
    (void)good->call();
    prof.stop();
    std::set<std::string> seen;
    for (const profiler::Event& e : prof.events()) seen.insert(e.name);
    CHECK(seen.count(name) == 1);
  }
}
