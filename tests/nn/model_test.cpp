// An end-to-end model touching every parameterised layer, against PyTorch: state_dict keys and order,
// forward in train and eval mode, every parameter's gradient and the running statistics.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <sstream>

#include "fixture.h"

using namespace wick;
using testing::Fixture;

namespace {

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

// The PyTorch Model of tools/gen_nn_fixtures.py, written as a LibTorch user would.
struct ModelImpl : nn::Module {
  ModelImpl() {
    features = register_module(
        "features",
        nn::Sequential(nn::Conv2d(nn::Conv2dOptions(3, 8, 3).padding(1)), nn::BatchNorm2d(8), nn::ReLU(),
                       nn::MaxPool2d(2),
                       nn::Conv2d(nn::Conv2dOptions(8, 8, 3).padding(kSame).groups(2).padding_mode(kReflect).bias(false)),
                       nn::GroupNorm(2, 8), nn::SiLU(), nn::AdaptiveAvgPool2d(1), nn::Flatten()));
    up = register_module("up", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(3, 2, 2).stride(2)));
    head = register_module("head", nn::ModuleList(nn::Linear(8, 6), nn::LayerNorm(nn::LayerNormOptions({6})),
                                                  nn::Linear(6, 4)));
    embed = register_module("embed", nn::Embedding(nn::EmbeddingOptions(7, 4).padding_idx(0)));
    bn1 = register_module("bn1", nn::BatchNorm1d(4));
  }
  Tensor forward(const Tensor& x, const Tensor& idx) {
    Tensor h = features->forward(x);
    h = head->ptr<nn::LinearImpl>(0)->forward(h);
    h = head->ptr<nn::LayerNormImpl>(1)->forward(h);
    h = head->ptr<nn::LinearImpl>(2)->forward(h);
    const Tensor u = up(x).mean({1, 2, 3});
    const Tensor e = embed(idx).sum({1});
    return bn1(tanh(h) + e) + u.unsqueeze(1);
  }
  nn::Sequential features{nullptr};
  nn::ConvTranspose2d up{nullptr};
  nn::ModuleList head{nullptr};
  nn::Embedding embed{nullptr};
  nn::BatchNorm1d bn1{nullptr};
};
WICK_MODULE(Model);

}  // namespace

TEST_CASE("model: parameter and buffer names equal PyTorch's, in PyTorch's order", "[nn][module][model]") {
  const Fixture f("nn_model.safetensors");
  Model m;
  CHECK(m->state_dict().keys() == split(f.meta("state_dict_keys")));
  CHECK(m->named_parameters().keys() == split(f.meta("parameter_keys")));
  CHECK(m->named_buffers().keys() == split(f.meta("buffer_keys")));
  for (const auto& item : m->state_dict()) {
    INFO(item.key());
    CHECK(item.value().sizes() == f("param." + item.key()).sizes());
  }
}

TEST_CASE("model: forward, backward and running statistics match PyTorch end to end", "[nn][module][model]") {
  const Fixture f("nn_model.safetensors");
  Model m;
  m->to(kDouble);
  {
    NoGradGuard g;
    for (auto& item : m->state_dict()) item.value().copy_(f("param." + item.key()));
  }
  const Tensor x = f("x"), idx = f("idx");
  const Tensor y = m->forward(x, idx);
  CHECK_CLOSE(y, f("y"), 1e-8, 1e-9);
  (y * f("gy")).sum().backward();
  for (const auto& p : m->named_parameters()) {
    INFO("gradient of " << p.key());
    CHECK_CLOSE(p.value().grad(), f("grad." + p.key()), 1e-7, 1e-9);
  }
  for (const auto& b : m->named_buffers()) {
    if (!f.has("after." + b.key())) continue;
    INFO("buffer " << b.key());
    CHECK_CLOSE(b.value(), f("after." + b.key()), 1e-9, 1e-10);
  }
  m->eval();
  CHECK_CLOSE(m->forward(x, idx), f("y_eval"), 1e-8, 1e-9);
}
