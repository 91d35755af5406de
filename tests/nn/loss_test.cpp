// Losses against PyTorch for every reduction (values and gradients), their module and top-level forms,
// stability at logits of +-1e4, finite-difference checks and bad-input errors.
#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;

namespace {
LossReduction reduction_of(const std::string& r) {
  return r == "none" ? LossReduction(wick::kNone) : r == "sum" ? LossReduction(kSum) : LossReduction(kMean);
}
}  // namespace

TEST_CASE("loss: every loss and reduction matches PyTorch (values and gradients)", "[nn][loss]") {
  const Fixture f("nn_loss.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-9 : 2e-5;
    auto run = [&](const std::string& name, std::vector<std::string> inputs, auto fn) {
      check_case(f, name, inputs, fn, dt, tol, tol);
    };
    for (std::string r : {"none", "mean", "sum"}) {
      const LossReduction red = reduction_of(r);
      run("mse_" + r, {"x", "t"}, [&](Inputs& in) { return F::mse_loss(in["x"], in["t"], red); });
      run("l1_" + r, {"x", "t"}, [&](Inputs& in) { return F::l1_loss(in["x"], in["t"], red); });
      run("smooth_l1_" + r, {"x", "t"}, [&](Inputs& in) {
        return F::smooth_l1_loss(in["x"], in["t"], F::SmoothL1LossFuncOptions(red).beta(0.5));
      });
      run("huber_" + r, {"x", "t"}, [&](Inputs& in) {
        return F::huber_loss(in["x"], in["t"], F::HuberLossFuncOptions(red).delta(0.7));
      });
      run("ce_" + r, {"x", "t"}, [&](Inputs& in) { return F::cross_entropy(in["x"], in["t"], red); });
      run("ce_weighted_" + r, {"x", "t", "w"}, [&](Inputs& in) {
        return F::cross_entropy(in["x"], in["t"], F::CrossEntropyFuncOptions(red).weight(in["w"].detach()).ignore_index(1).label_smoothing(0.1));
      });
      run("ce_smooth_" + r, {"x", "t"}, [&](Inputs& in) {
        return F::cross_entropy(in["x"], in["t"], F::CrossEntropyFuncOptions(red).label_smoothing(0.2));
      });
      run("ce_probs_" + r, {"x", "t", "w"}, [&](Inputs& in) {
        return F::cross_entropy(in["x"], in["t"], F::CrossEntropyFuncOptions(red).weight(in["w"].detach()).label_smoothing(0.1));
      });
      run("nll_" + r, {"x", "t", "w"}, [&](Inputs& in) {
        return F::nll_loss(in["x"], in["t"], F::NLLLossFuncOptions(red).weight(in["w"].detach()).ignore_index(2));
      });
      run("bce_" + r, {"x", "t", "w"}, [&](Inputs& in) {
        return F::binary_cross_entropy(in["x"], in["t"], F::BinaryCrossEntropyFuncOptions(red).weight(in["w"].detach()));
      });
      run("bce_logits_" + r, {"x", "t", "w", "pw"}, [&](Inputs& in) {
        return F::binary_cross_entropy_with_logits(
            in["x"], in["t"],
            F::BinaryCrossEntropyWithLogitsFuncOptions(red).weight(in["w"].detach()).pos_weight(in["pw"].detach()));
      });
    }
    for (std::string r : {"none", "mean", "sum", "batchmean"}) {
      const nn::KLDivReduction red = r == "none" ? nn::KLDivReduction(wick::kNone)
                                     : r == "sum" ? nn::KLDivReduction(kSum)
                                     : r == "batchmean" ? nn::KLDivReduction(kBatchMean)
                                                        : nn::KLDivReduction(kMean);
      run("kl_" + r, {"x", "t"}, [&](Inputs& in) { return F::kl_div(in["x"], in["t"], F::KLDivFuncOptions(red)); });
      run("kl_log_" + r, {"x", "t"},
          [&](Inputs& in) { return F::kl_div(in["x"], in["t"], F::KLDivFuncOptions(red).log_target(true)); });
    }
    run("ce_spatial", {"x", "t"},
        [](Inputs& in) { return F::cross_entropy(in["x"], in["t"], F::CrossEntropyFuncOptions().ignore_index(0)); });
    run("ce_1d", {"x", "t"}, [](Inputs& in) { return F::cross_entropy(in["x"], in["t"]); });
    run("nll_plain", {"x", "t"}, [](Inputs& in) { return F::nll_loss(in["x"], in["t"]); });
    run("bce_logits_plain", {"x", "t"}, [](Inputs& in) { return F::binary_cross_entropy_with_logits(in["x"], in["t"]); });
    // PyTorch's d/dtarget is NaN where the target is 0 (xlogy's derivative); wick's stays finite, so only the
    // value and d/dinput are compared here.
    run("kl_zero_target", {"x"},
        [&](Inputs& in) { return F::kl_div(in["x"], f("kl_zero_target.t").to(dt), F::KLDivFuncOptions(kSum)); });
  }
}

