// 3-D (NCDHW) convolution, pooling, resampling and batch norm against PyTorch (tests/fixtures/nn_volumetric, from
// tools/gen_nn_fixtures.py): values and gradients in float64 and float32, through the ops, the functional forms
// and the modules; derivatives of first and second order by finite differences; bad input.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "../support/scoped_settings.h"
#include "conv_onednn.h"
#include "fixture.h"

using namespace wick;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;
using testing::OneDnnPath;
namespace F = wick::nn::functional;

namespace {
struct Precision {
  ScalarType dtype;
  double tol;
};
const Precision kPrecisions[] = {{kDouble, 1e-9}, {kFloat, 1e-4}};
}  // namespace

TEST_CASE("volumetric: conv3d and conv_transpose3d match PyTorch on oneDNN's 3-D primitives and composed from 2-D",
          "[nn][conv][conv3d]") {
  const Fixture f("nn_volumetric.safetensors");
  struct Path {
    const char* name;
    ScalarType dtype;
    bool onednn;
    double tol;
  };
  // float64 has no oneDNN kernels, so it folds depth into 2-D convolutions; float32 runs both ways.
  for (const Path& p : {Path{"float64 composed", kDouble, false, 1e-9}, Path{"float32 oneDNN", kFloat, true, 1e-4},
                        Path{"float32 composed", kFloat, false, 1e-4}}) {
    if (p.onednn && !cpu::onednn_available()) {
      WARN("oneDNN not built in: its 3-D path not checked");
      continue;
    }
    // The 3-D primitives are fused kernels (FusedOp::Conv3d); with those switched off every path is composed.
    if (p.onednn && !fused_kernels_enabled()) {
      WARN("fused kernels switched off (WICK_FUSED_KERNELS=0): oneDNN's 3-D path not checked");
      continue;
    }
    INFO("path: " << p.name);
    OneDnnPath path(p.onednn);
    const int primitives_before = cpu::conv_cached_primitives();
    auto run = [&](const std::string& name, std::vector<std::string> inputs, auto fn) {
      check_case(f, name, inputs, fn, p.dtype, p.tol, p.tol);
    };
    run("conv3d", {"x", "w", "b"}, [](Inputs& in) { return conv3d(in["x"], in["w"], in["b"]); });
    run("conv3d_strided_groups", {"x", "w", "b"}, [](Inputs& in) {
      return conv3d(in["x"], in["w"], in["b"], {2, 1, 2}, {1, 0, 1}, {1, 2, 1}, 2);
    });
    run("conv3d_same", {"x", "w"}, [](Inputs& in) { return conv3d(in["x"], in["w"], {}, 1, "same", {1, 2, 1}); });
    run("conv3d_unbatched", {"x", "w", "b"}, [](Inputs& in) { return conv3d(in["x"], in["w"], in["b"], 1, 1); });
    run("transpose3d", {"x", "w", "b"},
        [](Inputs& in) { return conv_transpose3d(in["x"], in["w"], in["b"], 2, 1, 1); });
    run("transpose3d_groups", {"x", "w"}, [](Inputs& in) {
      return conv_transpose3d(in["x"], in["w"], {}, {1, 2, 1}, {1, 0, 1}, {0, 1, 0}, 2, {2, 1, 1});
    });
    run("transpose3d_outpad", {"x", "w"}, [](Inputs& in) {
      return conv_transpose3d(in["x"], in["w"], {}, 1, 0, {1, 0, 0}, 1, 2);
    });
    // The oneDNN path really ran oneDNN (its per-thread primitive cache changed); the composed ones never did.
    if (p.dtype == kFloat) CHECK((cpu::conv_cached_primitives() != primitives_before) == p.onednn);
  }
}

