// Convolutions against PyTorch: values and gradients, on the oneDNN path (float32) and on the portable
// im2col path (float32 forced, and float64), plus the primitive cache and bad-input errors.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "../support/scoped_settings.h"
#include "../support/skip.h"
#include "conv_onednn.h"
#include "fixture.h"

using namespace wick;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;

using testing::OneDnnPath;

namespace {

struct Path {
  const char* name;
  ScalarType dtype;
  bool onednn;
  double rtol, atol;
};
const Path kPaths[] = {{"float64 portable", kDouble, false, 1e-9, 1e-10},
                       {"float32 oneDNN", kFloat, true, 1e-4, 1e-4},
                       {"float32 portable", kFloat, false, 1e-4, 1e-4}};

}  // namespace

TEST_CASE("conv: conv1d, conv2d and transposed convolutions match PyTorch on every CPU path", "[nn][conv]") {
  const Fixture f("nn_conv.safetensors");
  for (const Path& p : kPaths) {
    if (p.onednn && !cpu::onednn_available()) continue;
    INFO("path: " << p.name);
    OneDnnPath path(p.onednn);
    auto run = [&](const std::string& name, std::vector<std::string> inputs, auto fn) {
      check_case(f, name, inputs, fn, p.dtype, p.rtol, p.atol);
    };
    run("basic", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"]); });
    run("strided", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], {2, 1}, {1, 0}); });
    run("dilated_groups", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], 1, 2, 2, 2); });
    run("same_odd", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], 1, "same"); });
    run("same_dilated", {"x", "w"}, [](Inputs& in) { return conv2d(in["x"], in["w"], {}, 1, "same", {2, 3}); });
    run("valid", {"x", "w"}, [](Inputs& in) { return conv2d(in["x"], in["w"], {}, 1, std::string("valid")); });
    run("pointwise", {"x", "w"}, [](Inputs& in) { return conv2d(in["x"], in["w"]); });
    run("depthwise", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], 1, 1, 1, 4); });
    run("wide", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], 1, 1); });
    run("strided_uneven", {"x", "w"}, [](Inputs& in) { return conv2d(in["x"], in["w"], {}, 3); });
    run("unbatched", {"x", "w", "b"}, [](Inputs& in) { return conv2d(in["x"], in["w"], in["b"], 1, 1); });
    run("conv1d", {"x", "w", "b"}, [](Inputs& in) { return conv1d(in["x"], in["w"], in["b"], 2, 1); });
    run("conv1d_same", {"x", "w"}, [](Inputs& in) { return conv1d(in["x"], in["w"], {}, 1, "same", 2); });
    run("transpose", {"x", "w", "b"}, [](Inputs& in) { return conv_transpose2d(in["x"], in["w"], in["b"], 2, 1, 1); });
    run("transpose_groups", {"x", "w"},
        [](Inputs& in) { return conv_transpose2d(in["x"], in["w"], {}, 1, 1, 0, 2, 2); });
    run("transpose1d", {"x", "w", "b"}, [](Inputs& in) { return conv_transpose1d(in["x"], in["w"], in["b"], 3, 1); });
  }
}

TEST_CASE("conv: functional options and Conv modules with padding modes match PyTorch", "[nn][conv]") {
  namespace F = nn::functional;
  const Fixture f("nn_conv.safetensors");
  check_case(f, "strided", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv2d(in["x"], in["w"], F::Conv2dFuncOptions().bias(in["b"]).stride({2, 1}).padding({1, 0}));
  });
  check_case(f, "same_odd", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv2d(in["x"], in["w"], F::Conv2dFuncOptions().bias(in["b"]).padding(kSame));
  });
  check_case(f, "conv1d", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv1d(in["x"], in["w"], F::Conv1dFuncOptions().bias(in["b"]).stride(2).padding(1));
  });
  check_case(f, "transpose", {"x", "w", "b"}, [](Inputs& in) {
    return F::conv_transpose2d(in["x"], in["w"],
                               F::ConvTranspose2dFuncOptions().bias(in["b"]).stride(2).padding(1).output_padding(1));
  });
  // modules: the reference weights copied in; gradients land in the module's parameters
  const auto check_module = [&](const std::string& name, auto conv) {
    conv->to(kDouble);
    {
      NoGradGuard g;
      conv->weight.copy_(f(name + ".w"));
      if (conv->bias.defined()) conv->bias.copy_(f(name + ".b"));
    }
    check_case(f, name, {"x"}, [&](Inputs& in) { return conv->forward(in["x"]); });
    CHECK_CLOSE(conv->weight.grad(), f(name + ".dw"), 1e-9, 1e-10);
    if (conv->bias.defined()) CHECK_CLOSE(conv->bias.grad(), f(name + ".db"), 1e-9, 1e-10);
  };
  check_module("circular", nn::Conv2d(nn::Conv2dOptions(2, 3, {5, 3}).padding({2, 1}).padding_mode(kCircular)));
  check_module("replicate",
               nn::Conv2d(nn::Conv2dOptions(2, 2, 3).padding(1).stride(2).bias(false).padding_mode(kReplicate)));
  check_module("dilated_groups", nn::Conv2d(nn::Conv2dOptions(4, 6, 3).padding(2).dilation(2).groups(2)));
  check_module("same_odd", nn::Conv2d(nn::Conv2dOptions(2, 3, {4, 3}).padding("same")));
  check_module("conv1d", nn::Conv1d(nn::Conv1dOptions(3, 4, 3).stride(2).padding(1)));
  check_module("transpose",
               nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4, 3, 3).stride(2).padding(1).output_padding(1)));
  check_module("transpose1d", nn::ConvTranspose1d(nn::ConvTranspose1dOptions(3, 2, 4).stride(3).padding(1)));
}

