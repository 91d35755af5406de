// bfloat16 unary and binary ops on the CPU run without float32 copies of their operands (elementwise_bf16.cpp):
// the same bits as widening to float32, computing and rounding once, and only the result's memory. where() picks
// bits (CpuBackend::where's 2-byte loop).
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "wick/memory_stats.h"
#include "wick/wick.h"

using namespace wick;

namespace {

// The same values and dtype, NaNs in the same places.
bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.sizes() != b.sizes()) return false;
  const Tensor fa = a.to(kFloat), fb = b.to(kFloat);
  return equal(isnan(fa), isnan(fb)) &&
         equal(where(isnan(fa), zeros_like(fa), fa), where(isnan(fb), zeros_like(fb), fb));
}

// Scalars below are bfloat16 values, so the float32 reference sees the same operand (a scalar is rounded to the
// tensor's dtype first, as PyTorch does: the last test case).
using Op = std::function<Tensor(const Tensor& x, const Tensor& y)>;
const std::vector<std::pair<std::string, Op>>& ops() {
  static const std::vector<std::pair<std::string, Op>> list = {
      {"relu", [](const Tensor& x, const Tensor&) { return relu(x); }},
      {"exp", [](const Tensor& x, const Tensor&) { return exp(x); }},
      {"log", [](const Tensor& x, const Tensor&) { return log(x); }},
      {"tanh", [](const Tensor& x, const Tensor&) { return tanh(x); }},
      {"sigmoid", [](const Tensor& x, const Tensor&) { return sigmoid(x); }},
      {"gelu", [](const Tensor& x, const Tensor&) { return gelu(x); }},
      {"sqrt", [](const Tensor& x, const Tensor&) { return sqrt(x); }},
      {"neg", [](const Tensor& x, const Tensor&) { return -x; }},
      {"leaky_relu", [](const Tensor& x, const Tensor&) { return leaky_relu(x, 0.1); }},
      {"clamp", [](const Tensor& x, const Tensor&) { return clamp(x, -0.5, 0.75); }},
      {"add", [](const Tensor& x, const Tensor& y) { return x + y; }},
      {"sub", [](const Tensor& x, const Tensor& y) { return x - y; }},
      {"mul", [](const Tensor& x, const Tensor& y) { return x * y; }},
      {"div", [](const Tensor& x, const Tensor& y) { return x / y; }},
      {"maximum", [](const Tensor& x, const Tensor& y) { return maximum(x, y); }},
      {"pow", [](const Tensor& x, const Tensor& y) { return pow(x, y); }},
      {"where", [](const Tensor& x, const Tensor& y) { return where(x > 0, x, y); }},
      {"masked_fill", [](const Tensor& x, const Tensor& y) { return masked_fill(x, y < 0, 0.5); }},
      {"add scalar", [](const Tensor& x, const Tensor&) { return x + 0.125; }},
      {"mul scalar", [](const Tensor& x, const Tensor&) { return x * 1.75; }},
      {"scalar minus", [](const Tensor& x, const Tensor&) { return 1.0 - x; }},
      {"div scalar", [](const Tensor& x, const Tensor&) { return x / 3.0; }},
  };
  return list;
}

}  // namespace

TEST_CASE("bfloat16 elementwise: the bits of float32 computation rounded once, at every size and thread count",
          "[bfloat16][elementwise]") {
  manual_seed(11);
  const int threads = get_num_threads();
  for (int64_t n : {int64_t(1), int64_t(63), int64_t(1000), int64_t(70001)}) {
    // Specials and values around them, among normal draws: NaN, infinities, zeros of both signs, a denormal.
    Tensor xf = randn({n}) * 3.0, yf = randn({n}) + 0.5;
    const std::vector<float> specials = {std::nanf(""), INFINITY, -INFINITY, 0.f, -0.f, 1e-39f, 88.f, -104.f};
    for (size_t i = 0; i < specials.size() && int64_t(i) < n; ++i) xf[int64_t(i) * (n / 8 + 1) % n] = specials[i];
    const Tensor x = xf.to(kBFloat16), y = yf.to(kBFloat16);
    for (int t : {1, 2}) {
      set_num_threads(t);
      for (const auto& [name, op] : ops()) {
        INFO(name << ", " << n << " elements, " << t << " threads");
        const Tensor got = op(x, y);
        REQUIRE(got.dtype() == kBFloat16);
        CHECK(same_bits(got, op(x.to(kFloat), y.to(kFloat)).to(kBFloat16)));
      }
    }
  }
  set_num_threads(threads);
}

TEST_CASE("bfloat16 elementwise: a scalar operand is rounded to bfloat16 first", "[bfloat16][elementwise]") {
  // 1 + 0.001 is 1.001 in float32 but 1 + 0 in bfloat16 arithmetic: 0.001 rounds to 0.0010004, and the sum to 1.
  const Tensor one = ones({70}, kBFloat16);
  CHECK(same_bits(one + 0.001, one));
  CHECK(same_bits(one * 1.001, one));                              // 1.001 rounds to 1
  CHECK(same_bits(one * 1.01, full({70}, 1.0078125, kBFloat16)));  // 1.01 rounds to 1.0078125
}

TEST_CASE("bfloat16 elementwise: a CPU op holds only its result, no float32 copies", "[bfloat16][elementwise]") {
  MemoryStatsGuard counting;
  const int64_t n = int64_t(1) << 20;
  const Tensor x = randn({n}).to(kBFloat16), y = randn({n}).to(kBFloat16);
  const int64_t result_bytes = n * 2;
  for (const auto& [name, op] : ops()) {
    if (name == "where" || name == "masked_fill") continue;  // they pick bits: there is no float32 to widen to
    INFO(name);
    reset_peak_memory_stats();
    const int64_t before = memory_allocated();
    const Tensor got = op(x, y);
    // Widening holds a float32 copy of x and a float32 result (4 bytes an element each) beside the result; an op
    // composed of two (1 - x) holds two bfloat16 results.
    CHECK(max_memory_allocated() - before <= 2 * result_bytes);
  }
}
