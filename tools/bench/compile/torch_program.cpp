// wick_program.cpp against LibTorch: the same ten lines after a namespace change.
#include <iostream>
#include <torch/torch.h>

int main() {
  torch::manual_seed(0);
  torch::nn::Linear fc(784, 10);
  torch::Tensor x = torch::randn({64, 784});
  torch::Tensor loss = fc->forward(x).relu().pow(2).mean();
  loss.backward();
  std::cout << loss.item<float>() << " " << fc->weight.grad().norm().item<float>() << "\n";
}