TEST_CASE("volumetric: Conv3d and ConvTranspose3d modules and functional forms match PyTorch", "[nn][conv][conv3d]") {
  const Fixture f("nn_volumetric.safetensors");
  check_case(f, "conv3d_strided_groups", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv3d(
        in["x"], in["w"],
        F::Conv3dFuncOptions().bias(in["b"]).stride({2, 1, 2}).padding({1, 0, 1}).dilation({1, 2, 1}).groups(2));
  });
  check_case(f, "transpose3d", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv_transpose3d(in["x"], in["w"],
                               F::ConvTranspose3dFuncOptions().bias(in["b"]).stride(2).padding(1).output_padding(1));
  });
  // The reference weights copied into modules; the gradients land in the modules' parameters.
  const Inputs conv_in = check_case(f, "conv3d_same", {"x", "w"}, [](Inputs& in) {
    nn::Conv3d conv(nn::Conv3dOptions(2, 3, {4, 3, 2}).padding(kSame).dilation({1, 2, 1}).bias(false));
    conv->to(kDouble);
    REQUIRE(conv->weight.sizes() == in["w"].sizes());
    {
      NoGradGuard no_grad;
      conv->weight.copy_(in["w"]);
    }
    const Tensor y = conv(in["x"]);
    in["w"] = conv->weight;  // check_case then compares this parameter's gradient with PyTorch's dw
    return y;
  });
  CHECK(conv_in.at("w").grad().defined());
  check_case(f, "transpose3d_groups", {"x", "w"}, [](Inputs& in) {
    nn::ConvTranspose3d conv(nn::ConvTranspose3dOptions(4, 4, {2, 3, 3})
                                 .stride({1, 2, 1})
                                 .padding({1, 0, 1})
                                 .output_padding({0, 1, 0})
                                 .groups(2)
                                 .dilation({2, 1, 1})
                                 .bias(false));
    conv->to(kDouble);
    REQUIRE(conv->weight.sizes() == in["w"].sizes());
    {
      NoGradGuard no_grad;
      conv->weight.copy_(in["w"]);
    }
    const Tensor y = conv(in["x"]);
    in["w"] = conv->weight;
    return y;
  });
  std::ostringstream printed;
  printed << *nn::Conv3d(nn::Conv3dOptions(2, 4, 3).stride(2).padding(1));
  CHECK(printed.str() == "wick::nn::Conv3d(2, 4, kernel_size=[3, 3, 3], stride=[2, 2, 2], padding=[1, 1, 1])");
}

TEST_CASE("volumetric: max, average and adaptive 3-D pooling match PyTorch, indices included", "[nn][pool][pool3d]") {
  const Fixture f("nn_volumetric.safetensors");
  for (const Precision& p : kPrecisions) {
    auto run = [&](const std::string& name, auto fn) { check_case(f, name, {"x"}, fn, p.dtype, p.tol, p.tol); };
    auto with_indices = [&](const std::string& name, auto fn) {
      Tensor indices;
      run(name, [&](Inputs& in) {
        auto [y, i] = fn(in["x"]);
        indices = i;
        return y;
      });
      INFO("indices of " << name);
      CHECK(indices.dtype() == kInt64);
      CHECK(equal(indices, f(name + ".y1")));
    };
    with_indices("max3d", [](const Tensor& x) { return max_pool3d_with_indices(x, 2); });
    with_indices("max3d_ceil", [](const Tensor& x) { return max_pool3d_with_indices(x, 3, 2, 1, 1, true); });
    with_indices("max3d_dilated", [](const Tensor& x) {
      return max_pool3d_with_indices(x, {2, 2, 3}, {1, 2, 1}, 0, {2, 1, 2});
    });
    run("max3d_unbatched", [](Inputs& in) { return max_pool3d(in["x"], 2); });
    run("avg3d", [](Inputs& in) { return avg_pool3d(in["x"], 2); });
    run("avg3d_ceil", [](Inputs& in) { return avg_pool3d(in["x"], 3, 2, 1, true); });
    run("avg3d_nopad", [](Inputs& in) { return avg_pool3d(in["x"], 3, 2, 1, false, false); });
    run("avg3d_divisor", [](Inputs& in) { return avg_pool3d(in["x"], {2, 2, 3}, {}, 1, false, true, 7); });
    run("adaptive3d", [](Inputs& in) { return adaptive_avg_pool3d(in["x"], {3, 2, 4}); });
    run("adaptive3d_even", [](Inputs& in) { return adaptive_avg_pool3d(in["x"], 2); });
    run("adaptive3d_global", [](Inputs& in) { return adaptive_avg_pool3d(in["x"], 1); });
  }
  // modules and functional forms
  check_case(f, "max3d_ceil", {"x"}, [](Inputs& in) {
    nn::MaxPool3d pool(nn::MaxPool3dOptions(3).stride(2).padding(1).ceil_mode(true));
    return pool(in["x"]);
  });
  check_case(f, "max3d", {"x"}, [](Inputs& in) {
    auto [y, i] = nn::MaxPool3d(2)->forward_with_indices(in["x"]);
    return y;
  });
  check_case(f, "avg3d_nopad", {"x"}, [](Inputs& in) {
    nn::AvgPool3d pool(nn::AvgPool3dOptions(3).stride(2).padding(1).count_include_pad(false));
    return pool(in["x"]);
  });
  check_case(f, "avg3d_divisor", {"x"}, [](Inputs& in) {
    return F::avg_pool3d(in["x"], F::AvgPool3dFuncOptions({2, 2, 3}).padding(1).divisor_override(7));
  });
  check_case(f, "adaptive3d", {"x"}, [](Inputs& in) {
    nn::AdaptiveAvgPool3d pool(nn::AdaptiveAvgPool3dOptions({3, 2, 4}));
    return pool(in["x"]);
  });
}

