// Batch, layer and group normalisation and normalize() against PyTorch (values, gradients, running
// statistics), the modules' buffers and modes, and finite-difference checks.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "../support/scoped_settings.h"
#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;

TEST_CASE("norm: batch_norm (train and eval) matches PyTorch, running statistics included", "[nn][norm]") {
  const Fixture f("nn_norm.safetensors");
  for (const char* name : {"bn2d_train", "bn1d_train", "bn1d_seq_train", "bn2d_eval"}) {
    const bool training = std::string(name).find("train") != std::string::npos;
    Tensor rm, rv;
    check_case(f, name, {"x", "w", "b"}, [&](Inputs& in) {
      rm = f(std::string(name) + ".rm");
      rv = f(std::string(name) + ".rv");
      return F::batch_norm(in["x"], rm, rv,
                           F::BatchNormFuncOptions().weight(in["w"]).bias(in["b"]).training(training).momentum(0.1));
    });
    INFO(name);
    CHECK_CLOSE(rm, f(std::string(name) + ".y1"), 1e-9, 1e-10);
    CHECK_CLOSE(rv, f(std::string(name) + ".y2"), 1e-9, 1e-10);
  }
  // the ATen-style top-level form
  check_case(f, "bn2d_eval", {"x", "w", "b"}, [&](Inputs& in) {
    return batch_norm(in["x"], in["w"], in["b"], f("bn2d_eval.rm"), f("bn2d_eval.rv"), false, 0.1, 1e-5);
  });
  // float32: the fused path (oneDNN's primitives where built in), running statistics kept in float32
  for (const char* name : {"bn2d_train", "bn1d_seq_train", "bn2d_eval"}) {
    INFO(name);
    const bool training = std::string(name).find("train") != std::string::npos;
    const Tensor rm = f(std::string(name) + ".rm").to(kFloat), rv = f(std::string(name) + ".rv").to(kFloat);
    check_case(f, name, {"x", "w", "b"}, [&](Inputs& in) {
      return batch_norm(in["x"], in["w"], in["b"], rm, rv, training, 0.1, 1e-5);
    }, kFloat, 1e-4, 1e-4);
    CHECK(rm.dtype() == kFloat);
    CHECK_CLOSE(rm, f(std::string(name) + ".y1"), 1e-5, 1e-6);
    CHECK_CLOSE(rv, f(std::string(name) + ".y2"), 1e-5, 1e-6);
  }
}