TEST_CASE("loss: stable and finite at logits of +-1e4", "[nn][loss]") {
  const Fixture f("nn_loss.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    auto run = [&](const std::string& name, auto fn) {
      auto in = check_case(f, name, {"x", "t"}, fn, dt, 1e-6, 1e-6);
      CHECK(isfinite(in["x"].grad()).all().template item<bool>());
    };
    run("ce_extreme", [](Inputs& in) { return F::cross_entropy(in["x"], in["t"]); });
    run("ce_extreme_smooth", [](Inputs& in) {
      return F::cross_entropy(in["x"], in["t"], F::CrossEntropyFuncOptions().label_smoothing(0.1));
    });
    run("bce_logits_extreme", [](Inputs& in) { return F::binary_cross_entropy_with_logits(in["x"], in["t"]); });
  }
  // nll of log_softmax at extreme logits, and log_sigmoid at +-1e4
  const Tensor logits = tensor({{1e4f, -1e4f}}).requires_grad_();
  const Tensor loss = F::nll_loss(F::log_softmax(logits, 1), tensor({1}, dtype(kInt64)));
  CHECK(loss.item<float>() == Approx(2e4f));
  loss.backward();
  CHECK(isfinite(logits.grad()).all().item<bool>());
  CHECK(F::logsigmoid(tensor({-1e4f})).item<float>() == Approx(-1e4f));
  CHECK(F::logsigmoid(tensor({1e4f})).item<float>() == 0.f);
}