TEST_CASE("conv: the oneDNN and portable paths agree over a sweep of geometries", "[nn][conv]") {
  WICK_REQUIRE_ONEDNN();
  manual_seed(3);
  struct G {
    int64_t n, c, h, w, oc, kh, kw, stride, pad, dil, groups;
  };
  const G sweep[] = {{1, 1, 28, 28, 6, 5, 5, 1, 2, 1, 1}, {4, 6, 14, 14, 16, 5, 5, 1, 0, 1, 1},
                     {2, 3, 9, 7, 4, 3, 3, 2, 1, 1, 1},   {2, 4, 10, 10, 8, 3, 3, 1, 2, 2, 2},
                     {1, 8, 6, 6, 8, 3, 3, 1, 1, 1, 8},   {3, 5, 7, 11, 7, 1, 1, 1, 0, 1, 1},
                     {2, 3, 8, 8, 4, 2, 4, 3, 1, 1, 1},   {1, 16, 5, 5, 16, 3, 3, 2, 1, 1, 4},
                     {2, 2, 4, 4, 3, 4, 4, 1, 0, 1, 1},   {1, 3, 13, 6, 2, 3, 1, 2, 0, 3, 1}};
  for (const G& g : sweep) {
    INFO("geometry n" << g.n << " c" << g.c << " " << g.h << "x" << g.w << " oc" << g.oc << " k" << g.kh << "x" << g.kw
                      << " s" << g.stride << " p" << g.pad << " d" << g.dil << " g" << g.groups);
    const Tensor x = randn({g.n, g.c, g.h, g.w}), w = randn({g.oc, g.c / g.groups, g.kh, g.kw}), b = randn({g.oc});
    Tensor results[2][4];
    for (int onednn = 0; onednn < 2; ++onednn) {
      OneDnnPath path(onednn == 1);
      const Tensor xr = x.clone().requires_grad_(), wr = w.clone().requires_grad_(), br = b.clone().requires_grad_();
      const Tensor y = conv2d(xr, wr, br, g.stride, g.pad, g.dil, g.groups);
      (y * y).sum().backward();
      results[onednn][0] = y;
      results[onednn][1] = xr.grad();
      results[onednn][2] = wr.grad();
      results[onednn][3] = br.grad();
    }
    for (int k = 0; k < 4; ++k) {
      const double scale = results[0][k].abs().max().item<double>() + 1;
      CHECK_CLOSE(results[1][k], results[0][k], 1e-4, 1e-5 * scale);
    }
  }
}

TEST_CASE("conv: oneDNN primitives are created once per geometry and thread", "[nn][conv]") {
  WICK_REQUIRE_ONEDNN();
  OneDnnPath path(true);
  const Tensor x = randn({3, 2, 9, 9}), w = randn({5, 2, 3, 3}).requires_grad_();
  (void)conv2d(x, w);
  const int after_first = cpu::conv_cached_primitives();
  for (int i = 0; i < 5; ++i) (void)conv2d(x, w);
  CHECK(cpu::conv_cached_primitives() == after_first);
  conv2d(x, w).sum().backward();  // adds the weight-gradient primitive
  const int after_backward = cpu::conv_cached_primitives();
  CHECK(after_backward == after_first + 1);
  for (int i = 0; i < 3; ++i) conv2d(x, w).sum().backward();
  CHECK(cpu::conv_cached_primitives() == after_backward);
}

