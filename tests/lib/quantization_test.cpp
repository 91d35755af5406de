// Dynamic int8 linear layers (wick/quantized_linear.h) against PyTorch 1.13's quantize_dynamic with
// per_channel_dynamic_qconfig on its onednn engine (tests/fixtures/quantization.safetensors, written by
// tools/gen_quantization_fixtures.py), the int8 dtype they store weights in, and their errors.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "../support/fixtures.h"
#include "../support/scoped_settings.h"
#include "../support/temp_dir.h"

using namespace wick;
using namespace wick::testing;

namespace {

const std::vector<std::string> kCases = {"one",      "odd",      "panel",    "mnist_layer", "no_bias",   "rows",
                                         "positive", "negative", "constant", "tiny_range",  "wide_range"};

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes() || a.dtype() != b.dtype()) return false;
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr(), cb.data_ptr(), size_t(ca.numel() * ca.element_size())) == 0;
}

// The largest difference from PyTorch, in units of the output's largest magnitude. PyTorch's onednn engine
// quantizes an activation by x / scale where wick multiplies by 1 / scale; at an exact rounding tie the two may
// pick neighbouring integers, which moves an output by one activation step times a weight (~1e-4 relative).
double relative_error(const Tensor& actual, const Tensor& expected) {
  const double scale = std::max(1e-30, expected.abs().max().item<double>());
  return (actual - expected).abs().max().item<double>() / scale;
}

}  // namespace

TEST_CASE("quantization: weights quantize per channel exactly as PyTorch's", "[quantization][reference]") {
  const RefFile f("quantization.safetensors");
  for (const std::string& c : kCases) {
    INFO("case " << c);
    auto [weight, scale] = quantization::quantize_per_channel_symmetric(f.get(c + ".weight"));
    CHECK(weight.dtype() == kInt8);
    CHECK(bitwise_equal(weight, f.get(c + ".weight_int8")));
    CHECK(bitwise_equal(scale, f.get(c + ".weight_scale")));
  }
}

TEST_CASE("quantization: linear_dynamic matches PyTorch's quantized layer, fused and composed alike",
          "[quantization][reference]") {
  const RefFile f("quantization.safetensors");
  for (const std::string& c : kCases) {
    INFO("case " << c);
    const quantization::PackedLinearWeight w(f.get(c + ".weight_int8"), f.get(c + ".weight_scale"));
    const Tensor bias = f.has(c + ".bias") ? f.get(c + ".bias") : Tensor();
    const Tensor x = f.get(c + ".x"), expected = f.get(c + ".y");
    Tensor fused, composed;
    {
      const FusedKernels on(true);
      fused = quantization::linear_dynamic(x, w, bias);
    }
    {
      const FusedKernels off(false);
      composed = quantization::linear_dynamic(x, w, bias);
    }
    CHECK(fused.sizes() == expected.sizes());
    CHECK(fused.dtype() == kFloat);
    CHECK(bitwise_equal(fused, composed));  // one arithmetic, two implementations
    CHECK(relative_error(fused, expected) < 2e-4);
    // Batched inputs: any leading dims, each row quantized with the whole call's range, as PyTorch.
    const Tensor x3 = x.unsqueeze(0).expand({2, x.size(0), x.size(1)}).contiguous();
    CHECK(bitwise_equal(quantization::linear_dynamic(x3, w, bias)[1], fused));
  }
}

TEST_CASE("quantization: the float weights dequantize back within half a step", "[quantization]") {
  const RefFile f("quantization.safetensors");
  const Tensor w = f.get("mnist_layer.weight");
  auto [q, scale] = quantization::quantize_per_channel_symmetric(w);
  const Tensor back = quantization::dequantize_per_channel(q, scale);
  const Tensor err = (back - w).abs() / scale.unsqueeze(1);
  CHECK(err.max().item<double>() <= 0.5 + 1e-4);  // half a step, plus float32 rounding of the ratio
}

