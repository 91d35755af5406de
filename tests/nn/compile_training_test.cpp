// wick::compile on whole training steps (forward, the tape's backward, the optimizer's in-place update): after N
// steps the compiled model has the same losses and the same parameters, bit for bit, as its eager twin.
#include <catch2/catch.hpp>

#include <functional>

#include "../../tools/bench/compile_workloads.h"
#include "wick/wick.h"

using namespace wick;
using wick_bench::LeNet;

namespace {

struct SequenceModelImpl : nn::Module {
  nn::LSTM lstm{nullptr};
  nn::Linear head{nullptr};
  SequenceModelImpl() {
    lstm = register_module("lstm", nn::LSTM(nn::LSTMOptions(32, 128)));
    head = register_module("head", nn::Linear(128, 32));
  }
  Tensor forward(const Tensor& x) { return head->forward(std::get<0>(lstm->forward(x))); }
};
WICK_MODULE(SequenceModel);

bool same_parameters(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!equal(a[i], b[i])) return false;
  return true;
}

// Trains two copies of one model for `steps` steps on the same batches, one through wick::compile, and insists on
// equal losses and parameters after every step. Returns the compiled step's statistics.
template <class Model, class Optimizer, class Loss>
CompileStats train_twins(std::function<Model()> make, std::function<Optimizer(Model&)> make_optimizer, Loss loss_fn,
                         std::function<std::pair<Tensor, Tensor>(int)> batch, int steps) {
  Model eager_model = make(), compiled_model = make();
  REQUIRE(same_parameters(eager_model->parameters(), compiled_model->parameters()));
  Optimizer eager_opt = make_optimizer(eager_model), compiled_opt = make_optimizer(compiled_model);
  auto step = compile([&](const Tensor& x, const Tensor& y) {
    compiled_opt.zero_grad();
    Tensor loss = loss_fn(compiled_model->forward(x), y);
    loss.backward();
    compiled_opt.step();
    return loss.detach();
  });
  for (int i = 0; i < steps; ++i) {
    const auto [x, y] = batch(i);
    const float compiled_loss = step(x, y).template item<float>();
    eager_opt.zero_grad();
    Tensor loss = loss_fn(eager_model->forward(x), y);
    loss.backward();
    eager_opt.step();
    INFO("step " << i << ", fallback: " << step.fallback_reason());
    REQUIRE(compiled_loss == loss.template item<float>());
    REQUIRE(same_parameters(eager_model->parameters(), compiled_model->parameters()));
  }
  return step.stats();
}

}  // namespace

TEST_CASE("compile: the MNIST CNN's training step replays with eager's losses and parameters", "[compile]") {
  auto make = [] {
    manual_seed(7);
    return LeNet();
  };
  auto sgd = [](LeNet& m) { return optim::SGD(m->parameters(), optim::SGDOptions(0.05).momentum(0.9)); };
  auto loss = [](const Tensor& out, const Tensor& y) { return nn::functional::cross_entropy(out, y); };
  auto batch = [](int i) {
    manual_seed(100 + uint64_t(i));
    return std::make_pair(randn({32, 1, 28, 28}), randint(0, 10, {32}));
  };
  const CompileStats s = train_twins<LeNet, optim::SGD>(make, sgd, loss, batch, 7);
  CHECK(s.replays == 4);  // step 1 creates the momentum buffers; steps 2 and 3 agree; 4 on replay
  CHECK(s.eager_calls == 0);
}

TEST_CASE("compile: an LSTM's training step over 35 time steps replays with eager's results", "[compile]") {
  auto make = [] {
    manual_seed(8);
    return SequenceModel();
  };
  auto sgd = [](SequenceModel& m) { return optim::SGD(m->parameters(), optim::SGDOptions(0.1)); };
  auto loss = [](const Tensor& out, const Tensor& y) { return nn::functional::mse_loss(out, y); };
  auto batch = [](int i) {
    manual_seed(200 + uint64_t(i));
    return std::make_pair(randn({35, 4, 32}), randn({35, 4, 32}));
  };
  const CompileStats s = train_twins<SequenceModel, optim::SGD>(make, sgd, loss, batch, 5);
  CHECK(s.replays == 3);
}

