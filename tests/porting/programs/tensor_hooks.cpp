// porting: compare
// Tensor hooks as LibTorch users write them: a hook that reads a gradient, one that replaces it, hooks on a leaf
// and on intermediates, retain_grad, remove_hook, and a hook registered on an intermediate tensor that goes out of
// scope before backward (LibTorch keeps such a hook with the graph and still calls it). Fixed inputs, no RNG.
#include <torch/torch.h>

#include <iostream>
#include <vector>

int main() {
  std::vector<double> seen;
  auto x = torch::tensor({1.0, -2.0, 3.0}, torch::requires_grad());

  // A hook on a leaf sees the gradient before it is added to .grad; one that returns a tensor replaces it.
  x.register_hook([&](torch::Tensor g) { seen.push_back(g.sum().item<double>()); });
  const unsigned doubling = x.register_hook([](torch::Tensor g) { return g * 2; });

  torch::Tensor loss;
  {
    // `h` dies at the end of this block, before backward: its hook must still run.
    auto h = x * x;
    h.register_hook([&](torch::Tensor g) {
      std::cout << "hook on the dropped intermediate: " << g << std::endl;
      return g + 1;
    });
    auto kept = h.sin();
    kept.retain_grad();
    loss = kept.sum();
    loss.backward({}, /*retain_graph=*/true);
    std::cout << "kept.grad: " << kept.grad() << std::endl;
  }
  std::cout << "x.grad after the first backward: " << x.grad() << std::endl;

  // Without the doubling hook the second backward adds the plain (but still +1-shifted) gradient.
  x.remove_hook(doubling);
  loss.backward();
  std::cout << "x.grad after the second backward: " << x.grad() << std::endl;

  std::cout << "the leaf hook saw:";
  for (double s : seen) std::cout << " " << s;
  std::cout << std::endl;
  return 0;
}
