// Activation layers, embedding and one_hot against PyTorch, in functional, module and top-level forms.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;
using testing::check_case;
using testing::Fixture;
using testing::Inputs;

TEST_CASE("activation: functional forms and modules match PyTorch", "[nn][activation]") {
  const Fixture f("nn_activation.safetensors");
  for (ScalarType dt : {kDouble, kFloat}) {
    const double tol = dt == kDouble ? 1e-9 : 1e-5;
    auto run = [&](const std::string& name, auto fn) { check_case(f, name, {"x"}, fn, dt, tol, tol); };
    run("relu", [](Inputs& in) { return F::relu(in["x"]); });
    run("relu", [](Inputs& in) { return nn::ReLU()(in["x"]); });
    run("leaky_relu", [](Inputs& in) { return F::leaky_relu(in["x"], F::LeakyReLUFuncOptions().negative_slope(0.2)); });
    run("leaky_relu", [](Inputs& in) { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2))(in["x"]); });
    run("elu", [](Inputs& in) { return F::elu(in["x"], F::ELUFuncOptions().alpha(0.7)); });
    run("elu", [](Inputs& in) { return nn::ELU(nn::ELUOptions().alpha(0.7))(in["x"]); });
    run("gelu", [](Inputs& in) { return nn::GELU()(in["x"]); });
    run("gelu_tanh", [](Inputs& in) { return F::gelu(in["x"], F::GELUFuncOptions().approximate("tanh")); });
    run("silu", [](Inputs& in) { return nn::SiLU()(in["x"]); });
    run("tanh", [](Inputs& in) { return nn::Tanh()(in["x"]); });
    run("sigmoid", [](Inputs& in) { return nn::Sigmoid()(in["x"]); });
    run("softplus", [](Inputs& in) { return F::softplus(in["x"], F::SoftplusFuncOptions().beta(2).threshold(3)); });
    run("softplus", [](Inputs& in) { return nn::Softplus(nn::SoftplusOptions().beta(2).threshold(3))(in["x"]); });
    run("softmax", [](Inputs& in) { return nn::Softmax(1)(in["x"]); });
    run("softmax", [](Inputs& in) { return F::softmax(in["x"], F::SoftmaxFuncOptions(1)); });
    run("log_softmax", [](Inputs& in) { return nn::LogSoftmax(0)(in["x"]); });
    run("log_softmax", [](Inputs& in) { return F::log_softmax(in["x"], 0); });
    run("logsigmoid", [](Inputs& in) { return F::logsigmoid(in["x"]); });
    run("logsigmoid", [](Inputs& in) { return log_sigmoid(in["x"]); });
  }
  // in-place variants write into their input
  Tensor x = tensor({-1.f, 2.f});
  nn::ReLU relu(nn::ReLUOptions(true));
  CHECK(relu(x).is_same(x));
  CHECK(equal(x, tensor({0.f, 2.f})));
  Tensor y = tensor({-1.f, 2.f});
  F::leaky_relu(y, F::LeakyReLUFuncOptions().negative_slope(0.5).inplace(true));
  CHECK(equal(y, tensor({-0.5f, 2.f})));
  CHECK(relu->str() == "wick::nn::ReLU(inplace=true)");
  CHECK(nn::LeakyReLU()->str() == "wick::nn::LeakyReLU(negative_slope=0.01)");
  CHECK(nn::Softmax(1)->str() == "wick::nn::Softmax(dim=1)");
}