TEST_CASE("loss: modules and top-level forms agree with the functional ones", "[nn][loss]") {
  const Fixture f("nn_loss.safetensors");
  check_case(f, "ce_weighted_mean", {"x", "t"}, [&](Inputs& in) {
    nn::CrossEntropyLoss loss(nn::CrossEntropyLossOptions().weight(f("ce_weighted_mean.w")).ignore_index(1).label_smoothing(0.1));
    CHECK(loss->named_buffers().keys() == std::vector<std::string>{"weight"});
    return loss(in["x"], in["t"]);
  });
  check_case(f, "mse_sum", {"x", "t"}, [](Inputs& in) { return nn::MSELoss(nn::MSELossOptions(kSum))(in["x"], in["t"]); });
  check_case(f, "mse_mean", {"x", "t"}, [](Inputs& in) { return mse_loss(in["x"], in["t"]); });
  check_case(f, "l1_none", {"x", "t"}, [](Inputs& in) { return nn::L1Loss(wick::kNone)->forward(in["x"], in["t"]); });
  check_case(f, "l1_sum", {"x", "t"}, [](Inputs& in) { return l1_loss(in["x"], in["t"], Reduction::Sum); });
  check_case(f, "smooth_l1_mean", {"x", "t"},
             [](Inputs& in) { return smooth_l1_loss(in["x"], in["t"], Reduction::Mean, 0.5); });
  check_case(f, "smooth_l1_sum", {"x", "t"}, [](Inputs& in) {
    return nn::SmoothL1Loss(nn::SmoothL1LossOptions(kSum).beta(0.5))(in["x"], in["t"]);
  });
  check_case(f, "huber_none", {"x", "t"}, [](Inputs& in) { return huber_loss(in["x"], in["t"], Reduction::None, 0.7); });
  check_case(f, "huber_mean", {"x", "t"},
             [](Inputs& in) { return nn::HuberLoss(nn::HuberLossOptions().delta(0.7))(in["x"], in["t"]); });
  check_case(f, "nll_sum", {"x", "t"}, [&](Inputs& in) {
    return nll_loss(in["x"], in["t"], f("nll_sum.w"), Reduction::Sum, 2);
  });
  check_case(f, "nll_mean", {"x", "t"}, [&](Inputs& in) {
    return nn::NLLLoss(nn::NLLLossOptions().weight(f("nll_mean.w")).ignore_index(2))(in["x"], in["t"]);
  });
  check_case(f, "ce_mean", {"x", "t"}, [](Inputs& in) { return cross_entropy_loss(in["x"], in["t"]); });
  check_case(f, "ce_smooth_none", {"x", "t"}, [](Inputs& in) {
    return cross_entropy_loss(in["x"], in["t"], {}, Reduction::None, -100, 0.2);
  });
  check_case(f, "bce_sum", {"x", "t"}, [&](Inputs& in) {
    return binary_cross_entropy(in["x"], in["t"], f("bce_sum.w"), Reduction::Sum);
  });
  check_case(f, "bce_mean", {"x", "t"}, [&](Inputs& in) {
    return nn::BCELoss(nn::BCELossOptions().weight(f("bce_mean.w")))(in["x"], in["t"]);
  });
  check_case(f, "bce_logits_none", {"x", "t"}, [&](Inputs& in) {
    return binary_cross_entropy_with_logits(in["x"], in["t"], f("bce_logits_none.w"), f("bce_logits_none.pw"),
                                            Reduction::None);
  });
  check_case(f, "bce_logits_mean", {"x", "t"}, [&](Inputs& in) {
    nn::BCEWithLogitsLoss loss(nn::BCEWithLogitsLossOptions().weight(f("bce_logits_mean.w")).pos_weight(f("bce_logits_mean.pw")));
    CHECK(loss->named_buffers().keys() == std::vector<std::string>{"weight", "pos_weight"});
    return loss(in["x"], in["t"]);
  });
  check_case(f, "kl_batchmean", {"x", "t"},
             [](Inputs& in) { return nn::KLDivLoss(nn::KLDivLossOptions(kBatchMean))(in["x"], in["t"]); });
  check_case(f, "kl_log_sum", {"x", "t"}, [](Inputs& in) { return kl_div(in["x"], in["t"], Reduction::Sum, true); });
  CHECK(nn::CrossEntropyLoss()->str() == "wick::nn::CrossEntropyLoss()");
}

