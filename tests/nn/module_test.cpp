// The Module API: registration, walks (ordered, indexable by name), modes, device/dtype moves, gradients,
// holders and WICK_MODULE, containers, printing and summary().
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <sstream>
#include "support/fixtures.h"

using namespace wick;

namespace {

struct BlockImpl : nn::Module {
  BlockImpl(int64_t in, int64_t out) {
    fc = register_module("fc", nn::Linear(in, out));
    norm = register_module("norm", nn::BatchNorm1d(out));
    scale = register_parameter("scale", ones({out}));
    register_buffer("steps", zeros({}, dtype(kInt64)));
  }
  Tensor forward(const Tensor& x) { return norm(fc(x)) * scale; }
  nn::Linear fc{nullptr};
  nn::BatchNorm1d norm{nullptr};
  Tensor scale;
};
WICK_MODULE(Block);

struct NetImpl : nn::Module {
  NetImpl() {
    first = register_module("first", Block(4, 3));
    second = register_module("second", Block(3, 2));
  }
  Tensor forward(const Tensor& x) { return second(first(x).relu()); }
  Block first{nullptr}, second{nullptr};
};
WICK_MODULE(Net);

// A user module written for clone(), as a LibTorch user writes one: registration in reset().
struct TwinImpl : nn::Cloneable<TwinImpl> {
  TwinImpl() { reset(); }
  void reset() override {
    fc = register_module("fc", nn::Linear(3, 2));
    scale = register_parameter("scale", ones({2}));
    count = register_buffer("count", zeros({}, dtype(kInt64)));
  }
  Tensor forward(const Tensor& x) { return fc(x) * scale; }
  nn::Linear fc{nullptr};
  Tensor scale, count;
};
WICK_MODULE(Twin);

// Registers in its constructor: reset() cannot rebuild it.
struct ForgetfulImpl : nn::Cloneable<ForgetfulImpl> {
  ForgetfulImpl() { register_parameter("w", ones({2})); }
};

// Every parameter and buffer of `copy` equals `original`'s under the same name, in its own storage.
void check_deep_copy(const nn::Module& copy, const nn::Module& original) {
  const auto a = copy.state_dict(), b = original.state_dict();
  REQUIRE(a.keys() == b.keys());
  for (size_t i = 0; i < a.size(); ++i) {
    INFO(a[i].key());
    CHECK(equal(a[i].value(), b[i].value()));
    CHECK(a[i].value().dtype() == b[i].value().dtype());
    CHECK(a[i].value().data_ptr() != b[i].value().data_ptr());
  }
  const auto pa = copy.named_parameters(), pb = original.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) {
    INFO(pa[i].key());
    CHECK(pa[i].value().is_leaf());
    CHECK(pa[i].value().requires_grad() == pb[i].value().requires_grad());
    CHECK_FALSE(pa[i].value().grad().defined());
  }
}

}  // namespace

