// porting: compare
// The official "Using the PyTorch C++ Frontend" style: a Module with register_module and register_parameter,
// TORCH_MODULE holders, Sequential, Functional, named_parameters, train/eval, and optimizer steps (SGD with
// momentum, then Adam) on a fixed synthetic regression problem. Parameters are set deterministically so the
// losses must match LibTorch's.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

struct NetImpl : torch::nn::Module {
  NetImpl(int64_t N, int64_t M) : linear(register_module("linear", torch::nn::Linear(N, M))) {
    another_bias = register_parameter("b", torch::randn(M));
  }
  torch::Tensor forward(torch::Tensor input) { return linear(input) + another_bias; }
  torch::nn::Linear linear;
  torch::Tensor another_bias;
};
TORCH_MODULE(Net);

struct ModelImpl : torch::nn::Module {
  ModelImpl() {
    body = register_module("body", torch::nn::Sequential(torch::nn::Linear(3, 8), torch::nn::Tanh(),
                                                         torch::nn::Linear(8, 8), torch::nn::ReLU()));
    head = register_module("head", Net(8, 2));
  }
  torch::Tensor forward(torch::Tensor x) { return head(body->forward(x)); }
  torch::nn::Sequential body{nullptr};
  Net head{nullptr};
};
TORCH_MODULE(Model);

// Deterministic stand-in for the random initialisation: every parameter gets a smooth pattern.
void init_deterministic(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  int64_t k = 0;
  for (auto& p : module.parameters()) {
    auto values = torch::arange(p.numel(), torch::kFloat).add(k++).mul(0.37).sin().mul(0.5);
    p.copy_(values.view_as(p));
  }
}

int main() {
  Net net(4, 5);
  for (const auto& pair : net->named_parameters()) {
    std::cout << pair.key() << ": " << pair.value().sizes() << std::endl;
  }
  std::cout << "parameters: " << net->parameters().size() << std::endl;

  Model model;
  init_deterministic(*model);
  std::cout << model << std::endl;
  int64_t count = 0;
  for (const auto& p : model->parameters()) count += p.numel();
  std::cout << "model parameters: " << model->parameters().size() << " tensors, " << count << " values" << std::endl;
  for (const auto& pair : model->named_parameters()) {
    std::cout << pair.key() << " " << pair.value().sizes() << std::endl;
  }
  std::cout << "children: " << model->children().size() << " modules: " << model->modules().size() << std::endl;

  // Fixed synthetic problem: targets are a smooth function of the inputs.
  auto inputs = torch::linspace(-1, 1, 48).view({16, 3});
  auto targets = torch::stack({inputs.sum(1).sin(), (inputs.select(1, 0) * inputs.select(1, 2))}, 1);

  torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  for (int step = 0; step < 10; ++step) {
    sgd.zero_grad();
    auto loss = torch::mse_loss(model->forward(inputs), targets);
    loss.backward();
    sgd.step();
    std::cout << "sgd step " << step << " loss " << loss.item<float>() << std::endl;
  }

  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2).betas({0.9, 0.99}).weight_decay(1e-4));
  for (int step = 0; step < 10; ++step) {
    adam.zero_grad();
    auto prediction = model->forward(inputs);
    auto loss = torch::nn::functional::mse_loss(prediction, targets);
    loss.backward();
    adam.step();
    std::cout << "adam step " << step << " loss " << loss.item<float>() << std::endl;
  }

  model->eval();
  std::cout << "is_training " << model->is_training() << std::endl;
  torch::NoGradGuard no_grad;
  auto final_prediction = model->forward(inputs.narrow(0, 0, 4));
  std::cout << "prediction\n" << final_prediction << std::endl;
  std::cout << "head bias " << model->head->another_bias << std::endl;

  // A Sequential built from a lambda (Functional) and a module held by value.
  torch::nn::Sequential seq(torch::nn::Linear(2, 2), torch::nn::Functional(torch::relu),
                            torch::nn::Functional([](torch::Tensor t) { return t * 2; }));
  init_deterministic(*seq);
  std::cout << "sequential size " << seq->size() << std::endl;
  std::cout << seq->forward(torch::tensor({{1.f, -1.f}, {0.5f, 2.f}})) << std::endl;
  return 0;
}
