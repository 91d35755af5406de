// Pooling and resampling against PyTorch: values, argmax indices and gradients; float64 and float32.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "../support/scoped_settings.h"
#include "../support/skip.h"
#include "fixture.h"
#include "pool_onednn.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;
using testing::OneDnnPath;

TEST_CASE("pool: max, average and adaptive pooling match PyTorch", "[nn][pool]") {
  const Fixture f("nn_pool.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-10 : 1e-5;
    auto run = [&](const std::string& name, auto fn) { check_case(f, name, {"x"}, fn, dt, tol, tol); };
    auto with_indices = [&](const std::string& name, auto fn) {
      Tensor indices;
      run(name, [&](Inputs& in) {
        auto [y, i] = fn(in["x"]);
        indices = i;
        return y;
      });
      CHECK(equal(indices, f(name + ".y1")));
    };
    with_indices("max2", [](const Tensor& x) { return max_pool2d_with_indices(x, 2); });
    with_indices("max_ceil", [](const Tensor& x) { return max_pool2d_with_indices(x, 3, 2, 1, 1, true); });
    with_indices("max_dilated", [](const Tensor& x) { return max_pool2d_with_indices(x, {2, 3}, {1, 2}, 0, 2); });
    with_indices("max1d", [](const Tensor& x) { return max_pool1d_with_indices(x, 3, 2, 1); });
    run("max_unbatched", [](Inputs& in) { return max_pool2d(in["x"], 2); });
    run("avg_ceil", [](Inputs& in) { return avg_pool2d(in["x"], 3, 2, 1, true); });
    run("avg_nopad", [](Inputs& in) { return avg_pool2d(in["x"], 3, 2, 1, false, false); });
    run("avg_divisor", [](Inputs& in) { return avg_pool2d(in["x"], {2, 3}, {}, 1, false, true, 5); });
    run("avg1d", [](Inputs& in) { return avg_pool1d(in["x"], 3, 1, 1); });
    run("adaptive_uneven", [](Inputs& in) { return adaptive_avg_pool2d(in["x"], {3, 2}); });
    run("adaptive_global", [](Inputs& in) { return adaptive_avg_pool2d(in["x"], 1); });
    run("adaptive_even", [](Inputs& in) { return adaptive_avg_pool2d(in["x"], 2); });
    run("adaptive1d", [](Inputs& in) { return adaptive_avg_pool1d(in["x"], 4); });
  }
}

TEST_CASE("pool: functional options and pooling modules match PyTorch", "[nn][pool]") {
  const Fixture f("nn_pool.safetensors");
  check_case(f, "max_ceil", {"x"}, [](Inputs& in) {
    return F::max_pool2d(in["x"], F::MaxPool2dFuncOptions(3).stride(2).padding(1).ceil_mode(true));
  });
  check_case(f, "max_dilated", {"x"}, [](Inputs& in) {
    nn::MaxPool2d pool(nn::MaxPool2dOptions({2, 3}).stride({1, 2}).dilation(2));
    return pool(in["x"]);
  });
  check_case(f, "max1d", {"x"}, [](Inputs& in) {
    nn::MaxPool1d pool(nn::MaxPool1dOptions(3).stride(2).padding(1));
    return pool->forward(in["x"]);
  });
  check_case(f, "avg_nopad", {"x"}, [](Inputs& in) {
    return F::avg_pool2d(in["x"], F::AvgPool2dFuncOptions(3).stride(2).padding(1).count_include_pad(false));
  });
  check_case(f, "avg_divisor", {"x"}, [](Inputs& in) {
    nn::AvgPool2d pool(nn::AvgPool2dOptions({2, 3}).padding(1).divisor_override(5));
    return pool->forward(in["x"]);
  });
  check_case(f, "avg1d", {"x"}, [](Inputs& in) {
    nn::AvgPool1d pool(nn::AvgPool1dOptions(3).stride(1).padding(1));
    return pool->forward(in["x"]);
  });
  check_case(f, "adaptive_uneven", {"x"}, [](Inputs& in) {
    nn::AdaptiveAvgPool2d pool(nn::AdaptiveAvgPool2dOptions({3, 2}));
    return pool->forward(in["x"]);
  });
  check_case(f, "adaptive1d", {"x"},
             [](Inputs& in) { return F::adaptive_avg_pool1d(in["x"], F::AdaptiveAvgPool1dFuncOptions(4)); });
}