TEST_CASE("compile: Adam's changing bias correction keeps its step eager, and still right", "[compile]") {
  // Adam computes its bias corrections on the host from a step count, so each capture bakes in other constants:
  // the captures never agree, and the function runs eagerly (compile the forward and backward, and call
  // optimizer.step() outside, to compile an Adam step's bulk).
  auto make = [] {
    manual_seed(9);
    return nn::Sequential(nn::Linear(16, 32), nn::Tanh(), nn::Linear(32, 4));
  };
  auto adam = [](nn::Sequential& m) { return optim::Adam(m->parameters(), optim::AdamOptions(1e-2)); };
  auto loss = [](const Tensor& out, const Tensor& y) { return nn::functional::mse_loss(out, y); };
  auto batch = [](int i) {
    manual_seed(300 + uint64_t(i));
    return std::make_pair(randn({8, 16}), randn({8, 4}));
  };
  const CompileStats s = train_twins<nn::Sequential, optim::Adam>(make, adam, loss, batch, 6);
  CHECK(s.replays == 0);
  CHECK(s.eager_calls == 2);  // captures 2, 3 and 4 each differed from the one before
}

TEST_CASE("compile: capturable Adam keeps its step count on the device, and its steps replay", "[compile]") {
  // The bias corrections as tensor ops on a step tensor: every capture records the same steps, so the training
  // step replays, bit for bit with the eager twin; AMSGrad and weight decay too.
  auto make = [] {
    manual_seed(9);
    return nn::Sequential(nn::Linear(16, 32), nn::Tanh(), nn::Linear(32, 4));
  };
  auto loss = [](const Tensor& out, const Tensor& y) { return nn::functional::mse_loss(out, y); };
  auto batch = [](int i) {
    manual_seed(300 + uint64_t(i));
    return std::make_pair(randn({8, 16}), randn({8, 4}));
  };
  for (const bool amsgrad : {false, true}) {
    INFO("amsgrad " << amsgrad);
    auto adam = [amsgrad](nn::Sequential& m) {
      return optim::Adam(m->parameters(),
                         optim::AdamOptions(1e-2).capturable(true).amsgrad(amsgrad).weight_decay(amsgrad ? 0.1 : 0));
    };
    const CompileStats s = train_twins<nn::Sequential, optim::Adam>(make, adam, loss, batch, 6);
    CHECK(s.replays == 3);  // the first step creates the state, the second and third captures agree
    CHECK(s.eager_calls == 0);
  }
}

TEST_CASE("Adam: capturable steps agree with the host step count's to float rounding", "[optim]") {
  for (const bool amsgrad : {false, true}) {
    INFO("amsgrad " << amsgrad);
    manual_seed(4);
    const Tensor start = randn({40}, kDouble);
    Tensor host = start.clone().requires_grad_(), device = start.clone().requires_grad_();
    optim::Adam host_opt({host}, optim::AdamOptions(0.05).amsgrad(amsgrad));
    optim::Adam device_opt({device}, optim::AdamOptions(0.05).amsgrad(amsgrad).capturable(true));
    auto step = [](const Tensor& p, optim::Adam& opt) {
      opt.zero_grad();
      ((p - 0.3) * (p - 0.3) * (p + 1.0)).sum().backward();
      opt.step();
    };
    for (int i = 0; i < 30; ++i) {
      step(host, host_opt);
      step(device, device_opt);
    }
    // Far from the start (30 steps of 0.05), and within float64 rounding of each other.
    CHECK((host - start).abs().max().item<double>() > 0.5);
    CHECK((host - device).abs().max().item<double>() < 1e-12);
    const auto& state = static_cast<optim::AdamParamState&>(*device_opt.state().at(device.impl()));
    CHECK(state.step() == 30);
    CHECK(state.step_tensor().item<double>() == 30);
  }
}