TEST_CASE("module: parameters, buffers and children are ordered and indexable by name", "[nn][module]") {
  Net net;
  const auto params = net->named_parameters();
  CHECK(params.keys() == std::vector<std::string>{"first.scale", "first.fc.weight", "first.fc.bias", "first.norm.weight",
                                                  "first.norm.bias", "second.scale", "second.fc.weight",
                                                  "second.fc.bias", "second.norm.weight", "second.norm.bias"});
  CHECK(params.size() == 10);
  CHECK(params["first.fc.weight"].is_same(net->first->fc->weight));
  CHECK(params[1].key() == "first.fc.weight");
  CHECK(params.find("nope") == nullptr);
  CHECK(params.contains("second.scale"));
  CHECK_THROWS_WITH(params["nope"], Catch::Contains("Parameter 'nope' is not defined"));
  CHECK(params.values().size() == 10);
  CHECK(params.items().front().value().is_same(net->first->scale));
  CHECK(net->parameters().size() == 10);
  CHECK(net->parameters(false).empty());
  CHECK(net->first->named_parameters(false).keys() == std::vector<std::string>{"scale"});
  CHECK(net->named_buffers().keys() ==
        std::vector<std::string>{"first.steps", "first.norm.running_mean", "first.norm.running_var",
                                 "first.norm.num_batches_tracked", "second.steps", "second.norm.running_mean",
                                 "second.norm.running_var", "second.norm.num_batches_tracked"});
  CHECK(net->buffers(false).empty());
  CHECK(net->named_children().keys() == std::vector<std::string>{"first", "second"});
  CHECK(net->children().size() == 2);
  CHECK(net->named_modules().keys() ==
        std::vector<std::string>{"", "first", "first.fc", "first.norm", "second", "second.fc", "second.norm"});
  CHECK(net->modules(false).size() == 6);
  CHECK(net->modules()[0].get() == net.get());
  CHECK(net->num_parameters() == 3 + 12 + 3 + 3 + 3 + 2 + 6 + 2 + 2 + 2);
  // state_dict: each module's parameters then its buffers, then its children (PyTorch's order)
  CHECK(net->first->state_dict().keys() ==
        std::vector<std::string>{"scale", "steps", "fc.weight", "fc.bias", "norm.weight", "norm.bias",
                                 "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"});
  // as<>
  CHECK(net->first->fc->as<nn::Linear>() != nullptr);
  CHECK(net->first->fc->as<nn::LinearImpl>() != nullptr);
  CHECK(net->first->fc->as<nn::Conv2d>() == nullptr);
}

TEST_CASE("module: registration rejects bad names and duplicates", "[nn][module][errors]") {
  nn::Module m;
  m.register_parameter("w", ones({2}));
  CHECK_THROWS_WITH(m.register_parameter("w", ones({2})), Catch::Contains("'w' already defined"));
  CHECK_THROWS_WITH(m.register_parameter("a.b", ones({2})), Catch::Contains("must not contain a dot"));
  CHECK_THROWS_WITH(m.register_buffer("", ones({2})), Catch::Contains("must not be empty"));
  CHECK_THROWS_WITH(m.register_module("fc", nn::Linear(nullptr)), Catch::Contains("empty"));
  m.register_module("fc", nn::Linear(2, 2));
  CHECK_THROWS_WITH(m.register_module("fc", nn::Linear(2, 2)), Catch::Contains("'fc' already defined"));
  m.replace_module("fc", nn::Linear(3, 3));
  CHECK(m.named_parameters()["fc.weight"].sizes() == IntArrayRef({3, 3}));
  m.unregister_module("fc");
  CHECK(m.named_parameters().keys() == std::vector<std::string>{"w"});
  CHECK_THROWS_WITH(m.unregister_module("fc"), Catch::Contains("no submodule named 'fc'"));
  // an undefined parameter (bias=false) is registered but never listed
  nn::Linear no_bias(nn::LinearOptions(3, 2).bias(false));
  CHECK(!no_bias->bias.defined());
  CHECK(no_bias->named_parameters().keys() == std::vector<std::string>{"weight"});
}

TEST_CASE("module: holders, WICK_MODULE and empty handles", "[nn][module]") {
  nn::Linear empty_fc{nullptr};
  CHECK(empty_fc.is_empty());
  CHECK(!empty_fc);
  CHECK_THROWS_WITH(empty_fc->forward(ones({1, 2})), Catch::Contains("empty") && Catch::Contains("LinearImpl"));
  nn::Linear fc(2, 3);
  nn::Linear same = fc;  // copies share the module
  CHECK(same.get() == fc.get());
  CHECK(fc(ones({4, 2})).sizes() == IntArrayRef({4, 3}));
  CHECK(fc->forward(ones({4, 2})).sizes() == IntArrayRef({4, 3}));
  nn::Linear from_ptr(std::make_shared<nn::LinearImpl>(5, 1));
  CHECK(from_ptr->options.in_features() == 5);
  Block block(4, 3);  // a user module declared with WICK_MODULE
  CHECK(block->forward(randn({5, 4})).sizes() == IntArrayRef({5, 3}));
  static_assert(std::is_same_v<Block::Impl, BlockImpl>);
  static_assert(std::is_same_v<nn::Conv2d::ContainedType, nn::Conv2dImpl>);
}