// The fixtures above run float32 average pooling on oneDNN where it is built in; this sweep holds oneDNN to
// the direct loops over every window rule, including the ceil_mode windows it must leave to them.
TEST_CASE("pool: average pooling on oneDNN agrees with the direct loops", "[nn][pool]") {
  WICK_REQUIRE_ONEDNN();
  manual_seed(4);
  struct G {
    int64_t h, w, k, stride, pad;
    bool ceil, include_pad;
  };
  const G sweep[] = {{28, 28, 2, 2, 0, false, true}, {11, 9, 3, 2, 1, false, true},  {11, 9, 3, 2, 1, false, false},
                     {10, 10, 3, 2, 1, true, true},  {10, 10, 3, 2, 1, true, false}, {7, 8, 2, 3, 1, true, false},
                     {7, 8, 2, 3, 1, true, true},    {5, 13, 4, 1, 2, false, false}, {9, 6, 3, 3, 0, true, true},
                     {1, 1, 1, 1, 0, false, true}};
  const int cached_before = cpu::avg_pool_cached_primitives();
  for (const G& g : sweep) {
    INFO(g.h << "x" << g.w << " k" << g.k << " s" << g.stride << " p" << g.pad << " ceil " << g.ceil << " include_pad "
             << g.include_pad);
    const Tensor x = randn({3, 4, g.h, g.w});
    Tensor weight, results[2][2];
    for (int onednn = 0; onednn < 2; ++onednn) {
      OneDnnPath path(onednn == 1);
      const Tensor xr = x.clone().requires_grad_();
      const Tensor y = avg_pool2d(xr, g.k, g.stride, g.pad, g.ceil, g.include_pad);
      if (!weight.defined()) weight = randn_like(y);  // a gradient that differs per output
      (y * weight).sum().backward();
      results[onednn][0] = y;
      results[onednn][1] = xr.grad();
    }
    CHECK_CLOSE(results[1][0], results[0][0], 1e-5, 1e-6);
    CHECK_CLOSE(results[1][1], results[0][1], 1e-5, 1e-6);
  }
  // A forward and a backward primitive for each geometry oneDNN can take: all but 10x10 k3 s2 p1 with ceil_mode
  // and count_include_pad, whose last window overhangs the right padding.
  CHECK(cpu::avg_pool_cached_primitives() - cached_before == 2 * 9);
}

TEST_CASE("pool: interpolate and Upsample (nearest, bilinear, linear) match PyTorch", "[nn][pool][upsample]") {
  const Fixture f("nn_pool.safetensors");
  using O = F::InterpolateFuncOptions;
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-7 : 1e-5;  // source positions are float32 in PyTorch too
    auto run = [&](const std::string& name, O options) {
      check_case(
          f, name, {"x"}, [&](Inputs& in) { return F::interpolate(in["x"], options); }, dt, tol, tol);
    };
    run("nearest_size", O().size(std::vector<int64_t>{7, 5}));
    run("nearest_scale", O().scale_factor(std::vector<double>{2}));
    run("nearest_frac", O().scale_factor(std::vector<double>{1.7, 0.6}));
    run("bilinear", O().size(std::vector<int64_t>{7, 5}).mode(kBilinear).align_corners(false));
    run("bilinear_corners", O().size(std::vector<int64_t>{7, 5}).mode(kBilinear).align_corners(true));
    run("bilinear_scale", O().scale_factor(std::vector<double>{1.7}).mode(kBilinear));
    run("bilinear_down", O().size(std::vector<int64_t>{3, 2}).mode(kBilinear));
    run("linear1d", O().size(std::vector<int64_t>{7}).mode(kLinear));
    run("nearest1d", O().scale_factor(std::vector<double>{2.5}));
  }
  check_case(f, "nearest_scale", {"x"}, [](Inputs& in) {
    nn::Upsample up(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}));
    return up->forward(in["x"]);
  });
  check_case(f, "bilinear_corners", {"x"}, [](Inputs& in) {
    nn::Upsample up(nn::UpsampleOptions().size(std::vector<int64_t>{7, 5}).mode(kBilinear).align_corners(true));
    return up->forward(in["x"]);
  });
  check_case(f, "nearest_size", {"x"}, [](Inputs& in) { return upsample_nearest2d(in["x"], {7, 5}); });
  check_case(
      f, "bilinear", {"x"},
      [](Inputs& in) {
        return upsample_bilinear2d(in["x"], {7, 5}, false);
      },
      kDouble, 1e-7, 1e-7);
}

