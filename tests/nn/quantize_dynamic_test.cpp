// quantization::quantize_dynamic on whole models: PyTorch's quantized embedded policy
// (tests/fixtures/quantization.safetensors), custom modules whose forward() calls their Linear members, saving
// and loading the int8 state, clones and printing.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstring>
#include <future>
#include <sstream>
#include <thread>
#include <vector>

#include "../support/fixtures.h"
#include "../support/temp_dir.h"

using namespace wick;
using namespace wick::testing;

namespace {

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes() || a.dtype() != b.dtype()) return false;
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  return std::memcmp(ca.data_ptr(), cb.data_ptr(), size_t(ca.numel() * ca.element_size())) == 0;
}

nn::Sequential policy_mlp() {
  return nn::Sequential(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
}

struct NetImpl : nn::Cloneable<NetImpl> {
  explicit NetImpl(int64_t hidden = 32) : hidden(hidden) { reset(); }
  void reset() override {
    fc1 = register_module("fc1", nn::Linear(20, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, 3));
  }
  Tensor forward(const Tensor& x) { return fc2(fc1(x).relu()); }
  int64_t hidden;
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
WICK_MODULE(Net);

}  // namespace

TEST_CASE("quantize_dynamic: PyTorch's quantized policy, weight for weight and action for action",
          "[quantization][reference]") {
  const RefFile f("quantization.safetensors");
  nn::Sequential policy = policy_mlp();
  load(policy, std::string(WICK_FIXTURES_DIR) + "/policy_mlp.safetensors");
  nn::Sequential q = quantization::quantize_dynamic(policy);
  for (int i : {0, 2, 4}) {
    INFO("layer " << i);
    const auto& layer = *q[size_t(i)].as<nn::Linear>();
    CHECK(layer.is_quantized());
    CHECK(bitwise_equal(layer.weight, f.get("policy." + std::to_string(i) + ".weight_int8")));
    CHECK(bitwise_equal(layer.weight_scale, f.get("policy." + std::to_string(i) + ".weight_scale")));
    CHECK_FALSE(policy[size_t(i)].as<nn::Linear>()->is_quantized());  // the original is unchanged
  }
  NoGradGuard no_grad;
  const Tensor obs = f.get("policy.obs");
  const Tensor actions = q->forward(obs), expected = f.get("policy.actions");
  const double scale = expected.abs().max().item<double>();
  CHECK((actions - expected).abs().max().item<double>() / scale < 2e-4);
  // The float policy is still the float policy, and int8 stays close to it.
  CHECK(bitwise_equal(policy->forward(obs), policy->forward(obs)));
  const double to_float = (actions - f.get("policy.float_actions")).abs().max().item<double>();
  CHECK(to_float < 0.05);
  CHECK(q->parameters().empty());
}

TEST_CASE("quantize_dynamic: a custom module's forward() runs its quantized members", "[quantization]") {
  manual_seed(3);
  Net net;
  const Tensor x = randn({5, 20});
  Net q = quantization::quantize_dynamic(net);
  NoGradGuard no_grad;
  // What the int8 layers compute, step by step.
  auto int8_layer = [](const nn::Linear& float_layer, const Tensor& in) {
    auto [w, s] = quantization::quantize_per_channel_symmetric(float_layer->weight);
    return quantization::linear_dynamic(in, quantization::PackedLinearWeight(w, s), float_layer->bias);
  };
  const Tensor expected = int8_layer(net->fc2, int8_layer(net->fc1, x).relu());
  CHECK(bitwise_equal(q->forward(x), expected));
  CHECK_FALSE(bitwise_equal(net->forward(x), expected));  // the float model is untouched
  CHECK(quantization::quantize_dynamic_(*q) == 0);        // already quantized: nothing to do
  std::ostringstream printed;
  printed << *q;
  CHECK(printed.str().find("DynamicQuantizedLinear(in_features=20, out_features=32, dtype=qint8") != std::string::npos);
}

TEST_CASE("quantize_dynamic: int8 state saves, loads into another quantized model, and clones",
          "[quantization][serialize]") {
  manual_seed(4);
  Net q = quantization::quantize_dynamic(Net());
  const TempDir dir;
  const std::string path = dir.file("int8.safetensors");
  save(q, path);
  const TensorDict saved = load_safetensors(path);
  CHECK(saved.at("fc1.weight").dtype() == kInt8);
  CHECK(saved.at("fc1.weight_scale").dtype() == kFloat);
  CHECK(saved.at("fc1.weight_scale").sizes() == IntArrayRef({32}));
  CHECK(saved.at("fc1.bias").dtype() == kFloat);
  CHECK(saved.size() == 6);

  NoGradGuard no_grad;
  const Tensor x = randn({4, 20});
  manual_seed(99);  // other random weights, then the saved ones loaded over them
  Net other = quantization::quantize_dynamic(Net());
  const Tensor before = other->forward(x);
  load(other, path);
  CHECK(bitwise_equal(other->forward(x), q->forward(x)));
  CHECK_FALSE(bitwise_equal(before, q->forward(x)));

  auto copy = std::dynamic_pointer_cast<NetImpl>(q->clone());
  REQUIRE(copy);
  CHECK(copy->fc1->is_quantized());
  CHECK(bitwise_equal(copy->forward(x), q->forward(x)));

  // A float model's file does not load into a quantized one: the error lists what differs.
  save(Net(), dir.file("float.safetensors"));
  CHECK_THROWS_WITH(load(other, dir.file("float.safetensors")), Catch::Matchers::Contains("weight_scale"));
}

TEST_CASE("quantize_dynamic: threads share a layer's packing, and a thread sees a re-packing another one caused",
          "[quantization][threads]") {
  manual_seed(5);
  Net q = quantization::quantize_dynamic(Net());
  const Tensor x = randn({3, 20});
  Tensor expected;
  {
    NoGradGuard no_grad;
    expected = q->forward(x);
  }
  // Four threads at once on the one module, each from its own per-thread packing slot.
  std::vector<std::future<bool>> same;
  for (int t = 0; t < 4; ++t)
    same.push_back(std::async(std::launch::async, [&] {
      NoGradGuard no_grad;
      bool all = true;
      for (int i = 0; i < 50; ++i) all = all && bitwise_equal(q->forward(x), expected);
      return all;
    }));
  for (auto& f : same) CHECK(f.get());

  // A thread that ran the layer before its weights were rewritten here must not keep using the old packing.
  std::promise<void> ran_before, rewritten;
  std::future<std::pair<Tensor, Tensor>> worker =
      std::async(std::launch::async, [&, go_on = rewritten.get_future()]() mutable {
        NoGradGuard no_grad;
        Tensor before = q->forward(x);
        ran_before.set_value();
        go_on.wait();
        return std::pair{before, q->forward(x)};
      });
  ran_before.get_future().wait();
  Tensor after;
  {
    NoGradGuard no_grad;
    q->fc1->weight.neg_();  // the int8 weight rewritten in place: its version moves on
    after = q->forward(x);
  }
  rewritten.set_value();
  const auto [before, after_in_worker] = worker.get();
  CHECK(bitwise_equal(before, expected));
  CHECK_FALSE(bitwise_equal(after, expected));
  CHECK(bitwise_equal(after_in_worker, after));
}

namespace {

// A float layer holding the fixture's "<prefix>.<name>" values.
template <class Layer>
Layer with_fixture_weights(Layer layer, const RefFile& f, const std::string& prefix) {
  NoGradGuard no_grad;
  for (const auto& item : layer->named_parameters()) item.value().copy_(f.get(prefix + "." + item.key()));
  return layer;
}

double relative_error(const Tensor& actual, const Tensor& expected) {
  REQUIRE(actual.sizes() == expected.sizes());
  return (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

template <class Rnn, class Options>
struct RecurrentPolicyImpl : nn::Cloneable<RecurrentPolicyImpl<Rnn, Options>> {
  RecurrentPolicyImpl() { reset(); }
  void reset() override {
    rnn = this->register_module("rnn", Rnn(Options(16, 32).batch_first(true)));
    head = this->register_module("head", nn::Linear(32, 4));
  }
  Tensor forward(const Tensor& obs) { return head(std::get<0>(rnn(obs.unsqueeze(0))).squeeze(0)); }
  Rnn rnn{nullptr};
  nn::Linear head{nullptr};
};

}  // namespace

TEST_CASE("quantize_dynamic: LSTM and GRU match PyTorch's quantized layers", "[quantization][reference]") {
  const RefFile f("quantization.safetensors");
  NoGradGuard no_grad;
  {
    nn::LSTM lstm =
        with_fixture_weights(nn::LSTM(nn::LSTMOptions(10, 20).num_layers(2).bidirectional(true)), f, "lstm");
    nn::LSTM q = quantization::quantize_dynamic(lstm);
    CHECK(q->is_quantized());
    CHECK(q->named_buffers().contains("weight_hh_l1_reverse_scale"));
    auto [out, state] = q->forward(f.get("lstm.x"));
    CHECK(relative_error(out, f.get("lstm.out")) < 2e-4);
    CHECK(relative_error(std::get<0>(state), f.get("lstm.h_n")) < 2e-4);
    CHECK(relative_error(std::get<1>(state), f.get("lstm.c_n")) < 2e-4);
    std::ostringstream printed;
    printed << *q;
    CHECK(printed.str().rfind("wick::nn::DynamicQuantizedLSTM(input_size=10", 0) == 0);
  }
  {
    nn::GRU gru = with_fixture_weights(nn::GRU(nn::GRUOptions(10, 20).num_layers(2).batch_first(true)), f, "gru");
    nn::GRU q = quantization::quantize_dynamic(gru, {quantization::Layer::GRU});
    auto [out, h_n] = q->forward(f.get("gru.x"));
    CHECK(relative_error(out, f.get("gru.out")) < 2e-4);
    CHECK(relative_error(h_n, f.get("gru.h_n")) < 2e-4);
    // Asked for LSTMs only, a GRU stays float.
    CHECK_FALSE(nn::GRU(quantization::quantize_dynamic(gru, {quantization::Layer::LSTM}))->is_quantized());
  }
  CHECK_THROWS_WITH(quantization::quantize_dynamic(nn::LSTM(nn::LSTMOptions(4, 8).proj_size(2))),
                    Catch::Matchers::Contains("proj_size"));
}

TEST_CASE("quantize_dynamic: PyTorch's quantized recurrent policies, action for action", "[quantization][reference]") {
  const RefFile f("quantization.safetensors");
  const std::string fixtures = WICK_FIXTURES_DIR;
  NoGradGuard no_grad;
  auto check = [&](auto policy, const std::string& kind) {
    INFO(kind);
    load(policy, fixtures + "/policy_" + kind + ".safetensors");
    auto q = quantization::quantize_dynamic(policy);
    const Tensor obs = f.get("policy_" + kind + ".obs");
    CHECK(relative_error(q->forward(obs), f.get("policy_" + kind + ".actions")) < 2e-4);
    CHECK(relative_error(policy->forward(obs), f.get("policy_" + kind + ".float_actions")) < 1e-5);
    // Saved and loaded into another quantized copy, it acts the same, bit for bit.
    const TempDir dir;
    save(q, dir.file("q.safetensors"));
    auto other = quantization::quantize_dynamic(decltype(policy)());
    load(other, dir.file("q.safetensors"));
    CHECK(bitwise_equal(other->forward(obs), q->forward(obs)));
  };
  check(nn::ModuleHolder<RecurrentPolicyImpl<nn::GRU, nn::GRUOptions>>(), "gru");
  check(nn::ModuleHolder<RecurrentPolicyImpl<nn::LSTM, nn::LSTMOptions>>(), "lstm");
}

TEST_CASE("quantize_dynamic: by module name, as PyTorch's qconfig_spec of names", "[quantization]") {
  manual_seed(5);
  Net net;
  Net q = quantization::quantize_dynamic(net, std::set<std::string>{"fc2"});
  CHECK_FALSE(q->fc1->is_quantized());
  CHECK(q->fc2->is_quantized());
  nn::Sequential seq(nn::Linear(4, 8), nn::Tanh(), nn::Sequential(nn::Linear(8, 8), nn::Linear(8, 2)));
  nn::Sequential qs = quantization::quantize_dynamic(seq, std::set<std::string>{"2"});  // a container: all inside
  CHECK_FALSE(qs[0].as<nn::Linear>()->is_quantized());
  CHECK(qs[2].as<nn::Sequential>()->ptr(0)->as<nn::Linear>()->is_quantized());
  CHECK(qs[2].as<nn::Sequential>()->ptr(1)->as<nn::Linear>()->is_quantized());
  CHECK_THROWS_WITH(quantization::quantize_dynamic(net, std::set<std::string>{"fc3"}),
                    Catch::Matchers::Contains("no submodule named 'fc3'"));
}
