// The edit-compile-run benchmark's user program: tools/bench/run times building and running it at -O0.
#include <iostream>
#include <wick/wick.h>

int main() {
  wick::manual_seed(0);
  wick::nn::Linear fc(784, 10);
  wick::Tensor x = wick::randn({64, 784});
  wick::Tensor loss = fc->forward(x).relu().pow(2).mean();
  loss.backward();
  std::cout << loss.item<float>() << " " << fc->weight.grad().norm().item<float>() << "\n";
}