TEST_CASE("volumetric: trilinear and nearest interpolation, and Upsample on volumes, match PyTorch",
          "[nn][pool][upsample]") {
  const Fixture f("nn_volumetric.safetensors");
  using O = F::InterpolateFuncOptions;
  for (const Precision& p : kPrecisions) {
    const double tol = p.dtype == kDouble ? 1e-7 : 1e-5;  // source positions are float32 in PyTorch too
    auto run = [&](const std::string& name, O options) {
      check_case(
          f, name, {"x"}, [&](Inputs& in) { return F::interpolate(in["x"], options); }, p.dtype, tol, tol);
    };
    run("trilinear", O().size(std::vector<int64_t>{5, 7, 4}).mode(kTrilinear).align_corners(false));
    run("trilinear_corners", O().size(std::vector<int64_t>{6, 5, 7}).mode(kTrilinear).align_corners(true));
    run("trilinear_scale", O().scale_factor(std::vector<double>{1.5, 2, 0.7}).mode(kTrilinear));
    run("nearest3d", O().size(std::vector<int64_t>{5, 7, 4}));
    run("nearest3d_scale", O().scale_factor(std::vector<double>{2}));
  }
  check_case(f, "trilinear_corners", {"x"}, [](Inputs& in) {
    nn::Upsample up(nn::UpsampleOptions().size(std::vector<int64_t>{6, 5, 7}).mode(kTrilinear).align_corners(true));
    return up(in["x"]);
  });
  check_case(f, "nearest3d", {"x"}, [](Inputs& in) { return upsample_nearest3d(in["x"], {5, 7, 4}); });
  check_case(
      f, "trilinear", {"x"},
      [](Inputs& in) {
        return upsample_trilinear3d(in["x"], {5, 7, 4}, false);
      },
      kDouble, 1e-7, 1e-7);
}

TEST_CASE("volumetric: BatchNorm3d trains and evaluates as PyTorch's", "[nn][norm]") {
  const Fixture f("nn_volumetric.safetensors");
  for (const bool training : {true, false}) {
    const std::string c = training ? "bn3d_train" : "bn3d_eval";
    INFO("case " << c);
    nn::BatchNorm3d bn(4);
    bn->to(kDouble);
    {
      NoGradGuard no_grad;
      bn->weight.copy_(f(c + ".w"));
      bn->bias.copy_(f(c + ".b"));
      bn->running_mean.copy_(f(c + ".rm"));
      bn->running_var.copy_(f(c + ".rv"));
    }
    bn->train(training);
    const Tensor x = f(c + ".x").requires_grad_();
    const Tensor y = bn(x);
    CHECK_CLOSE(y, f(c + ".y"), 1e-9, 1e-10);
    CHECK_CLOSE(bn->running_mean, f(c + ".y1"), 1e-9, 1e-10);
    CHECK_CLOSE(bn->running_var, f(c + ".y2"), 1e-9, 1e-10);
    (y * f(c + ".gy")).sum().backward();
    CHECK_CLOSE(x.grad(), f(c + ".dx"), 1e-9, 1e-10);
    CHECK_CLOSE(bn->weight.grad(), f(c + ".dw"), 1e-9, 1e-10);
    CHECK_CLOSE(bn->bias.grad(), f(c + ".db"), 1e-9, 1e-10);
  }
  CHECK_THROWS_WITH(nn::BatchNorm3d(4)(ones({2, 4, 3, 3})),
                    Catch::StartsWith("wick::nn::BatchNorm3d:") && Catch::Contains("expected 5D input"));
}

TEST_CASE("volumetric: first and second derivatives by finite differences (float64)", "[nn][gradcheck][conv3d]") {
  using V = std::vector<Tensor>;
  manual_seed(9);
  const auto check = [](auto fn, const V& inputs) {
    CHECK(autograd::gradcheck(fn, inputs) == "");
    CHECK(autograd::gradgradcheck(fn, inputs) == "");
  };
  const auto leaf = [](IntArrayRef shape) { return randn(shape, dtype(kDouble)).requires_grad_(); };
  check(
      [](const V& v) {
        return V{conv3d(v[0], v[1], v[2], {2, 1, 1}, {1, 0, 1}, {1, 1, 2}, 2)};
      },
      {leaf({1, 2, 4, 3, 5}), leaf({2, 1, 2, 2, 2}), leaf({2})});
  check(
      [](const V& v) {
        return V{conv_transpose3d(v[0], v[1], v[2], 2, 1, {1, 0, 1})};
      },
      {leaf({1, 2, 2, 3, 2}), leaf({2, 2, 2, 2, 3}), leaf({2})});
  const V x = {leaf({1, 2, 4, 5, 4})};
  check([](const V& v) { return V{max_pool3d(v[0], 2, 1, 1, 1, true)}; }, x);
  check([](const V& v) { return V{avg_pool3d(v[0], 3, 2, 1, true, false)}; }, x);
  check([](const V& v) { return V{adaptive_avg_pool3d(v[0], {3, 2, 3})}; }, x);
  check([](const V& v) { return V{upsample_trilinear3d(v[0], {5, 3, 6}, false)}; }, x);
  check([](const V& v) { return V{upsample_nearest3d(v[0], {6, 7, 3})}; }, x);
}

