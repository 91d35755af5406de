// nn::init against PyTorch's formulas (gains, fans, bounds, moments), and each layer's default
// initialisation; Dropout's train/eval behaviour.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cmath>

#include "fixture.h"
#include "support/fixtures.h"

using namespace wick;
namespace init = wick::nn::init;
namespace F = wick::nn::functional;

namespace {
double bound_of(const Tensor& t) { return t.abs().max().item<double>(); }
double std_of(const Tensor& t) { return t.to(kDouble).std().item<double>(); }
}  // namespace

TEST_CASE("init: gains and fans follow PyTorch", "[nn][init]") {
  const testing::Fixture f("nn_model.safetensors");
  const std::string gains = f.meta("gains");  // {"linear": 1.0, ...} as PyTorch computed them
  CHECK(init::calculate_gain(kLinear) == 1.0);
  CHECK(init::calculate_gain(kConv2D) == 1.0);
  CHECK(init::calculate_gain(kSigmoid) == 1.0);
  CHECK(init::calculate_gain(kTanh) == Approx(5.0 / 3.0));
  CHECK(init::calculate_gain(kReLU) == Approx(std::sqrt(2.0)));
  CHECK(init::calculate_gain(kLeakyReLU, 0.2) == Approx(std::sqrt(2.0 / 1.04)));
  CHECK(gains.find("\"tanh\": 1.6666666666666667") != std::string::npos);
  CHECK(gains.find("\"leaky_relu_0.2\": 1.3867504905630728") != std::string::npos);
  CHECK(gains.find("\"relu\": 1.4142135623730951") != std::string::npos);
  auto [fan_in, fan_out] = init::_calculate_fan_in_and_fan_out(empty({8, 3, 5, 5}));
  CHECK(fan_in == 75);
  CHECK(fan_out == 200);
  CHECK_THROWS_WITH(init::_calculate_fan_in_and_fan_out(empty({3})), Catch::Contains("fewer than 2 dimensions"));
}

TEST_CASE("init: distributions have PyTorch's bounds and moments", "[nn][init]") {
  manual_seed(1);
  const Tensor w = empty({400, 300});  // fan_in 300, fan_out 400
  init::kaiming_uniform_(w, std::sqrt(5.0));
  CHECK(bound_of(w) <= 1 / std::sqrt(300.0));
  CHECK(bound_of(w) > 0.95 / std::sqrt(300.0));
  init::kaiming_normal_(w, 0, kFanOut, kReLU);
  CHECK(std_of(w) == Approx(std::sqrt(2.0 / 400)).epsilon(0.02));
  init::xavier_uniform_(w, 2.0);
  CHECK(bound_of(w) <= 2 * std::sqrt(6.0 / 700));
  CHECK(bound_of(w) > 0.95 * 2 * std::sqrt(6.0 / 700));
  init::xavier_normal_(w);
  CHECK(std_of(w) == Approx(std::sqrt(2.0 / 700)).epsilon(0.02));
  init::uniform_(w, -3, -2);
  CHECK(w.min().item<float>() >= -3);
  CHECK(w.max().item<float>() < -2);
  init::normal_(w, 5, 0.1);
  CHECK(w.mean().item<float>() == Approx(5).epsilon(0.001));
  init::constant_(w, 0.25);
  CHECK(equal(w, full({400, 300}, 0.25)));
  init::zeros_(w);
  CHECK(w.abs().sum().item<float>() == 0);
  init::ones_(w);
  CHECK(w.sum().item<float>() == 120000);
  const Tensor sq = empty({3, 3});
  init::eye_(sq);
  CHECK(equal(sq, eye(3)));
  // orthogonal: Q^T Q = I for tall, Q Q^T = I for wide, scaled by gain
  for (auto shape : {std::vector<int64_t>{6, 4}, std::vector<int64_t>{3, 8}, std::vector<int64_t>{4, 2, 3}}) {
    const Tensor q = empty(shape, dtype(kDouble));
    init::orthogonal_(q, 2.0);
    const Tensor m = q.reshape({shape[0], -1});
    const Tensor gram = m.size(0) >= m.size(1) ? m.t().matmul(m) : m.matmul(m.t());
    CHECK_TENSOR(gram, eye(gram.size(0), dtype(kDouble)) * 4, (::wick::testing::Tolerance{1e-9, 1e-9}));
  }
  // in place on a parameter that requires grad, without recording
  const Tensor p = empty({3, 3}).requires_grad_();
  init::normal_(p);
  CHECK(p.is_leaf());
  CHECK(p.requires_grad());
}