TEST_CASE("activation: embedding with padding_idx and one_hot match PyTorch", "[nn][embedding]") {
  const Fixture f("nn_activation.safetensors");
  check_case(f, "embedding", {"i", "w"},
             [](Inputs& in) { return F::embedding(in["i"], in["w"], F::EmbeddingFuncOptions().padding_idx(2)); });
  check_case(f, "embedding", {"i", "w"}, [](Inputs& in) { return embedding(in["w"], in["i"], 2); });
  // the module: padding row reads its value but takes no gradient
  nn::Embedding emb(nn::EmbeddingOptions(5, 3).padding_idx(2));
  CHECK(emb->weight[2].abs().sum().item<float>() == 0);  // initialised to zero
  emb->to(kDouble);
  {
    NoGradGuard g;
    emb->weight.copy_(f("embedding.w"));
  }
  check_case(f, "embedding", {"i"}, [&](Inputs& in) { return emb(in["i"]); });
  CHECK_CLOSE(emb->weight.grad(), f("embedding.dw"), 1e-12, 1e-12);
  CHECK(emb->weight.grad()[2].abs().sum().item<double>() == 0);
  CHECK(emb->str() == "wick::nn::Embedding(num_embeddings=5, embedding_dim=3, padding_idx=2)");
  // negative padding_idx counts from the end
  CHECK(*nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(-1))->options.padding_idx() == 4);
  // from_pretrained: frozen by default
  const Tensor table = f("embedding.w");
  auto pre = nn::Embedding::from_pretrained(table);
  CHECK(!pre->weight.requires_grad());
  CHECK(equal(pre(tensor({1, 3}, dtype(kInt64))), table.index_select(0, tensor({1, 3}, dtype(kInt64)))));
  CHECK(nn::Embedding::from_pretrained(table, nn::EmbeddingFromPretrainedOptions().freeze(false))->weight.requires_grad());
  // max_norm renormalises the rows it reads, in place
  nn::Embedding capped(nn::EmbeddingOptions(4, 2).max_norm(1.0));
  {
    NoGradGuard g;
    capped->weight.copy_(tensor({{3.f, 4.f}, {0.3f, 0.4f}, {6.f, 8.f}, {1.f, 0.f}}));
  }
  const Tensor out = capped(tensor({0, 1}, dtype(kInt64)));
  CHECK(out[0].norm().item<float>() == Approx(1.f).epsilon(1e-5));
  CHECK(out[1].norm().item<float>() == Approx(0.5f));
  CHECK(capped->weight[2].norm().item<float>() == Approx(10.f));  // not read: untouched
  // one_hot
  const Tensor oh = F::one_hot(f("one_hot.x"), 5);
  CHECK(equal(oh, f("one_hot.y")));
  CHECK(one_hot(tensor({0, 2}, dtype(kInt64))).sizes() == IntArrayRef({2, 3}));
  CHECK_THROWS_WITH(emb(tensor({0.5f})), Catch::StartsWith("wick::nn::Embedding:") && Catch::Contains("int64"));
  CHECK_THROWS_WITH(emb(tensor({7}, dtype(kInt64))), Catch::Contains("index"));
  CHECK_THROWS_WITH(nn::Embedding(nn::EmbeddingOptions(5, 3).padding_idx(5)), Catch::StartsWith("wick::nn::Embedding:"));
}