TEST_CASE("volumetric: bad inputs throw wick::Error naming the op and the values", "[nn][errors][conv3d]") {
  const Tensor x = ones({1, 3, 4, 5, 5}), w = ones({4, 3, 3, 3, 3});
  CHECK_THROWS_WITH(conv3d(ones({1, 2, 4, 5, 5}), w),
                    Catch::StartsWith("wick::conv3d:") && Catch::Contains("[1, 2, 4, 5, 5] has 2 channels"));
  CHECK_THROWS_WITH(conv3d(ones({1, 3, 2, 5, 5}), w),
                    Catch::StartsWith("wick::conv3d:") && Catch::Contains("larger than the padded input (2)"));
  CHECK_THROWS_WITH(conv3d(x, ones({4, 3, 3, 3})), Catch::StartsWith("wick::conv3d:") && Catch::Contains("5-D weight"));
  CHECK_THROWS_WITH(conv3d(x, w, {}, {1, 1}), Catch::StartsWith("wick::conv3d:") && Catch::Contains("1 or 3 values"));
  CHECK_THROWS_WITH(conv3d(x, w, {}, 2, "same"), Catch::StartsWith("wick::conv3d:") && Catch::Contains("strided"));
  CHECK_THROWS_WITH(conv3d(ones({5, 5, 5}), w),
                    Catch::StartsWith("wick::conv3d:") && Catch::Contains("4-D (unbatched)"));
  CHECK_THROWS_WITH(conv_transpose3d(x, ones({3, 2, 3, 3, 3}), {}, 1, 0, {0, 0, 1}),
                    Catch::StartsWith("wick::conv_transpose3d:") && Catch::Contains("output_padding"));
  CHECK_THROWS_WITH(conv_transpose3d(ones({1, 4, 2, 2, 2}), ones({3, 2, 3, 3, 3})),
                    Catch::StartsWith("wick::conv_transpose3d:") && Catch::Contains("has 4 channels"));
  CHECK_THROWS_WITH(max_pool3d(x, {5, 2, 2}), Catch::StartsWith("wick::max_pool3d:") && Catch::Contains("larger"));
  CHECK_THROWS_WITH(max_pool3d(x, 2, 2, {0, 2, 0}), Catch::StartsWith("wick::max_pool3d:") && Catch::Contains("half"));
  CHECK_THROWS_WITH(max_pool3d(ones({3, 4, 4}), 2),
                    Catch::StartsWith("wick::max_pool3d:") && Catch::Contains("4-D (unbatched) or 5-D (batched)"));
  CHECK_THROWS_WITH(avg_pool3d(x, 2, 2, 0, false, true, 0),
                    Catch::StartsWith("wick::avg_pool3d:") && Catch::Contains("divisor_override"));
  CHECK_THROWS_WITH(avg_pool3d(x, 2, 2, 2), Catch::StartsWith("wick::avg_pool3d:") && Catch::Contains("half"));
  CHECK_THROWS_WITH(adaptive_avg_pool3d(x, {2, 0, 2}),
                    Catch::StartsWith("wick::adaptive_avg_pool3d:") && Catch::Contains("output_size"));
  CHECK_THROWS_WITH(adaptive_avg_pool3d(ones({1, 3, 0, 5, 5}), 2),
                    Catch::StartsWith("wick::adaptive_avg_pool3d:") && Catch::Contains("empty spatial dim"));
  CHECK_THROWS_WITH(upsample_trilinear3d(ones({1, 3, 4, 4}), {2, 2, 2}, false),
                    Catch::StartsWith("wick::upsample_trilinear3d:") && Catch::Contains("5-D input"));
  CHECK_THROWS_WITH(upsample_nearest3d(x, {2, 2}),
                    Catch::StartsWith("wick::upsample_nearest3d:") && Catch::Contains("3 values"));
  CHECK_THROWS_WITH(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8, 8}).mode(kBilinear)),
                    Catch::Contains("4-D input"));
  CHECK_THROWS_WITH(
      F::interpolate(ones({1, 3, 4, 4}), F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8}).mode(kTrilinear)),
      Catch::Contains("5-D input"));
}
