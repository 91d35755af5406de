// Printing: Tensor::str() against PyTorch's repr() of the same values (tests/fixtures/print_cases.txt, written
// by tools/gen_print_fixtures.py), plus toString() and set_printoptions.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../support/skip.h"

using namespace wick;

// At global scope so that its node is named "TwiceBackward", as PyTorch names a Function subclass Twice.
struct Twice : wick::autograd::Function<Twice> {
  static Tensor forward(wick::autograd::AutogradContext*, Tensor x) { return x * 2; }
  static wick::autograd::variable_list backward(wick::autograd::AutogradContext*, wick::autograd::variable_list grads) {
    return {grads[0] * 2};
  }
};

namespace {

// "@@ name" starts a case; its repr runs up to the next "@@ " line.
std::map<std::string, std::string> load_fixtures() {
  std::ifstream in(std::string(WICK_FIXTURES_DIR) + "/print_cases.txt");
  REQUIRE(in.good());
  std::map<std::string, std::string> cases;
  std::string line, name, text;
  auto flush = [&] {
    if (!name.empty()) cases[name] = text.substr(0, text.empty() ? 0 : text.size() - 1);
  };
  while (std::getline(in, line)) {
    if (line.rfind("@@ ", 0) == 0) {
      flush();
      name = line.substr(3);
      text.clear();
    } else if (!name.empty()) {
      text += line + "\n";
    }
  }
  flush();
  return cases;
}

using Options = PrintOptions;

struct Case {
  std::string name;
  std::function<Tensor()> make;
  Options options = {};
};

// Sets a case's options and restores the ones before it, even when a check throws.
struct PrintOptionsGuard {
  explicit PrintOptionsGuard(const Options& o) { set_printoptions(o.precision, o.threshold, o.edgeitems, o.linewidth); }
  ~PrintOptionsGuard() { set_printoptions(saved.precision, saved.threshold, saved.edgeitems, saved.linewidth); }
  const Options saved = get_printoptions();
};

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kNanD = std::numeric_limits<double>::quiet_NaN();
constexpr double kInfD = std::numeric_limits<double>::infinity();

Tensor leaf(Tensor t) {
  t.requires_grad_();
  return t;
}

Options opts(int precision, int threshold, int edgeitems, int linewidth) {
  return {precision, threshold, edgeitems, linewidth};
}

// The same tensors as tools/gen_print_fixtures.py builds, case for case.
std::vector<Case> cpu_cases() {
  const auto F = dtype(kFloat);
  const auto D = dtype(kDouble);
  // clang-format off
  return {
      {"float_2x2", [] { return tensor({{1.f, 2.f}, {3.f, 4.f}}); }},
      {"float_quarters", [=] { return arange(6, F).reshape({2, 3}) / 4; }},
      {"float_negative_fractions", [=] { return (arange(6, F) - 2.5) / 3; }},
      {"float_negative_ints", [=] { return arange(-3, 3, 1, F); }},
      {"float_one_element", [] { return tensor({5.f}); }},
      {"float_zeros", [] { return zeros({3}); }},
      {"float_negative_zero", [] { return tensor({-0.f, 0.f, 2.f}); }},
      {"float_negative_zero_fraction", [] { return tensor({-0.f, 0.5f}); }},
      {"float64", [=] { return arange(4, D) / 3; }},
      {"float64_ints", [=] { return arange(3, D); }},
      {"float16", [=] { return (arange(5, F) / 3).to(kHalf); }},
      {"bfloat16", [=] { return (arange(5, F) / 3).to(kBFloat16); }},
      {"int64", [] { return arange(10); }},
      {"int64_widths", [] { return tensor({int64_t(1), int64_t(-1000000), int64_t(3)}, dtype(kInt64)); }},
      {"int32", [] { return arange(-5, 5, 1, dtype(kInt32)); }},
      {"uint8", [] { return arange(250, 256).to(kUInt8); }},
      {"bool", [] { return arange(5) % 2 == 0; }},
      {"bool_2d", [] { return (arange(6) % 3 == 0).reshape({2, 3}); }},
      {"int64_2d", [] { return arange(12).reshape({3, 4}) - 5; }},
      {"int_4d", [] { return arange(16).reshape({2, 2, 2, 2}); }},
      {"float_3d", [=] { return arange(12, F).reshape({2, 3, 2}) / 8; }},
      {"scalar_float_int", [] { return tensor(3.f); }},
      {"scalar_float", [] { return tensor(3.5f); }},
      {"scalar_float_negative", [] { return tensor(-0.25f); }},
      {"scalar_float64", [=] { return tensor(0.1, D); }},
      {"scalar_int64", [] { return tensor(int64_t(7), dtype(kInt64)); }},
      {"scalar_int32", [] { return tensor(7, dtype(kInt32)); }},
      {"scalar_bool", [] { return tensor(int64_t(1), dtype(kInt64)).to(kBool); }},
      {"scalar_sci", [=] { return tensor(1e-5, D).to(kFloat); }},
      {"scalar_nan", [] { return tensor(kNan); }},
      {"empty_float", [] { return zeros({0}); }},
      {"empty_2d", [] { return zeros({0, 3}); }},
      {"empty_int64", [] { return zeros({0}, dtype(kInt64)); }},
      {"empty_3d_float64", [=] { return zeros({2, 0, 3}, D); }},
      {"empty_bool", [] { return zeros({0}, dtype(kBool)); }},
      {"elided_1d_float", [=] { return arange(2000, F); }},
      {"elided_1d_int", [] { return arange(1001); }},
      {"elided_1d_bool", [] { return arange(2000) % 3 == 0; }},
      {"elided_2d", [=] { return arange(1600, F).reshape({40, 40}) / 7; }},
      {"elided_2d_wide", [=] { return arange(1200, F).reshape({2, 600}); }},
      {"elided_3d", [] { return arange(1728).reshape({12, 12, 12}); }},
      {"elided_spike_ignored",
       [] {
         Tensor x = ones({2000});
         x.index_put_({1000}, 1e10);  // not among the printed edge items: no scientific notation
         return x;
       }},
      {"sci_small", [=] { return tensor({1e-5, 1.0, 1000.0}, D).to(kFloat); }},
      {"sci_large", [=] { return tensor({1.5e9, 2.0}, D).to(kFloat); }},
      {"sci_int_ratio", [] { return tensor({1.f, 10000.f}); }},
      {"sci_float64", [=] { return tensor({{1e-10, -2.5}, {3e20, 0.0}}, D); }},
      {"sci_with_nan", [=] { return tensor({1e-8, kNanD, -kInfD, 0.0}, D); }},
      {"nan_inf", [] { return tensor({kNan, kInf, -kInf, 1.5f}); }},
      {"nan_inf_ints", [] { return tensor({kNan, 1.f, -kInf}); }},
      {"all_nan", [=] { return full({3}, kNanD, F); }},
      {"wrap_1d", [=] { return arange(30, F) / 7; }},
      {"wrap_2d", [=] { return arange(60, F).reshape({3, 20}) / 3; }},
      {"wrap_int", [] { return arange(40) * 1000; }},
      {"noncontiguous_t", [=] { return arange(6, F).reshape({2, 3}).t(); }},
      {"noncontiguous_step", [] { return arange(10).slice(0, 0, std::nullopt, 2); }},
      {"noncontiguous_expand", [=] { return arange(3, F).expand({2, 3}); }},
      {"requires_grad", [] { return tensor({1.f, 2.f}, requires_grad()); }},
      {"requires_grad_float64", [=] { return leaf(arange(3, D) / 4); }},
      {"requires_grad_scalar", [] { return leaf(tensor(2.f)); }},
      // Python's 2 is a 0-dim tensor, so PyTorch's x * 2 is MulBackward0; LibTorch's (and wick's) C++ x * 2 is
      // mul(Tensor, Scalar), MulBackward1.
      {"grad_fn_mul", [] { return leaf(tensor({1.f, 2.f})) * tensor(2.f); }},
      {"grad_fn_add", [=] { return leaf(arange(3, D)) + leaf(arange(3, D)); }},
      {"grad_fn_sum", [] { return leaf(tensor({1.f, 2.f})).sum(); }},
      {"grad_fn_custom",
       [] {
         Tensor x = leaf(tensor({1.f, 2.f}));  // an lvalue: apply() loses track of a moved-in temporary
         return Twice::apply(x);
       }},
      {"suffix_wraps", [=] { return arange(8, D) / 3; }},
      {"suffix_wraps_2d", [=] { return leaf(arange(16, D).reshape({2, 8}) / 3) * tensor(1.0); }},
      {"opts_precision2", [=] { return arange(5, F) / 3; }, opts(2, 1000, 3, 80)},
      {"opts_precision2_ties", [] { return tensor({0.125f, 0.375f, 0.625f, 1.5f}); }, opts(2, 1000, 3, 80)},
      {"opts_precision0", [] { return tensor({0.5f, 1.5f, 2.25f}); }, opts(0, 1000, 3, 80)},
      {"opts_precision6_sci", [=] { return tensor({1e-7, 0.5}, D); }, opts(6, 1000, 3, 80)},
      {"opts_threshold_edge", [] { return arange(10); }, opts(4, 5, 2, 80)},
      {"opts_threshold_2d", [=] { return arange(64, F).reshape({8, 8}) / 2; }, opts(4, 10, 1, 80)},
      {"opts_linewidth", [=] { return arange(20, F) / 3; }, opts(4, 1000, 3, 40)},
      {"opts_linewidth_tiny", [] { return arange(4); }, opts(4, 1000, 3, 5)},
  };
  // clang-format on
}

std::vector<Case> cuda_cases() {
  // clang-format off
  return {
      {"cuda_float", [] { return tensor({{1.f, 2.f}, {3.f, 4.f}}).cuda(); }},
      {"cuda_int32", [] { return arange(3, dtype(kInt32)).cuda(); }},
      {"cuda_grad", [] { return leaf((arange(3, dtype(kFloat)) / 2).cuda()); }},
  };
  // clang-format on
}

void check_cases(const std::vector<Case>& cases, const std::map<std::string, std::string>& fixtures) {
  for (const Case& c : cases) {
    INFO("case " << c.name);
    auto it = fixtures.find(c.name);
    REQUIRE(it != fixtures.end());
    PrintOptionsGuard guard(c.options);
    const Tensor t = c.make();
    CHECK(t.str() == it->second);
  }
}

}  // namespace