TEST_CASE("quantization: int8 tensors promote, print, convert and save as PyTorch's", "[quantization][dtype]") {
  const RefFile f("quantization.safetensors");
  const std::vector<ScalarType> order = {kBool, kUInt8, kInt8, kInt32, kInt64, kHalf, kBFloat16, kFloat, kDouble};
  const std::vector<double> promoted = to_doubles(f.get("promote_int8"));
  REQUIRE(promoted.size() == order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    INFO("int8 with " << dtype_name(order[i]));
    // PyTorch promotes uint8 with int8 to int16, which wick lacks: int32 holds the same values.
    const ScalarType expected = promoted[i] < 0 ? kInt32 : order[size_t(promoted[i])];
    CHECK(promote_types(kInt8, order[i]) == expected);
    CHECK(promote_types(order[i], kInt8) == expected);
  }
  const Tensor t = tensor({-128, -1, 0, 127}, dtype(kInt8));
  CHECK(t.element_size() == 1);
  CHECK(t.index({0}).item<int64_t>() == -128);
  CHECK(t.sum().item<int64_t>() == -2);
  CHECK(t.sum().dtype() == kInt64);
  CHECK((t + t).dtype() == kInt8);
  CHECK((t + t).index({3}).item<int64_t>() == -2);  // wraps, as int8 arithmetic does in PyTorch
  CHECK(bitwise_equal(t.to(kFloat), tensor({-128.f, -1.f, 0.f, 127.f})));
  std::ostringstream printed;
  printed << t;
  CHECK(printed.str().find("-128") != std::string::npos);
  std::ostringstream type_name;
  type_name << t.dtype() << " " << ScalarType(kChar);
  CHECK(type_name.str() == "signed char Char");
  const TempDir dir;
  save_safetensors(dir.file("int8.safetensors"), {{"w", t}});
  const auto loaded = load_safetensors(dir.file("int8.safetensors"));
  CHECK(bitwise_equal(loaded.at("w"), t));
}

TEST_CASE("quantization: bad input throws naming the op and the values", "[quantization][errors]") {
  const Tensor wq = quantization::quantize_per_channel_symmetric(randn({6, 10})).first;
  const Tensor scale = full({6}, 0.01f);
  const quantization::PackedLinearWeight w(wq, scale);
  using Catch::Matchers::Contains;
  CHECK_THROWS_WITH(quantization::linear_dynamic(randn({3, 9}), w), Contains("linear_dynamic") && Contains("[3, 9]"));
  CHECK_THROWS_WITH(quantization::linear_dynamic(randn({3, 10}, dtype(kDouble)), w), Contains("float32"));
  CHECK_THROWS_WITH(quantization::linear_dynamic(randn({3, 10}), w, randn({5})), Contains("bias"));
  CHECK_THROWS_WITH(quantization::linear_dynamic(randn({3, 10}, requires_grad()), w), Contains("requires grad"));
  for (bool fused : {true, false}) {
    const FusedKernels setting(fused);
    for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
      Tensor x = randn({3, 10});
      x.index_put_({1, 4}, bad);
      CHECK_THROWS_WITH(quantization::linear_dynamic(x, w),
                        Contains("linear_dynamic") && Contains("NaN or an infinity"));
    }
  }
  CHECK_THROWS_WITH(quantization::PackedLinearWeight(wq.to(kInt32), scale), Contains("int8"));
  CHECK_THROWS_WITH(quantization::PackedLinearWeight(wq, full({5}, 0.01f)), Contains("[6]"));
  CHECK_THROWS_WITH(quantization::quantize_per_channel_symmetric(randn({3})), Contains("[3]"));
  Tensor inf_weight = randn({2, 2});
  inf_weight.index_put_({0, 1}, std::numeric_limits<float>::infinity());
  CHECK_THROWS_WITH(quantization::quantize_per_channel_symmetric(inf_weight), Contains("weight[0, 1]"));
  // Empty batches work and give empty outputs.
  CHECK(quantization::linear_dynamic(empty({0, 10}), w).sizes() == IntArrayRef({0, 6}));
}