TEST_CASE("loss: first and second derivatives by finite differences (float64)", "[nn][loss][gradcheck]") {
  using V = std::vector<Tensor>;
  manual_seed(9);
  const auto leaf = [](IntArrayRef s) { return randn(s, dtype(kDouble)).requires_grad_(); };
  const Tensor labels = tensor({2, 0, 1, 2}, dtype(kInt64));
  const Tensor probs = softmax(randn({4, 3}, dtype(kDouble)), 1);
  const Tensor weight = tensor({0.5, 2.0, 1.0});
  const auto check = [](auto fn, const V& in) {
    CHECK(autograd::gradcheck(fn, in) == "");
    CHECK(autograd::gradgradcheck(fn, in) == "");
  };
  check([&](const V& v) {
    return V{F::cross_entropy(v[0], labels, F::CrossEntropyFuncOptions().weight(weight).label_smoothing(0.1).ignore_index(0))};
  }, {leaf({4, 3})});
  check([&](const V& v) { return V{F::cross_entropy(v[0], probs)}; }, {leaf({4, 3})});
  check([&](const V& v) { return V{F::nll_loss(v[0], labels, F::NLLLossFuncOptions().weight(weight))}; }, {leaf({4, 3})});
  check([&](const V& v) { return V{F::binary_cross_entropy(v[0].sigmoid(), v[1].sigmoid())}; }, {leaf({5}), leaf({5})});
  check([&](const V& v) {
    return V{F::binary_cross_entropy_with_logits(v[0], v[1].sigmoid(),
                                                 F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(tensor({2.0})))};
  }, {leaf({5}), leaf({5})});
  check([&](const V& v) { return V{F::kl_div(v[0], probs, F::KLDivFuncOptions(kBatchMean))}; }, {leaf({4, 3})});
  check([&](const V& v) { return V{F::mse_loss(v[0], v[1])}; }, {leaf({5}), leaf({5})});
  check([&](const V& v) { return V{F::huber_loss(v[0], v[1] * 0.1)}; }, {leaf({6}), leaf({6})});
  check([&](const V& v) { return V{F::smooth_l1_loss(v[0], v[1] * 0.1, F::SmoothL1LossFuncOptions().beta(0.3))}; },
        {leaf({6}), leaf({6})});
}

TEST_CASE("loss: bad inputs throw wick::Error naming the op", "[nn][loss][errors]") {
  const Tensor logits = randn({4, 3});
  CHECK_THROWS_WITH(F::cross_entropy(logits, tensor({0, 1, 3, 2}, dtype(kInt64))),
                    Catch::StartsWith("wick::nn::functional::cross_entropy:") && Catch::Contains("target 3"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, tensor({0, 1}, dtype(kInt64))), Catch::Contains("[4]") && Catch::Contains("[2]"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, randn({4, 2})), Catch::Contains("same shape"));
  CHECK_THROWS_WITH(F::cross_entropy(logits, tensor({0, 1, 1, 2}, dtype(kInt64)), F::CrossEntropyFuncOptions().label_smoothing(1.5)),
                    Catch::Contains("label_smoothing"));
  CHECK_THROWS_WITH(F::nll_loss(logits, tensor({0, 1, 1, 2}, dtype(kInt64)), F::NLLLossFuncOptions().weight(ones({2}))),
                    Catch::StartsWith("wick::nn::functional::nll_loss:") && Catch::Contains("weight"));
  CHECK_THROWS_WITH(nll_loss(logits, tensor({0.f, 1.f, 1.f, 2.f})), Catch::StartsWith("wick::nll_loss:"));
  CHECK_THROWS_WITH(F::binary_cross_entropy(tensor({0.5f, 1.5f}), tensor({1.f, 0.f})),
                    Catch::StartsWith("wick::nn::functional::binary_cross_entropy:") && Catch::Contains("between 0 and 1"));
  CHECK_THROWS_WITH(binary_cross_entropy(tensor({0.5f}), tensor({1.f, 0.f})), Catch::StartsWith("wick::binary_cross_entropy:"));
  CHECK_THROWS_WITH(F::binary_cross_entropy_with_logits(randn({3}), randn({2})), Catch::Contains("same shape"));
  CHECK_THROWS_WITH(F::mse_loss(randn({3}), randn({2})), Catch::Contains("[3]") && Catch::Contains("[2]"));
  CHECK_THROWS_WITH(F::huber_loss(randn({3}), randn({3}), F::HuberLossFuncOptions().delta(0)),
                    Catch::StartsWith("wick::nn::functional::huber_loss:"));
  CHECK_THROWS_WITH(F::smooth_l1_loss(randn({3}), randn({3}), F::SmoothL1LossFuncOptions().beta(-1)),
                    Catch::StartsWith("wick::nn::functional::smooth_l1_loss:"));
  CHECK_THROWS_WITH(F::one_hot(tensor({1, 5}, dtype(kInt64)), 3), Catch::StartsWith("wick::one_hot:"));
  CHECK_THROWS_WITH(F::one_hot(tensor({1.f})), Catch::StartsWith("wick::one_hot:"));
}