TEST_CASE("conv: first and second derivatives by finite differences (float64)", "[nn][conv][gradcheck]") {
  using V = std::vector<Tensor>;
  const auto leaf = [](IntArrayRef shape, uint64_t seed) {
    manual_seed(seed);
    return randn(shape, dtype(kDouble)).requires_grad_();
  };
  for (bool fused : {true, false}) {  // the backend's kernels, then their compositions of primitives
    INFO("fused kernels " << fused);
    testing::FusedKernels scope(fused && fused_kernels_enabled());
    const V conv_in = {leaf({2, 4, 6, 5}, 1), leaf({6, 2, 3, 2}, 2), leaf({6}, 3)};
    const auto conv = [](const V& v) { return V{conv2d(v[0], v[1], v[2], {2, 1}, 1, {1, 2}, 2)}; };
    CHECK(autograd::gradcheck(conv, conv_in) == "");
    CHECK(autograd::gradgradcheck(conv, conv_in) == "");
    const V tr_in = {leaf({1, 4, 3, 4}, 4), leaf({4, 3, 3, 2}, 5), leaf({6}, 6)};
    const auto tr = [](const V& v) { return V{conv_transpose2d(v[0], v[1], v[2], 2, 1, 1, 2)}; };
    CHECK(autograd::gradcheck(tr, tr_in) == "");
    CHECK(autograd::gradgradcheck(tr, tr_in) == "");
    // output_padding 1 at stride 1 (allowed below dilation 2): the last output row is one no window reaches
    const V pad_in = {leaf({1, 2, 3, 3}, 9), leaf({2, 2, 2, 2}, 10)};
    const auto padded = [](const V& v) { return V{conv_transpose2d(v[0], v[1], {}, 1, 0, {1, 0}, 1, 2)}; };
    CHECK(autograd::gradcheck(padded, pad_in) == "");
    CHECK(autograd::gradgradcheck(padded, pad_in) == "");
    const V same_in = {leaf({2, 2, 7}, 7), leaf({3, 2, 4}, 8)};
    const auto same = [](const V& v) { return V{conv1d(v[0], v[1], {}, 1, "same")}; };
    CHECK(autograd::gradcheck(same, same_in) == "");
    CHECK(autograd::gradgradcheck(same, same_in) == "");
  }
}

TEST_CASE("conv: double backward on the oneDNN path equals the portable path", "[nn][conv]") {
  WICK_REQUIRE_ONEDNN();
  manual_seed(11);
  const Tensor x0 = randn({2, 3, 7, 7}), w0 = randn({4, 3, 3, 3});
  Tensor grads[2][2];
  for (int onednn = 0; onednn < 2; ++onednn) {
    OneDnnPath path(onednn == 1);
    const Tensor x = x0.clone().requires_grad_(), w = w0.clone().requires_grad_();
    const Tensor y = conv2d(x, w, {}, 2, 1);
    const auto g = autograd::grad({(y * y).sum()}, {x, w}, {}, std::nullopt, /*create_graph=*/true);
    ((g[0] * g[0]).sum() + (g[1] * g[1]).sum()).backward();
    grads[onednn][0] = x.grad();
    grads[onednn][1] = w.grad();
  }
  for (int k = 0; k < 2; ++k) {
    const double scale = grads[0][k].abs().max().item<double>();
    CHECK_CLOSE(grads[1][k], grads[0][k], 1e-4, 1e-5 * scale);
  }
}

TEST_CASE("conv: bad inputs throw wick::Error naming the op", "[nn][conv][errors]") {
  const Tensor x = randn({1, 3, 8, 8});
  CHECK_THROWS_WITH(conv2d(x, randn({4, 2, 3, 3})), Catch::StartsWith("wick::conv2d:") &&
                                                        Catch::Contains("3 channels") &&
                                                        Catch::Contains("[4, 2, 3, 3]"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 9, 9})), Catch::StartsWith("wick::conv2d:") && Catch::Contains("larger"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}), {}, 1, "full"),
                    Catch::StartsWith("wick::conv2d:") && Catch::Contains("\"same\" or \"valid\""));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}), {}, 2, "same"),
                    Catch::StartsWith("wick::conv2d:") && Catch::Contains("strided"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}), randn({3})), Catch::Contains("bias"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}), {}, 0), Catch::Contains("stride"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}), {}, 1, -1), Catch::Contains("padding"));
  CHECK_THROWS_WITH(conv2d(x, randn({4, 3, 3, 3}, dtype(kDouble))), Catch::Contains("dtype"));
  CHECK_THROWS_WITH(conv2d(randn({8, 8}), randn({4, 3, 3, 3})), Catch::StartsWith("wick::conv2d:"));
  CHECK_THROWS_WITH(conv2d(x, randn({5, 1, 3, 3}), {}, 1, 0, 1, 3), Catch::Contains("divisible by groups"));
  CHECK_THROWS_WITH(conv1d(randn({1, 3, 4}), randn({2, 3, 5})), Catch::StartsWith("wick::conv1d:"));
  CHECK_THROWS_WITH(conv_transpose2d(x, randn({4, 3, 3, 3})), Catch::StartsWith("wick::conv_transpose2d:"));
  CHECK_THROWS_WITH(conv_transpose2d(x, randn({3, 2, 3, 3}), {}, 1, 0, 1),
                    Catch::StartsWith("wick::conv_transpose2d:") && Catch::Contains("output_padding"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding("full")), Catch::StartsWith("wick::nn::Conv2d:"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).groups(2)), Catch::StartsWith("wick::nn::Conv2d:"));
  CHECK_THROWS_WITH(nn::Conv2d(nn::Conv2dOptions(3, 4, 3).padding(kSame).stride(2)), Catch::Contains("strided"));
  nn::Conv2d conv(3, 4, 3);
  CHECK_THROWS_WITH(conv->forward(randn({1, 2, 8, 8})),
                    Catch::StartsWith("wick::conv2d:") && Catch::Contains("channels"));
}