TEST_CASE("module: train/eval, apply, zero_grad", "[nn][module]") {
  Net net;
  CHECK(net->is_training());
  net->eval();
  int training = 0, total = 0;
  net->apply([&](nn::Module& m) {
    ++total;
    training += m.is_training();
  });
  CHECK(total == 7);
  CHECK(training == 0);
  net->train();
  CHECK(net->first->norm->is_training());
  std::vector<std::string> names;
  net->apply([&](const std::string& name, nn::Module&) { names.push_back(name); });
  CHECK(names == std::vector<std::string>{"", "first", "first.fc", "first.norm", "second", "second.fc", "second.norm"});
  int pointers = 0;
  net->apply([&](const std::shared_ptr<nn::Module>& m) { pointers += m != nullptr; });
  CHECK(pointers == 7);
  const nn::Module& const_net = *net;
  int seen = 0;
  const_net.apply([&](const nn::Module&) { ++seen; });
  CHECK(seen == 7);

  net->forward(randn({6, 4})).sum().backward();
  for (const Tensor& p : net->parameters()) CHECK(p.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  for (const Tensor& p : net->parameters()) CHECK(p.grad().abs().sum().item<float>() == 0);
  net->zero_grad();
  for (const Tensor& p : net->parameters()) CHECK(!p.grad().defined());
}

TEST_CASE("module: to(dtype) converts in place, so every handle sees it", "[nn][module]") {
  Net net;
  Tensor weight = net->first->fc->weight;  // e.g. held by an optimizer
  const Tensor before = weight.clone();
  net->forward(randn({3, 4})).sum().backward();
  net->to(kDouble);
  CHECK(weight.dtype() == kDouble);
  CHECK(net->first->fc->weight.is_same(weight));
  CHECK(net->named_parameters()["first.fc.weight"].dtype() == kDouble);
  CHECK_TENSOR_CLOSE(weight, before.to(kDouble));
  CHECK(weight.requires_grad());
  CHECK(weight.grad().dtype() == kDouble);
  CHECK(net->first->norm->running_mean.dtype() == kDouble);
  CHECK(net->first->norm->num_batches_tracked.dtype() == kInt64);  // integer buffers keep their dtype
  CHECK(net->forward(randn({3, 4}, dtype(kDouble))).dtype() == kDouble);
  net->to(Device(kCPU));
  net->to(Device(kCPU), kFloat);
  CHECK(weight.dtype() == kFloat);
}

TEST_CASE("module: Sequential, ModuleList, ModuleDict and Functional", "[nn][module][container]") {
  nn::Sequential seq(nn::Linear(3, 4), nn::ReLU(), nn::Functional([](Tensor x) { return x * 2; }),
                     nn::Linear(4, 2));
  CHECK(seq->size() == 4);
  CHECK(seq->named_children().keys() == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(seq->named_parameters().keys() == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"});
  const Tensor x = randn({5, 3});
  const Tensor expected =
      seq->ptr<nn::LinearImpl>(3)->forward(seq->ptr<nn::LinearImpl>(0)->forward(x).relu() * 2);
  CHECK_TENSOR_CLOSE(seq->forward(x), expected);
  CHECK_TENSOR_CLOSE(seq->forward<Tensor>(x), expected);
  CHECK_TENSOR_CLOSE(seq(x), expected);
  CHECK(seq->at<nn::LinearImpl>(0).options.out_features() == 4);
  CHECK(seq[0].as<nn::Linear>() != nullptr);
  CHECK_THROWS_WITH(seq->ptr(9), Catch::Contains("out of range"));
  seq->push_back(nn::Tanh());
  seq->push_back("last", nn::Linear(2, 1));
  CHECK(seq->named_children().keys().back() == "last");
  CHECK(seq->forward(x).sizes() == IntArrayRef({5, 1}));
  CHECK_THROWS_WITH(nn::Sequential()->forward(x), Catch::Contains("empty Sequential"));
  // named construction
  nn::Sequential named({{"conv", nn::Conv2d(1, 2, 3)}, {"act", nn::ReLU()}, {"pool", nn::MaxPool2d(2)}});
  CHECK(named->named_parameters().keys() == std::vector<std::string>{"conv.weight", "conv.bias"});
  CHECK(named->forward(randn({1, 1, 6, 6})).sizes() == IntArrayRef({1, 2, 2, 2}));
  // nested Sequential and Functional with bound arguments
  nn::Sequential nested(nn::Sequential(nn::Linear(3, 3)), nn::Functional(wick::leaky_relu, 0.5));
  CHECK(nested->named_parameters().keys() == std::vector<std::string>{"0.0.weight", "0.0.bias"});
  CHECK(nested->forward(x).sizes() == IntArrayRef({5, 3}));

  nn::ModuleList list(nn::Linear(2, 2), nn::ReLU());
  list->push_back(nn::Linear(2, 1));
  list->insert(1, std::make_shared<nn::TanhImpl>());
  CHECK(list->size() == 4);
  CHECK(list->named_children().keys() == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(list->named_parameters().keys() == std::vector<std::string>{"0.weight", "0.bias", "3.weight", "3.bias"});
  CHECK(list->ptr<nn::TanhImpl>(1) != nullptr);
  CHECK(list[3].as<nn::Linear>()->options.out_features() == 1);
  int n = 0;
  for (const auto& m : *list) n += m != nullptr;
  CHECK(n == 4);
  CHECK_THROWS_WITH(list->at<nn::Conv2dImpl>(0), Catch::StartsWith("wick::nn::ModuleList:"));

  nn::ModuleDict dict({{"encoder", nn::Linear(4, 2)}, {"decoder", std::make_shared<nn::LinearImpl>(2, 4)}});
  dict->insert("act", nn::ReLU());
  CHECK(dict->keys() == std::vector<std::string>{"encoder", "decoder", "act"});
  CHECK(dict->named_parameters().keys() ==
        std::vector<std::string>{"encoder.weight", "encoder.bias", "decoder.weight", "decoder.bias"});
  CHECK(dict->contains("act"));
  CHECK(dict->at<nn::LinearImpl>("decoder").options.in_features() == 2);
  CHECK(dict["encoder"]->as<nn::Linear>() != nullptr);
  dict->pop("act");
  CHECK(dict->size() == 2);
  CHECK(dict->named_children().keys() == std::vector<std::string>{"encoder", "decoder"});
  CHECK_THROWS_WITH(dict["nope"], Catch::Contains("'nope' is not defined"));
}

TEST_CASE("module: ParameterList and ParameterDict register their tensors as parameters", "[nn][module][container]") {
  nn::ParameterList list(randn({2}), randn({3}).requires_grad_());
  list->append(zeros({4}, dtype(kDouble)));
  CHECK(list->size() == 3);
  CHECK(list->named_parameters().keys() == std::vector<std::string>{"0", "1", "2"});
  CHECK(!list[0].requires_grad());  // each keeps its own requires_grad, as LibTorch's
  CHECK(list[1].requires_grad());
  CHECK(list->at(2).dtype() == kDouble);
  int64_t numel = 0;
  for (const auto& item : *list) numel += item.value().numel();
  CHECK(numel == 9);
  CHECK_THROWS_WITH(list->at(3), Catch::Contains("ParameterList") && Catch::Contains("3 is out of range"));

  // LibTorch's OrderedDict braces, for ParameterDict and ModuleDict alike
  nn::ParameterDict dict(OrderedDict<std::string, Tensor>{{"scale", ones({2}).requires_grad_()}, {"shift", zeros({2})}});
  dict->insert("extra", full({1}, 3.0));
  CHECK(dict->keys() == std::vector<std::string>{"scale", "shift", "extra"});
  CHECK(dict->named_parameters().keys() == dict->keys());
  CHECK(dict["scale"].requires_grad());
  CHECK(dict->get("extra").item<float>() == 3.f);
  CHECK_THROWS_WITH(dict->insert("scale", ones({1})), Catch::Contains("'scale' already defined"));
  dict->update(OrderedDict<std::string, Tensor>{{"shift", ones({2})}, {"new", zeros({5})}});
  CHECK(dict->keys() == std::vector<std::string>{"scale", "shift", "extra", "new"});
  CHECK(dict["shift"].sum().item<float>() == 2.f);
  CHECK(dict->pop("extra").item<float>() == 3.f);
  CHECK(!dict->contains("extra"));
  CHECK_THROWS_WITH(dict->pop("extra"), Catch::Contains("'extra' is not defined"));
  nn::ModuleDict modules(OrderedDict<std::string, std::shared_ptr<nn::Module>>{{"lin", nn::Linear(2, 2).ptr()}});
  CHECK(modules->keys() == std::vector<std::string>{"lin"});
  CHECK_THROWS_WITH((OrderedDict<std::string, int>{{"a", 1}, {"a", 2}}), Catch::Contains("'a' already defined"));

  // they train as any module's parameters, print as LibTorch's and clone into tensors of their own
  optim::SGD sgd(dict->parameters(), optim::SGDOptions(0.5));
  (dict["scale"] * 2).sum().backward();
  sgd.step();
  CHECK(equal(dict["scale"].detach(), zeros({2})));
  std::ostringstream printed;
  printed << *list;
  CHECK(printed.str() == "wick::nn::ParameterList(\n(0): Parameter containing: [Float of size [2]]\n"
                         "(1): Parameter containing: [Float of size [3]]\n(2): Parameter containing: [Double of size "
                         "[4]]\n)");
  auto copy = std::dynamic_pointer_cast<nn::ParameterDictImpl>(dict->clone());
  REQUIRE(copy != nullptr);
  CHECK(copy->keys() == dict->keys());
  CHECK(!copy->get("shift").is_alias_of(dict["shift"]));
  CHECK(equal(copy->get("shift"), dict["shift"]));
}

TEST_CASE("module: printing follows LibTorch's layout", "[nn][module][print]") {
  nn::Sequential seq(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                     nn::Linear(nn::LinearOptions(6 * 14 * 14, 10).bias(false)), nn::Dropout(0.3));
  std::ostringstream s;
  s << seq;
  CHECK(s.str() ==
        "wick::nn::Sequential(\n"
        "  (0): wick::nn::Conv2d(1, 6, kernel_size=[5, 5], stride=[1, 1], padding=[2, 2])\n"
        "  (1): wick::nn::ReLU()\n"
        "  (2): wick::nn::MaxPool2d(kernel_size=[2, 2], stride=[2, 2], padding=[0, 0], dilation=[1, 1], ceil_mode=false)\n"
        "  (3): wick::nn::Flatten(start_dim=1, end_dim=-1)\n"
        "  (4): wick::nn::Linear(in_features=1176, out_features=10, bias=false)\n"
        "  (5): wick::nn::Dropout(p=0.3, inplace=false)\n"
        ")");
  CHECK(nn::Conv2d(nn::Conv2dOptions(4, 8, {3, 1}).stride(2).dilation(2).groups(4).bias(false).padding_mode(kReflect))
            ->str() ==
        "wick::nn::Conv2d(4, 8, kernel_size=[3, 1], stride=[2, 2], dilation=[2, 2], groups=4, bias=false, "
        "padding_mode=reflect)");
  CHECK(nn::Conv1d(nn::Conv1dOptions(2, 2, 3).padding("same"))->str() ==
        "wick::nn::Conv1d(2, 2, kernel_size=[3], stride=[1], padding='same')");
  CHECK(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(4, 2, 3).stride(2).output_padding(1))->str() ==
        "wick::nn::ConvTranspose2d(4, 2, kernel_size=[3, 3], stride=[2, 2], output_padding=[1, 1])");
  CHECK(nn::AvgPool2d(3)->str() == "wick::nn::AvgPool2d(kernel_size=[3, 3], stride=[3, 3], padding=[0, 0])");
  CHECK(nn::AdaptiveAvgPool2d(1)->str() == "wick::nn::AdaptiveAvgPool2d(output_size=[1, 1])");
  CHECK(nn::Identity()->str() == "wick::nn::Identity()");
  CHECK(nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}))->str() ==
        "wick::nn::Upsample(scale_factor=[2, 2], mode=nearest)");
  Net net;
  const std::string printed = net->str();
  CHECK(printed.find("(first): ") != std::string::npos);
  CHECK(printed.find("    (fc): wick::nn::Linear(in_features=4, out_features=3, bias=true)") != std::string::npos);
  CHECK(net->name().find("NetImpl") != std::string::npos);
  CHECK(nn::Module("Custom").name() == "Custom");
}

