// XOR: the smallest problem a straight line cannot solve, and the smallest network that can.
//
// Four points, two classes: (0,0) and (1,1) are 0, (0,1) and (1,0) are 1. A model with one hidden layer
// learns it in a few hundred steps. This example shows the whole training loop of wick in a dozen lines:
// a module, an optimizer, forward, loss, backward, step.
#include <wick/wick.h>

#include <cstdio>

namespace nn = wick::nn;
namespace F = wick::nn::functional;

// A module is a class that registers its layers; forward() says how data flows through them.
struct XorNetImpl : nn::Module {
  XorNetImpl() {
    hidden = register_module("hidden", nn::Linear(2, 8));
    out = register_module("out", nn::Linear(8, 1));
  }
  wick::Tensor forward(const wick::Tensor& x) { return out(wick::tanh(hidden(x))); }

  nn::Linear hidden{nullptr}, out{nullptr};
};
WICK_MODULE(XorNet);  // XorNet is a shared handle to an XorNetImpl, as LibTorch's TORCH_MODULE

int main() {
  wick::manual_seed(0);  // the same initial weights, and so the same run, every time

  const wick::Tensor inputs = wick::tensor({{0.f, 0.f}, {0.f, 1.f}, {1.f, 0.f}, {1.f, 1.f}});
  const wick::Tensor targets = wick::tensor({0.f, 1.f, 1.f, 0.f}).unsqueeze(1);  // [4, 1], as the output

  XorNet model;
  std::printf("%s\n", model->str().c_str());
  wick::optim::SGD optimizer(model->parameters(), wick::optim::SGDOptions(0.5).momentum(0.9));

  for (int step = 1; step <= 300; ++step) {
    optimizer.zero_grad();                      // forget the previous step's gradients
    const wick::Tensor logits = model(inputs);  // forward: records what backward needs
    const wick::Tensor loss = F::binary_cross_entropy_with_logits(logits, targets);
    loss.backward();   // d(loss)/d(every parameter)
    optimizer.step();  // move the parameters downhill
    if (step % 50 == 0) std::printf("step %3d  loss %.5f\n", step, loss.item<float>());
  }

  // Evaluation needs no gradients: NoGradGuard skips recording entirely.
  wick::NoGradGuard no_grad;
  const wick::Tensor probabilities = wick::sigmoid(model(inputs));
  int correct = 0;
  for (int64_t i = 0; i < 4; ++i) {
    const float a = inputs[i][0].item<float>(), b = inputs[i][1].item<float>();
    const float p = probabilities[i][0].item<float>();
    const bool right = (p > 0.5f) == (targets[i][0].item<float>() > 0.5f);
    correct += right;
    std::printf("%.0f xor %.0f -> %.3f %s\n", a, b, p, right ? "" : "(wrong)");
  }
  std::printf("%d of 4 correct\n", correct);
  return correct == 4 ? 0 : 1;
}
