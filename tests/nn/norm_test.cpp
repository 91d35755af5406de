// Batch, layer and group normalisation and normalize() against PyTorch (values, gradients, running
// statistics), the modules' buffers and modes, and finite-difference checks.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

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
  const V ln_in = {leaf({3, 4}), leaf({4}), leaf({4})};
  const auto ln = [](const V& v) { return V{layer_norm(v[0], {4}, v[1], v[2])}; };
  CHECK(autograd::gradcheck(ln, ln_in) == "");
  CHECK(autograd::gradgradcheck(ln, ln_in) == "");
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
  CHECK_THROWS_WITH(layer_norm(randn({2, 5}), {4}), Catch::StartsWith("wick::nn::functional::layer_norm:") &&
                                                         Catch::Contains("[*, 4]") && Catch::Contains("[2, 5]"));
  CHECK_THROWS_WITH(group_norm(randn({2, 5, 3}), 2), Catch::StartsWith("wick::nn::functional::group_norm:") &&
                                                         Catch::Contains("divisible"));
  CHECK_THROWS_WITH(nn::GroupNorm(3, 4), Catch::StartsWith("wick::nn::GroupNorm:"));
  CHECK_THROWS_WITH(F::batch_norm(randn({2, 3}), Tensor(), Tensor()), Catch::Contains("evaluation mode"));
}