TEST_CASE("init: layers start as PyTorch's do", "[nn][init]") {
  manual_seed(2);
  nn::Linear fc(256, 64);
  CHECK(bound_of(fc->weight) <= 1 / 16.0);
  CHECK(bound_of(fc->weight) > 0.9 / 16.0);
  CHECK(bound_of(fc->bias) <= 1 / 16.0);
  nn::Conv2d conv(nn::Conv2dOptions(8, 16, 3).groups(2));  // fan_in = 4 * 3 * 3
  CHECK(bound_of(conv->weight) <= 1 / 6.0);
  CHECK(bound_of(conv->weight) > 0.9 / 6.0);
  CHECK(bound_of(conv->bias) <= 1 / 6.0);
  nn::ConvTranspose2d tconv(nn::ConvTranspose2dOptions(16, 8, 2));  // fan_in = weight.size(1) * 4 = 32
  CHECK(bound_of(tconv->weight) <= 1 / std::sqrt(32.0));
  nn::BatchNorm2d bn(4);
  CHECK(equal(bn->weight, ones({4})));
  CHECK(equal(bn->bias, zeros({4})));
  CHECK(equal(bn->running_var, ones({4})));
  nn::LayerNorm ln(nn::LayerNormOptions({3, 2}));
  CHECK(equal(ln->weight, ones({3, 2})));
  nn::Embedding emb(1000, 16);
  CHECK(std_of(emb->weight) == Approx(1.0).epsilon(0.03));
  for (const Tensor& t : {fc->weight, fc->bias, conv->weight, bn->weight, emb->weight}) {
    CHECK(t.requires_grad());
    CHECK(t.is_leaf());
  }
}

TEST_CASE("dropout: scales kept elements in training, identity in eval", "[nn][dropout]") {
  manual_seed(3);
  const Tensor x = ones({200, 100});
  nn::Dropout drop(0.3);
  const Tensor y = drop(x);
  const double kept = (y != 0).to(kDouble).mean().item<double>();
  CHECK(kept == Approx(0.7).epsilon(0.03));
  CHECK(y.max().item<float>() == Approx(1 / 0.7f));
  drop->eval();
  CHECK(drop(x).is_same(x));
  CHECK(F::dropout(x, F::DropoutFuncOptions().training(false)).is_same(x));
  CHECK(F::dropout(x, F::DropoutFuncOptions().p(1)).abs().sum().item<float>() == 0);
  CHECK(dropout(x, 0.0, true).is_same(x));
  // gradients flow through the kept elements only, scaled
  const Tensor xr = ones({50, 40}).requires_grad_();
  const Tensor yr = F::dropout(xr, F::DropoutFuncOptions().p(0.5));
  yr.sum().backward();
  CHECK(equal(xr.grad(), (yr != 0).to(kFloat) * 2));
  // Dropout2d zeroes whole channels
  nn::Dropout2d drop2d(0.5);
  const Tensor z = drop2d(ones({8, 16, 4, 4}));
  const Tensor per_channel = z.sum({2, 3});
  CHECK(logical_or(per_channel == 0, per_channel == 32).all().item<bool>());
  const Tensor sums = feature_dropout(ones({4, 6, 3}), 0.5, true).sum({2});  // [N, C, L]: whole rows of L
  CHECK(logical_or(sums == 0, sums == 6).all().item<bool>());
  // in place
  Tensor w = ones({10, 10});
  F::dropout(w, F::DropoutFuncOptions().p(0.5).inplace(true));
  CHECK((w == 0).any().item<bool>());
  CHECK_THROWS_WITH(nn::Dropout(1.5), Catch::StartsWith("wick::nn::Dropout:") && Catch::Contains("between 0 and 1"));
  CHECK_THROWS_WITH(dropout(x, -0.1, true), Catch::StartsWith("wick::dropout:"));
  CHECK_THROWS_WITH(F::dropout2d(ones({3, 3}), F::Dropout2dFuncOptions()), Catch::Contains("3-D"));
}