TEST_CASE("pool: first and second derivatives by finite differences (float64)", "[nn][pool][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(5);
  const V x = {randn({2, 2, 5, 6}, dtype(kDouble)).requires_grad_()};
  const auto check = [&](auto fn) {
    CHECK(autograd::gradcheck(fn, x) == "");
    CHECK(autograd::gradgradcheck(fn, x) == "");
  };
  for (bool fused : {true, false}) {  // the backend's kernels, then their compositions of primitives
    INFO("fused kernels " << fused);
    testing::FusedKernels scope(fused && fused_kernels_enabled());
    check([](const V& v) { return V{max_pool2d(v[0], 3, 2, 1, 1, true)}; });
    check([](const V& v) { return V{max_pool2d(v[0], 2, 1, 0, 2)}; });
    check([](const V& v) { return V{avg_pool2d(v[0], 3, 2, 1, true, false)}; });
    check([](const V& v) { return V{avg_pool2d(v[0], 2, 1, 1, false, true, 3)}; });
  }
  check([](const V& v) { return V{adaptive_avg_pool2d(v[0], {3, 4})}; });
  check([](const V& v) { return V{upsample_bilinear2d(v[0], {7, 4}, false)}; });
  check([](const V& v) { return V{upsample_nearest2d(v[0], {9, 7})}; });
}

TEST_CASE("pool: bad inputs throw wick::Error naming the op", "[nn][pool][errors]") {
  const Tensor x = randn({1, 2, 4, 4});
  CHECK_THROWS_WITH(max_pool2d(x, 5), Catch::StartsWith("wick::max_pool2d:") && Catch::Contains("larger"));
  CHECK_THROWS_WITH(max_pool2d(x, 2, 2, 2), Catch::StartsWith("wick::max_pool2d:") && Catch::Contains("half"));
  CHECK_THROWS_WITH(max_pool2d(x, 0), Catch::StartsWith("wick::max_pool2d:") && Catch::Contains("kernel_size"));
  CHECK_THROWS_WITH(max_pool2d(randn({4, 4}), 2), Catch::StartsWith("wick::max_pool2d:"));
  CHECK_THROWS_WITH(max_pool2d(ones({1, 1, 4, 4}, dtype(kInt64)), 2), Catch::Contains("floating point"));
  CHECK_THROWS_WITH(max_pool1d(randn({1, 2, 3}), 4), Catch::StartsWith("wick::max_pool1d:"));
  CHECK_THROWS_WITH(avg_pool2d(x, 2, 2, 0, false, true, 0), Catch::StartsWith("wick::avg_pool2d:"));
  CHECK_THROWS_WITH(avg_pool2d(x, 2, 2, 2), Catch::StartsWith("wick::avg_pool2d:"));
  CHECK_THROWS_WITH(avg_pool1d(randn({1, 2, 3}), 4), Catch::StartsWith("wick::avg_pool1d:"));
  CHECK_THROWS_WITH(adaptive_avg_pool2d(x, {0, 2}), Catch::StartsWith("wick::adaptive_avg_pool2d:"));
  CHECK_THROWS_WITH(adaptive_avg_pool1d(randn({2, 3, 4, 5}), 2), Catch::StartsWith("wick::adaptive_avg_pool1d:"));
  CHECK_THROWS_WITH(upsample_nearest2d(randn({2, 3, 4}), {4, 4}), Catch::StartsWith("wick::upsample_nearest2d:"));
  CHECK_THROWS_WITH(upsample_bilinear2d(x, {0, 4}, false), Catch::StartsWith("wick::upsample_bilinear2d:"));
  CHECK_THROWS_WITH(F::interpolate(x), Catch::Contains("size or scale_factor"));
  CHECK_THROWS_WITH(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{8, 8}).align_corners(true)),
                    Catch::Contains("align_corners"));
  CHECK_THROWS_WITH(F::interpolate(x, F::InterpolateFuncOptions().size(std::vector<int64_t>{8}).mode(kLinear)),
                    Catch::Contains("3-D"));
}