// float32 normalisation takes the backend's fused primitives (oneDNN on the CPU) where float64 is composed
// from reductions and arithmetic: both must give the same values and gradients, in every layout and option.
// The float64 reference is composed from the public ops (fused kernels off), so it is independent of the fused
// kernels, which since batch norm's own kernel run float64 too.
TEST_CASE("norm: the fused float32 path agrees with the float64 composition", "[nn][norm]") {
  manual_seed(11);
  using Norm = std::function<Tensor(const Tensor& x, const Tensor& w, const Tensor& b)>;
  struct Case {
    const char* name;
    std::vector<int64_t> x_shape, param_shape;
    Norm fn;
  };
  const Tensor rm = rand({3}), rv = rand({3}) + 0.5;  // eval-mode statistics, as float32 buffers
  const std::vector<Case> cases = {
      {"batch_norm train 4-D", {4, 3, 5, 2}, {3}, [](auto& x, auto& w, auto& b) {
         return batch_norm(x, w, b, {}, {}, true, 0.1, 1e-5); }},
      {"batch_norm train 2-D", {6, 3}, {3}, [](auto& x, auto& w, auto& b) {
         return batch_norm(x, w, b, {}, {}, true, 0.1, 1e-3); }},
      {"batch_norm train 5-D, no affine", {2, 3, 2, 3, 2}, {3}, [](auto& x, auto&, auto&) {
         return batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-5); }},
      {"batch_norm train, weight only", {4, 3, 7}, {3}, [](auto& x, auto& w, auto&) {
         return batch_norm(x, w, {}, {}, {}, true, 0.1, 1e-5); }},
      {"batch_norm eval", {4, 3, 3, 3}, {3}, [&](auto& x, auto& w, auto& b) {
         return batch_norm(x, w, b, rm.to(x.dtype()), rv.to(x.dtype()), false, 0.1, 1e-5); }},
      // Longer runs per channel (S = 40, 36): channels that span several vectors of a row.
      {"batch_norm train, long runs", {3, 3, 8, 5}, {3}, [](auto& x, auto& w, auto& b) {
         return batch_norm(x, w, b, {}, {}, true, 0.1, 1e-5); }},
      {"batch_norm train, long runs, bias only", {2, 3, 40}, {3}, [](auto& x, auto&, auto& b) {
         return batch_norm(x, {}, b, {}, {}, true, 0.1, 1e-5); }},
      {"batch_norm eval, long runs", {2, 3, 6, 6}, {3}, [&](auto& x, auto& w, auto& b) {
         return batch_norm(x, w, b, rm.to(x.dtype()), rv.to(x.dtype()), false, 0.1, 1e-5); }},
      {"layer_norm last dim", {4, 6, 10}, {10}, [](auto& x, auto& w, auto& b) { return layer_norm(x, {10}, w, b); }},
      {"layer_norm two dims", {3, 4, 5}, {4, 5}, [](auto& x, auto& w, auto& b) {
         return layer_norm(x, {4, 5}, w, b, 1e-3); }},
      {"layer_norm whole input, no affine", {4, 5}, {4, 5}, [](auto& x, auto&, auto&) { return layer_norm(x, {4, 5}); }},
      {"layer_norm bias only", {7, 8}, {8}, [](auto& x, auto&, auto& b) { return layer_norm(x, {8}, {}, b); }},
      {"group_norm", {3, 6, 4, 2}, {6}, [](auto& x, auto& w, auto& b) { return group_norm(x, 3, w, b); }},
      {"group_norm no affine", {2, 4, 5}, {4}, [](auto& x, auto&, auto&) { return group_norm(x, 2); }},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const Tensor x64 = randn(c.x_shape, dtype(kDouble)) * 3 + 1, w64 = randn(c.param_shape, dtype(kDouble)),
                 b64 = randn(c.param_shape, dtype(kDouble)), gy64 = randn(c.x_shape, dtype(kDouble));
    std::vector<Tensor> grads[2];
    Tensor outputs[2];
    for (int i = 0; i < 2; ++i) {
      const ScalarType dt = i == 0 ? kDouble : kFloat;
      auto leaf = [dt](const Tensor& t) { return t.to(dt).detach().requires_grad_(); };
      const Tensor x = leaf(x64), w = leaf(w64), b = leaf(b64);
      const wick::testing::FusedKernels fused(i != 0);
      outputs[i] = c.fn(x, w, b);
      CHECK(outputs[i].dtype() == dt);
      (outputs[i] * gy64.to(dt)).sum().backward();
      for (const Tensor* t : {&x, &w, &b}) grads[i].push_back(t->grad().defined() ? t->grad() : zeros_like(*t));
    }
    CHECK_CLOSE(outputs[1], outputs[0], 1e-4, 1e-4);
    for (size_t k = 0; k < 3; ++k) CHECK_CLOSE(grads[1][k], grads[0][k], 1e-3, 1e-3);
  }
}

// float16/bfloat16 normalise in float32 (fused where the backend fuses) and round the result, as PyTorch.
TEST_CASE("norm: float16 and bfloat16 inputs compute in float32", "[nn][norm]") {
  manual_seed(3);
  const Tensor x = randn({4, 3, 5}), w = randn({3}), b = randn({3});
  for (ScalarType dt : {kHalf, kBFloat16}) {
    INFO(dt);
    const Tensor xl = x.to(dt).requires_grad_();
    const Tensor y = batch_norm(xl, w.to(dt), b.to(dt), {}, {}, true, 0.1, 1e-5);
    CHECK(y.dtype() == dt);
    const Tensor expected = batch_norm(xl.detach().to(kFloat), w.to(dt).to(kFloat), b.to(dt).to(kFloat), {}, {}, true,
                                       0.1, 1e-5).to(dt);
    CHECK_CLOSE(y, expected, 0, 0);
    y.sum().backward();
    CHECK(xl.grad().dtype() == dt);
    const Tensor l = layer_norm(x.to(dt), {5});
    CHECK(l.dtype() == dt);
    CHECK_CLOSE(l, layer_norm(x.to(dt).to(kFloat), {5}).to(dt), 0, 0);
  }
}