TEST_CASE("activation: Hardtanh and ReLU6 in functional and module forms, as LibTorch spells them",
          "[nn][activation]") {
  // The op itself is checked against PyTorch in ops_unary (tests/lib/elementwise_test.cpp).
  const Tensor x = tensor({-7.0, -1.0, -0.5, 0.0, 0.5, 2.0, 6.0, 8.0});
  CHECK(equal(F::hardtanh(x), hardtanh(x)));
  CHECK(equal(F::hardtanh(x, F::HardtanhFuncOptions().min_val(-0.5).max_val(2.5)), hardtanh(x, -0.5, 2.5)));
  CHECK(equal(F::relu6(x, F::ReLU6FuncOptions()), relu6(x)));
  CHECK(equal(nn::Hardtanh(nn::HardtanhOptions().min_val(0).max_val(1))(x), hardtanh(x, 0, 1)));
  CHECK(equal(nn::ReLU6()(x), tensor({0.0, 0.0, 0.0, 0.0, 0.5, 2.0, 6.0, 6.0})));
  // in place
  Tensor y = x.clone();
  CHECK(F::relu6(y, F::ReLU6FuncOptions(true)).is_same(y));
  CHECK(equal(y, relu6(x)));
  nn::Hardtanh inplace(nn::HardtanhOptions().inplace(true));
  Tensor z = x.clone();
  CHECK(inplace(z).is_same(z));
  CHECK(equal(z, hardtanh(x)));
  // printing and LibTorch's check of the limits
  CHECK(nn::Hardtanh()->str() == "wick::nn::Hardtanh(min_val=-1, max_val=1)");
  CHECK(inplace->str() == "wick::nn::Hardtanh(min_val=-1, max_val=1, inplace=true)");
  CHECK(nn::ReLU6()->str() == "wick::nn::ReLU6()");
  CHECK(nn::ReLU6(nn::ReLU6Options(true))->str() == "wick::nn::ReLU6(inplace=true)");
  CHECK_THROWS_WITH(nn::Hardtanh(nn::HardtanhOptions().min_val(1).max_val(1)),
                    Catch::StartsWith("wick::nn::Hardtanh: max_val must be greater than min_val"));
  // gradients flow through the module
  const Tensor w = tensor({-2.0, 0.5, 3.0}).requires_grad_(true);
  nn::Hardtanh()(w).sum().backward();
  CHECK(equal(w.grad(), tensor({0.0, 1.0, 0.0})));
}

TEST_CASE("activation: gumbel_softmax samples the softmax's categories, hard samples are straight-through",
          "[nn][activation][random]") {
  // Gumbel-max: the argmax of logits + Gumbel noise is a draw from softmax(logits), at any tau.
  manual_seed(3);
  const Tensor logits = tensor({1.0, 0.0, -1.0, 2.0}, dtype(kDouble));
  const int64_t n = 40000;
  const Tensor y = F::gumbel_softmax(logits.expand({n, 4}), F::GumbelSoftmaxFuncOptions().tau(0.5));
  CHECK_CLOSE(y.sum(1), ones({n}, dtype(kDouble)), 1e-12, 1e-12);
  const Tensor counts = F::one_hot(y.argmax(1), 4).sum(0).to(kDouble);
  const Tensor p = softmax(logits, 0);
  const Tensor sigma = (p * (1 - p) / double(n)).sqrt();
  INFO("frequencies " << counts / double(n) << " against " << p);
  CHECK(((counts / double(n) - p).abs() < 5 * sigma).all().item<bool>());

  // hard: one-hot forward values, and the soft sample's gradient (the same draw under the same seed)
  const Tensor w = randn({8, 5}, dtype(kDouble));
  Tensor soft_in = randn({8, 5}, dtype(kDouble)).requires_grad_(), hard_in = soft_in.detach().clone().requires_grad_();
  manual_seed(9);
  const Tensor soft = F::gumbel_softmax(soft_in, F::GumbelSoftmaxFuncOptions().tau(0.7));
  manual_seed(9);
  const Tensor hard = F::gumbel_softmax(hard_in, F::GumbelSoftmaxFuncOptions().tau(0.7).hard(true));
  CHECK_CLOSE(hard, F::one_hot(soft.argmax(1), 5).to(kDouble), 1e-12, 1e-12);
  (soft * w).sum().backward();
  (hard * w).sum().backward();
  CHECK_CLOSE(hard_in.grad(), soft_in.grad(), 1e-12, 1e-12);
  CHECK(soft_in.grad().abs().sum().item<double>() > 0);

  // dim: a sample along dim 0 sums to one over it
  CHECK_CLOSE(F::gumbel_softmax(randn({3, 2}), F::GumbelSoftmaxFuncOptions().dim(0)).sum(0), ones({2}), 1e-6, 1e-6);
  CHECK_THROWS_WITH(F::gumbel_softmax(randn({2, 3}), F::GumbelSoftmaxFuncOptions().tau(0)),
                    Catch::Contains("gumbel_softmax") && Catch::Contains("tau"));
  CHECK_THROWS_WITH(F::gumbel_softmax(tensor({1, 2})), Catch::Contains("gumbel_softmax"));
}
