// A differentiable function of your own, in LibTorch's autograd::Function shape.
//
// Softsign(x) = x / (1 + |x|) with derivative 1 / (1 + |x|)^2. forward() runs with recording off and
// saves what backward() needs; backward() receives one gradient per output and returns one per forward
// argument. The result is an ordinary tensor in the graph: it trains, gradchecks and prints in to_dot.
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>

#include <iostream>

using wick::Tensor;
using wick::autograd::AutogradContext;
using wick::autograd::variable_list;

struct Softsign : wick::autograd::Function<Softsign> {
  static Tensor forward(AutogradContext* ctx, Tensor x) {
    ctx->save_for_backward({x});
    return x / (x.abs() + 1);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad_outputs) {
    const Tensor x = ctx->get_saved_variables()[0];
    const Tensor denom = x.abs() + 1;
    return {grad_outputs[0] / (denom * denom)};
  }
};

int main() {
  // 1. Use it like any op.
  Tensor x = wick::linspace(-3, 3, 7, wick::dtype(wick::kDouble)).requires_grad_(true);
  Tensor y = Softsign::apply(x);
  y.sum().backward();
  std::cout << "softsign(x)      = " << y.detach() << "\n";
  std::cout << "d/dx sum(softsign) = " << x.grad() << "\n";

  // 2. Check the derivative against finite differences.
  const std::string mismatch = wick::autograd::gradcheck(
      [](const variable_list& in) { return variable_list{Softsign::apply(in[0])}; }, {x.detach().requires_grad_(true)});
  std::cout << "gradcheck: " << (mismatch.empty() ? "ok" : mismatch) << "\n";

  // 3. Fit a scale a so that a * softsign(t) matches a target, with plain gradient descent.
  Tensor a = wick::tensor({0.1}, wick::dtype(wick::kDouble).requires_grad(true));
  const Tensor t = wick::linspace(-4, 4, 64, wick::dtype(wick::kDouble));
  const Tensor target = t / (t.abs() + 1) * 2.5;
  for (int step = 0; step < 200; ++step) {
    const Tensor loss = (a * Softsign::apply(t) - target).pow(2).mean();
    loss.backward();
    wick::NoGradGuard no_grad;
    a.sub_(a.grad() * 0.5);
    a.grad().zero_();
  }
  std::cout << "fitted scale: " << a.item<double>() << " (target 2.5)\n";

  // 4. It appears in the graph export under its class name.
  std::cout << wick::autograd::to_dot(Softsign::apply(x).sum());
  return mismatch.empty() ? 0 : 1;
}