// A higher-order gradient leaves the fused backward for the composed one; in float32 both must agree.
TEST_CASE("norm: create_graph gradients equal the fused ones in float32", "[nn][norm]") {
  manual_seed(5);
  const Tensor x = randn({5, 3, 4}).requires_grad_(), w = randn({3}).requires_grad_(), b = randn({3});
  const Tensor gy = randn({5, 3, 4});
  for (int which = 0; which < 3; ++which) {
    INFO(which);
    auto run = [&] {
      if (which == 0) return batch_norm(x, w, b, {}, {}, true, 0.1, 1e-5);
      if (which == 1) return layer_norm(x, {3, 4}, w.repeat({4}).view({4, 3}).t(), {});
      return group_norm(x, 3, w, b);
    };
    const auto fused = autograd::grad({(run() * gy).sum()}, {x, w});
    const auto composed = autograd::grad({(run() * gy).sum()}, {x, w}, {}, true, /*create_graph=*/true);
    CHECK_CLOSE(composed[0], fused[0], 1e-4, 1e-4);
    CHECK_CLOSE(composed[1], fused[1], 1e-4, 1e-4);
    // and the second derivative exists: d/dx of sum(dL/dx^2)
    const Tensor gx2 = autograd::grad({composed[0].square().sum()}, {x})[0];
    CHECK(gx2.sizes() == x.sizes());
    CHECK(isfinite(gx2).all().item<bool>());
  }
}

TEST_CASE("norm: BatchNorm modules keep PyTorch's buffers and follow train/eval mode", "[nn][norm]") {
  const Fixture f("nn_norm.safetensors");
  nn::BatchNorm2d bn(3);
  bn->to(kDouble);
  CHECK(bn->named_buffers().keys() == std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"});
  CHECK(bn->named_parameters().keys() == std::vector<std::string>{"weight", "bias"});
  CHECK(bn->num_batches_tracked.dtype() == kInt64);
  {
    NoGradGuard g;
    bn->weight.copy_(f("bn2d_train.w"));
    bn->bias.copy_(f("bn2d_train.b"));
    bn->running_mean.copy_(f("bn2d_train.rm"));
    bn->running_var.copy_(f("bn2d_train.rv"));
  }
  check_case(f, "bn2d_train", {"x"}, [&](Inputs& in) { return bn->forward(in["x"]); });
  CHECK_CLOSE(bn->weight.grad(), f("bn2d_train.dw"), 1e-9, 1e-10);
  CHECK_CLOSE(bn->bias.grad(), f("bn2d_train.db"), 1e-9, 1e-10);
  CHECK_CLOSE(bn->running_mean, f("bn2d_train.y1"), 1e-9, 1e-10);
  CHECK_CLOSE(bn->running_var, f("bn2d_train.y2"), 1e-9, 1e-10);
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);

  bn->eval();  // eval: running statistics, no updates
  const Tensor before = bn->running_mean.clone();
  const Tensor x = f("bn2d_eval.x");
  const Tensor y = bn->forward(x);
  CHECK(equal(bn->running_mean, before));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);
  const Tensor expected = (x - bn->running_mean.view({1, 3, 1, 1})) / (bn->running_var.view({1, 3, 1, 1}) + 1e-5).sqrt() *
                              bn->weight.view({1, 3, 1, 1}) + bn->bias.view({1, 3, 1, 1});
  CHECK_CLOSE(y, expected, 1e-9, 1e-10);

  // momentum = None: cumulative average of the batch statistics
  nn::BatchNorm1d cumulative(nn::BatchNormOptions(2).momentum(std::nullopt).affine(false));
  const Tensor a = tensor({{1.f, 2.f}, {3.f, 6.f}}), b = tensor({{5.f, 0.f}, {7.f, 2.f}});
  cumulative(a);
  cumulative(b);
  CHECK_CLOSE(cumulative->running_mean, tensor({4.f, 2.5f}), 1e-6, 1e-6);  // mean of the two batch means
  CHECK(cumulative->named_parameters().size() == 0);

  // without running statistics: batch statistics in eval mode too, no buffers
  nn::BatchNorm2d plain(nn::BatchNormOptions(3).track_running_stats(false));
  CHECK(plain->buffers().empty());
  plain->eval();
  const Tensor z = plain(randn({4, 3, 2, 2}));
  CHECK_CLOSE(z.mean({0, 2, 3}), zeros({3}), 1e-5, 1e-5);
  std::ostringstream s;
  s << *bn;
  CHECK(s.str() == "wick::nn::BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
}