TEST_CASE("module: summary lists each layer's output shape and parameter count", "[nn][module][summary]") {
  nn::Sequential lenet(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(), nn::MaxPool2d(2),
                       nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(400, 120),
                       nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
  const nn::Summary s = nn::summary(lenet, {1, 1, 28, 28});
  REQUIRE(s.rows.size() == 12);
  CHECK(s.rows[0].name == "0");
  CHECK(s.rows[0].type == "Conv2d");
  CHECK(s.rows[0].output_shape == std::vector<int64_t>{1, 6, 28, 28});
  CHECK(s.rows[0].num_parameters == 156);
  CHECK(s.rows[5].type == "MaxPool2d");
  CHECK(s.rows[5].output_shape == std::vector<int64_t>{1, 16, 5, 5});
  CHECK(s.rows[11].output_shape == std::vector<int64_t>{1, 10});
  CHECK(s.total_parameters == 61706);
  CHECK(s.trainable_parameters == 61706);
  CHECK(s.output_shape == std::vector<int64_t>{1, 10});
  const std::string table = s.str();
  CHECK(table.find("Total params: 61,706") != std::string::npos);
  CHECK(table.find("7 (Linear)") != std::string::npos);
  CHECK(table.find("48,120") != std::string::npos);
  // a user module: leaf layers named by their place in the tree; modes and statistics untouched
  Net net;
  net->first->fc->weight.requires_grad_(false);
  const nn::Summary t = nn::summary(net, {2, 4});
  CHECK(net->is_training());
  CHECK(net->first->norm->num_batches_tracked.item<int64_t>() == 0);
  REQUIRE(t.rows.size() == 4);
  CHECK(t.rows[0].name == "first.fc");
  CHECK(t.rows[1].name == "first.norm");
  CHECK(t.rows[1].type == "BatchNorm1d");
  CHECK(t.rows[3].output_shape == std::vector<int64_t>{2, 2});
  CHECK(t.trainable_parameters == t.total_parameters - 12);
  std::ostringstream printed;
  printed << t;
  CHECK(printed.str().find("Non-trainable params: 12") != std::string::npos);
}

TEST_CASE("module: clone() deep-copies a layer, reached through its holder", "[nn][module][clone]") {
  nn::Linear original(4, 3);
  original->bias.requires_grad_(false);  // frozen: the clone's stays frozen
  const Tensor x = randn({5, 4});
  original(x).sum().backward();  // a gradient the clone must not share
  std::shared_ptr<nn::LinearImpl> copy = std::dynamic_pointer_cast<nn::LinearImpl>(original->clone());
  REQUIRE(copy != nullptr);
  CHECK(copy.get() != original.get());
  CHECK(copy->options.in_features() == 4);
  check_deep_copy(*copy, *original);
  // The members are the registered parameters, so forward uses the copies.
  CHECK(copy->named_parameters()["weight"].is_same(copy->weight));
  CHECK(copy->named_parameters()["bias"].is_same(copy->bias));
  CHECK_FALSE(copy->bias.requires_grad());
  nn::Linear held(copy);  // back into a holder
  CHECK(equal(held(x), original(x)));

  // An optimizer step on the clone leaves the original alone.
  const Tensor before = original->weight.detach().clone();
  optim::SGD sgd(held->parameters(), optim::SGDOptions(0.5));
  held(x).pow(2).sum().backward();
  sgd.step();
  CHECK(equal(original->weight, before));
  CHECK_FALSE(equal(held->weight, before));
  CHECK(original->weight.grad().defined());
  // and one on the original leaves the clone alone.
  const Tensor clone_before = held->weight.detach().clone();
  {
    NoGradGuard no_grad;
    original->weight.add_(1.0);
  }
  CHECK(equal(held->weight, clone_before));

  // dtype and the device given: the clone keeps the original's dtype, not reset()'s float32.
  original->to(kDouble);
  auto as_double = std::dynamic_pointer_cast<nn::LinearImpl>(original->clone(Device(kCPU)));
  CHECK(as_double->weight.dtype() == kDouble);
  check_deep_copy(*as_double, *original);
}

TEST_CASE("module: clone() copies buffers and the mode: BatchNorm's running statistics", "[nn][module][clone]") {
  nn::BatchNorm1d bn(3);
  bn(randn({8, 3}) * 2 + 1);  // training step: the running statistics move
  bn->eval();
  auto copy = std::dynamic_pointer_cast<nn::BatchNorm1dImpl>(bn->clone());
  REQUIRE(copy != nullptr);
  check_deep_copy(*copy, *bn);
  CHECK(copy->num_batches_tracked.item<int64_t>() == 1);
  CHECK(copy->named_buffers()["running_mean"].is_same(copy->running_mean));
  CHECK_FALSE(copy->is_training());
  const Tensor x = randn({4, 3});
  CHECK(equal(copy->forward(x), bn(x)));
  const Tensor mean = bn->running_mean.clone();
  copy->train();
  copy->forward(randn({8, 3}) + 5);
  CHECK(equal(bn->running_mean, mean));
  CHECK_FALSE(equal(copy->running_mean, mean));
  CHECK(bn->num_batches_tracked.item<int64_t>() == 1);
}

TEST_CASE("module: clone() through Sequential, ModuleList, ModuleDict and nested modules", "[nn][module][clone]") {
  manual_seed(4);
  nn::Sequential seq({{"fc", nn::Linear(4, 8)},
                      {"norm", nn::BatchNorm1d(8)},
                      {"act", nn::ReLU()},
                      {"inner", nn::Sequential(nn::Linear(8, 8), nn::Tanh())},
                      {"double", nn::Functional([](Tensor t) { return t * 2; })},
                      {"head", nn::Linear(8, 2)}});
  seq(randn({6, 4}));  // moves the running statistics
  seq->eval();
  auto copy = std::dynamic_pointer_cast<nn::SequentialImpl>(seq->clone());
  REQUIRE(copy != nullptr);
  CHECK(copy->named_children().keys() == seq->named_children().keys());
  check_deep_copy(*copy, *seq);
  CHECK_FALSE(copy->is_training());
  CHECK_FALSE(copy->ptr<nn::BatchNorm1dImpl>(1)->is_training());
  const Tensor x = randn({5, 4});
  CHECK(equal(copy->forward(x), seq(x)));
  // forward runs the cloned modules: editing the clone's head changes its output only.
  const Tensor expected = seq(x);
  {
    NoGradGuard no_grad;
    copy->ptr<nn::LinearImpl>(5)->weight.zero_();
    copy->ptr<nn::SequentialImpl>(3)->ptr<nn::LinearImpl>(0)->weight.mul_(2);
  }
  CHECK(equal(seq(x), expected));
  CHECK(equal(copy->forward(x), copy->ptr<nn::LinearImpl>(5)->bias.expand({5, 2})));

  nn::ModuleList list(nn::Linear(2, 2), nn::Sequential(nn::Linear(2, 3), nn::ReLU()), nn::BatchNorm1d(3));
  auto list_copy = std::dynamic_pointer_cast<nn::ModuleListImpl>(list->clone());
  REQUIRE(list_copy != nullptr);
  CHECK(list_copy->size() == 3);
  check_deep_copy(*list_copy, *list);
  CHECK(list_copy->ptr<nn::SequentialImpl>(1)->forward(ones({1, 2})).sizes() == IntArrayRef({1, 3}));

  nn::ModuleDict dict({{"encoder", nn::Linear(4, 2)}, {"decoder", nn::Linear(2, 4)}});
  auto dict_copy = std::dynamic_pointer_cast<nn::ModuleDictImpl>(dict->clone());
  REQUIRE(dict_copy != nullptr);
  CHECK(dict_copy->keys() == dict->keys());
  check_deep_copy(*dict_copy, *dict);
  CHECK(dict_copy->at<nn::LinearImpl>("decoder").weight.data_ptr() !=
        dict->at<nn::LinearImpl>("decoder").weight.data_ptr());

  // A module whose submodules are members (TransformerEncoderLayer: attention, linears, norms): the clone's members
  // are its own submodules, and its parameters come from the original.
  nn::TransformerEncoderLayer layer(nn::TransformerEncoderLayerOptions(8, 2).dim_feedforward(16).dropout(0.0));
  auto layer_copy = std::dynamic_pointer_cast<nn::TransformerEncoderLayerImpl>(layer->clone());
  REQUIRE(layer_copy != nullptr);
  check_deep_copy(*layer_copy, *layer);
  CHECK(layer_copy->linear1.get() != layer->linear1.get());
  CHECK(layer_copy->named_parameters()["linear1.weight"].is_same(layer_copy->linear1->weight));
  CHECK(layer_copy->self_attn->named_parameters()["out_proj.weight"].is_same(layer_copy->self_attn->out_proj->weight));
  const Tensor src = randn({3, 2, 8});
  CHECK(equal(layer_copy->forward(src), layer(src)));
  // TransformerEncoder stacks clones of its layer (as LibTorch's): equal weights, separate storage.
  nn::TransformerEncoder encoder(layer, 2);
  for (int i = 0; i < 2; ++i) {
    INFO("layer " << i);
    check_deep_copy(*encoder->layers->ptr(size_t(i)), *layer);
  }
}

TEST_CASE("module: clone() of a user's Cloneable module, and of modules that cannot be cloned", "[nn][module][clone]") {
  Twin twin;
  {
    NoGradGuard no_grad;
    twin->scale.fill_(3.0);
    twin->count.fill_(7);
  }
  auto copy = std::dynamic_pointer_cast<TwinImpl>(twin->clone());
  REQUIRE(copy != nullptr);
  check_deep_copy(*copy, *twin);
  CHECK(copy->scale.is_same(copy->named_parameters()["scale"]));
  CHECK(copy->count.item<int64_t>() == 7);
  CHECK(copy->fc.get() != twin->fc.get());
  CHECK(copy->fc->weight.is_same(copy->named_parameters()["fc.weight"]));
  const Tensor x = randn({2, 3});
  CHECK(equal(copy->forward(x), twin(x)));
  {
    NoGradGuard no_grad;
    copy->scale.fill_(-1.0);
  }
  CHECK(equal(twin->scale, full({2}, 3.0)));

  Block plain(4, 3);  // an nn::Module: its members cannot be re-pointed
  CHECK_THROWS_WITH(plain->clone(), Catch::Contains("nn::Module::clone") && Catch::Contains("BlockImpl") &&
                                        Catch::Contains("derive it from nn::Cloneable<"));
  nn::Sequential holding_plain(nn::Linear(4, 4), Block(4, 3));
  CHECK_THROWS_WITH(holding_plain->clone(), Catch::Contains("BlockImpl cannot be cloned"));
  ForgetfulImpl forgetful;
  CHECK_THROWS_WITH(forgetful.clone(), Catch::Contains("reset() registered the parameters [] but the module has [w]"));
}
