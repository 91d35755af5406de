// LibTorch's MNIST example network (examples/cpp/mnist in the PyTorch repository), ported by replacing the
// namespace: it must compile unchanged otherwise and train.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <thread>

#include "../support/fixtures.h"

namespace torch = wick;

namespace {

struct Net : torch::nn::Module {
  Net()
      : conv1(torch::nn::Conv2dOptions(1, 10, /*kernel_size=*/5)),
        conv2(torch::nn::Conv2dOptions(10, 20, /*kernel_size=*/5)),
        fc1(320, 50),
        fc2(50, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("conv2_drop", conv2_drop);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2_drop->forward(conv2->forward(x)), 2));
    x = x.view({-1, 320});
    x = torch::relu(fc1->forward(x));
    x = torch::dropout(x, /*p=*/0.5, /*training=*/is_training());
    x = fc2->forward(x);
    return torch::log_softmax(x, /*dim=*/1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Dropout2d conv2_drop;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};

}  // namespace

TEST_CASE("port: LibTorch's MNIST network compiles after a namespace change and learns", "[nn][port]") {
  torch::manual_seed(1);
  Net model;
  CHECK(model.named_parameters().keys() ==
        std::vector<std::string>{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                                 "fc2.weight", "fc2.bias"});
  const torch::Tensor data = torch::randn({16, 1, 28, 28});
  const torch::Tensor targets = torch::randint(10, {16});
  const auto eval_loss = [&] {
    torch::NoGradGuard no_grad;
    model.eval();
    const float loss = torch::nll_loss(model.forward(data), targets).item<float>();
    model.train();
    return loss;
  };
  const float before = eval_loss();
  for (int step = 0; step < 40; ++step) {
    model.zero_grad();
    torch::Tensor output = model.forward(data);
    torch::Tensor loss = torch::nll_loss(output, targets);
    loss.backward();
    torch::NoGradGuard no_grad;
    for (auto& p : model.parameters()) p.sub_(p.grad() * 0.1);
  }
  CHECK(eval_loss() < before * 0.7f);
  model.eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor pred = model.forward(data).argmax(1);
  CHECK(pred.sizes() == torch::IntArrayRef({16}));
}

TEST_CASE("port: two threads convolve at once, each with its own primitive cache", "[nn][conv][threads]") {
  // Layers and inputs are made here first: the generator is global, and seeding it from two threads would race.
  std::vector<torch::nn::Conv2d> convs;
  std::vector<torch::Tensor> inputs;
  for (int i = 0; i < 2; ++i) {
    torch::manual_seed(uint64_t(i));
    convs.emplace_back(torch::nn::Conv2dOptions(3, 8, 3).padding(1));
    inputs.push_back(torch::randn({4, 3, 10, 10}));
  }
  auto train = [&](size_t i) {
    convs[i]->zero_grad();
    for (int k = 0; k < 20; ++k) convs[i]->forward(inputs[i]).sum().backward();
    return convs[i]->weight.grad().clone();
  };
  std::vector<torch::Tensor> concurrent(2);
  std::thread a([&] { concurrent[0] = train(0); }), b([&] { concurrent[1] = train(1); });
  a.join();
  b.join();
  // The same work one after the other on this thread: concurrency must not change a value (beyond the summation
  // order a thread pool shared by two callers may pick).
  for (size_t i = 0; i < 2; ++i) CHECK_TENSOR(concurrent[i], train(i), (wick::testing::Tolerance{1e-5, 1e-5}));
}