TEST_CASE("norm: layer_norm, group_norm and normalize match PyTorch", "[nn][norm]") {
  const Fixture f("nn_norm.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-9 : 1e-4;
    check_case(f, "layer_norm", {"x", "w", "b"}, [](Inputs& in) {
      return F::layer_norm(in["x"], F::LayerNormFuncOptions({5}).weight(in["w"]).bias(in["b"]));
    }, dt, tol, tol);
    check_case(f, "layer_norm2", {"x", "w", "b"}, [](Inputs& in) {
      return layer_norm(in["x"], {4, 5}, in["w"], in["b"], 1e-3);
    }, dt, tol, tol);
    check_case(f, "layer_norm_plain", {"x"}, [](Inputs& in) { return layer_norm(in["x"], {6}); }, dt, tol, tol);
    check_case(f, "group_norm", {"x", "w", "b"}, [](Inputs& in) {
      return F::group_norm(in["x"], F::GroupNormFuncOptions(2).weight(in["w"]).bias(in["b"]));
    }, dt, tol, tol);
    check_case(f, "group_norm_plain", {"x"}, [](Inputs& in) { return group_norm(in["x"], 3, {}, {}, 1e-3); }, dt, tol,
               tol);
    check_case(f, "normalize", {"x"}, [](Inputs& in) { return F::normalize(in["x"]); }, dt, tol, tol);
    check_case(f, "normalize_p1", {"x"},
               [](Inputs& in) { return F::normalize(in["x"], F::NormalizeFuncOptions().p(1).dim(-1)); }, dt, tol, tol);
  }
  // modules
  nn::LayerNorm ln(nn::LayerNormOptions({4, 5}).eps(1e-3));
  ln->to(kDouble);
  {
    NoGradGuard g;
    ln->weight.copy_(f("layer_norm2.w"));
    ln->bias.copy_(f("layer_norm2.b"));
  }
  check_case(f, "layer_norm2", {"x"}, [&](Inputs& in) { return ln(in["x"]); });
  CHECK_CLOSE(ln->weight.grad(), f("layer_norm2.dw"), 1e-9, 1e-10);
  nn::GroupNorm gn(2, 6);
  gn->to(kDouble);
  {
    NoGradGuard g;
    gn->weight.copy_(f("group_norm.w"));
    gn->bias.copy_(f("group_norm.b"));
  }
  check_case(f, "group_norm", {"x"}, [&](Inputs& in) { return gn(in["x"]); });
  CHECK_CLOSE(gn->bias.grad(), f("group_norm.db"), 1e-9, 1e-10);
  CHECK(ln->str() == "wick::nn::LayerNorm([4, 5], eps=0.001, elementwise_affine=true)");
  CHECK(gn->str() == "wick::nn::GroupNorm(2, 6, eps=1e-05, affine=true)");
}

