// porting: compare
// Sample output for tools/porting_corpus --self-test: the printing cases the comparator has to read from both
// libraries (scale factors, column blocks, higher-dim slices, scientific notation, ints, bools, 0-dim, empty,
// non-finite). printing.libtorch.out and printing.wick.out are this program's output from each library.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

int main() {
  std::cout << "matrix\n" << torch::tensor({{0.f, 1.f, 2.f}, {-1.5f, 0.25f, 3.125f}}) << "\n";
  std::cout << "keepdim\n" << torch::tensor({3.f, 12.f}).view({2, 1}) << "\n";
  std::cout << "int32\n" << torch::tensor({1, 2, 3}, torch::kInt32) << "\n";
  std::cout << "bool\n" << torch::tensor({true, false, true}) << "\n";
  std::cout << "scientific\n" << torch::tensor({1e-5f, 2.5f, 300.f}) << "\n";
  std::cout << "small\n" << torch::tensor({0.00123f, -0.00456f}) << "\n";
  std::cout << "large\n" << torch::tensor({{123456.f, 234567.5f}, {345678.f, 456789.f}}) << "\n";
  std::cout << "wide\n" << torch::arange(90, torch::kFloat).mul(0.01).view({3, 30}) << "\n";
  std::cout << "wide scaled\n" << torch::arange(40, torch::kFloat).mul(1e-4).add(1e-3).view({2, 20}) << "\n";
  std::cout << "3-d\n" << torch::arange(12, torch::kFloat).div(7).view({2, 2, 3}) << "\n";
  std::cout << "4-d ints\n" << torch::arange(8).view({2, 1, 2, 2}) << "\n";
  std::cout << "4-d\n" << torch::arange(24, torch::kFloat).sub(10).div(4).view({2, 3, 2, 2}) << "\n";
  std::cout << "3-d wide\n" << torch::arange(100, torch::kFloat).mul(-3e-4).view({2, 2, 25}) << "\n";
  std::cout << "0-dim " << torch::tensor(2.5f).sum() << "\n";
  std::cout << "0-dim long " << torch::arange(6).sum() << "\n";
  std::cout << "double\n" << torch::tensor({1.0 / 3, 2.0 / 3}, torch::kFloat64) << "\n";
  std::cout << "empty\n" << torch::zeros({0, 3}) << "\n";
  std::cout << "non-finite\n" << torch::tensor({1.f, INFINITY, -INFINITY, NAN}) << "\n";
  std::cout << "requires grad\n" << torch::ones({2}, torch::requires_grad()) * 2 << "\n";
  std::cout << "label: " << torch::tensor({7.f, 8.f}) << "\n";
  std::cout << "sum " << 15 << " mean " << 2.5f << " ratio " << 1.0 / 3 << "\n";
  return 0;
}