TEST_CASE("print: str() matches PyTorch's repr", "[print]") {
  const auto fixtures = load_fixtures();
  const auto cases = cpu_cases();
  check_cases(cases, fixtures);

  // Every fixture has its wick case, so a regenerated fixture cannot silently go untested.
  for (const auto& [name, text] : fixtures) {
    if (name.rfind("cuda_", 0) == 0) continue;
    INFO("fixture " << name);
    bool found = false;
    for (const Case& c : cases) found = found || c.name == name;
    CHECK(found);
  }
  CHECK(cases.size() + cuda_cases().size() == fixtures.size());
}

TEST_CASE("print: CUDA tensors name their device", "[print][cuda]") {
  WICK_REQUIRE_CUDA();
  check_cases(cuda_cases(), load_fixtures());
}

TEST_CASE("print: operator<<, toString and undefined tensors", "[print]") {
  const Tensor t = tensor({{1.f, 2.f}, {3.f, 4.f}});
  std::ostringstream os;
  os << t;
  CHECK(os.str() == t.str());
  CHECK(t.toString() == "CPUFloatType");
  CHECK(t.to(kDouble).toString() == "CPUDoubleType");
  CHECK(t.to(kInt64).toString() == "CPULongType");
  CHECK(t.to(kInt32).toString() == "CPUIntType");
  CHECK(t.to(kUInt8).toString() == "CPUByteType");
  CHECK(t.to(kBool).toString() == "CPUBoolType");
  CHECK(t.to(kHalf).toString() == "CPUHalfType");
  CHECK(t.to(kBFloat16).toString() == "CPUBFloat16Type");
  CHECK(Tensor().toString() == "UndefinedType");
  CHECK(Tensor().str() == "[ Tensor (undefined) ]");
}

TEST_CASE("print: set_printoptions checks its arguments and printing leaves the tape alone", "[print]") {
  CHECK_THROWS_WITH(set_printoptions(-1), Catch::Contains("wick::set_printoptions: precision must be >= 0"));
  CHECK_THROWS_WITH(set_printoptions(4, 1000, 0), Catch::Contains("edgeitems must be >= 1"));
  set_printoptions();
  CHECK(arange(3).str() == "tensor([0, 1, 2])");

  Tensor x = leaf(tensor({1.f, 2.f}));
  Tensor y = x * x;
  (void)y.str();
  y.sum().backward();
  CHECK(x.grad().str() == "tensor([2., 4.])");
}