TEST_CASE("norm: first and second derivatives by finite differences (float64)", "[nn][norm][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(7);
  const auto leaf = [](IntArrayRef s) { return randn(s, dtype(kDouble)).requires_grad_(); };
  const V bn_in = {leaf({4, 3, 2, 2}), leaf({3}), leaf({3})};
  const auto bn = [](const V& v) {
    return V{F::batch_norm(v[0], Tensor(), Tensor(), F::BatchNormFuncOptions().weight(v[1]).bias(v[2]).training(true))};
  };
  CHECK(autograd::gradcheck(bn, bn_in) == "");
  CHECK(autograd::gradgradcheck(bn, bn_in) == "");
  // A longer run per channel (S = 36): channels that span several vectors of a row.
  const V bn_long_in = {leaf({2, 2, 6, 6}), leaf({2}), leaf({2})};
  CHECK(autograd::gradcheck(bn, bn_long_in) == "");
  const V ln_in = {leaf({3, 4}), leaf({4}), leaf({4})};
  const auto ln = [](const V& v) { return V{layer_norm(v[0], {4}, v[1], v[2])}; };
  CHECK(autograd::gradcheck(ln, ln_in) == "");
  CHECK(autograd::gradgradcheck(ln, ln_in) == "");
  // eval mode: the running statistics are constants
  const Tensor rm = randn({3}, dtype(kDouble)), rv = rand({3}, dtype(kDouble)) + 0.5;
  const auto bn_eval = [&](const V& v) { return V{batch_norm(v[0], v[1], v[2], rm, rv, false, 0.1, 1e-5)}; };
  CHECK(autograd::gradcheck(bn_eval, bn_in) == "");
  CHECK(autograd::gradgradcheck(bn_eval, bn_in) == "");
  const Tensor rm2 = rm.slice(0, 0, 2), rv2 = rv.slice(0, 0, 2);
  const auto bn_long_eval = [&](const V& v) { return V{batch_norm(v[0], v[1], v[2], rm2, rv2, false, 0.1, 1e-5)}; };
  CHECK(autograd::gradcheck(bn_long_eval, bn_long_in) == "");
  const V gn_in = {leaf({2, 4, 3}), leaf({4}), leaf({4})};
  const auto gn = [](const V& v) { return V{group_norm(v[0], 2, v[1], v[2])}; };
  CHECK(autograd::gradcheck(gn, gn_in) == "");
  CHECK(autograd::gradgradcheck(gn, gn_in) == "");
  const auto norm = [](const V& v) { return V{F::normalize(v[0])}; };
  CHECK(autograd::gradcheck(norm, {leaf({3, 4})}) == "");
}

TEST_CASE("norm: bad inputs throw wick::Error naming the op", "[nn][norm][errors]") {
  nn::BatchNorm2d bn(3);
  CHECK_THROWS_WITH(bn(randn({2, 3, 4})), Catch::StartsWith("wick::nn::BatchNorm2d:") && Catch::Contains("4D"));
  CHECK_THROWS_WITH(bn(randn({2, 4, 3, 3})), Catch::StartsWith("wick::nn::BatchNorm2d:") && Catch::Contains("3 channels"));
  CHECK_THROWS_WITH(bn(randn({1, 3, 1, 1})), Catch::Contains("more than 1 value per channel"));
  nn::BatchNorm1d bn1(3);
  CHECK_THROWS_WITH(bn1(randn({2, 3, 4, 5})), Catch::StartsWith("wick::nn::BatchNorm1d:"));
  CHECK_THROWS_WITH(layer_norm(randn({2, 5}), {4}), Catch::StartsWith("wick::layer_norm:") &&
                                                         Catch::Contains("[*, 4]") && Catch::Contains("[2, 5]"));
  CHECK_THROWS_WITH(group_norm(randn({2, 5, 3}), 2), Catch::StartsWith("wick::group_norm:") &&
                                                         Catch::Contains("divisible"));
  CHECK_THROWS_WITH(nn::GroupNorm(3, 4), Catch::StartsWith("wick::nn::GroupNorm:"));
  CHECK_THROWS_WITH(F::batch_norm(randn({2, 3}), Tensor(), Tensor()), Catch::Contains("evaluation mode"));
}
