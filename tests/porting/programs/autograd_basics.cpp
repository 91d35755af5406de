// porting: compare
// LibTorch's "Autograd in C++ Frontend" tutorial: requires_grad, backward, grad, no_grad, higher-order
// gradients and custom functions (torch::autograd::Function with an AutogradContext). Inputs are fixed
// (no RNG) so the gradients must match LibTorch's.
#include <torch/torch.h>

#include <iostream>

using namespace torch::autograd;

// The tutorial's LinearFunction: y = x W^T + b with a hand-written backward.
class LinearFunction : public Function<LinearFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor input, torch::Tensor weight,
                               torch::Tensor bias = torch::Tensor()) {
    ctx->save_for_backward({input, weight, bias});
    auto output = input.mm(weight.t());
    if (bias.defined()) {
      output += bias.unsqueeze(0).expand_as(output);
    }
    return output;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto input = saved[0];
    auto weight = saved[1];
    auto bias = saved[2];

    auto grad_output = grad_outputs[0];
    auto grad_input = grad_output.mm(weight);
    auto grad_weight = grad_output.t().mm(input);
    auto grad_bias = torch::Tensor();
    if (bias.defined()) {
      grad_bias = grad_output.sum(0);
    }
    return {grad_input, grad_weight, grad_bias};
  }
};

// The tutorial's MulConstant: a non-tensor argument kept in ctx->saved_data.
class MulConstant : public Function<MulConstant> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor tensor, double constant) {
    ctx->saved_data["constant"] = constant;
    return tensor * constant;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), torch::Tensor()};
  }
};

int main() {
  // ---- basic autograd operations ----
  auto x = torch::ones({2, 2}, torch::requires_grad());
  std::cout << x << std::endl;
  auto y = x + 2;
  std::cout << y << std::endl;
  std::cout << y.grad_fn()->name() << std::endl;
  std::cout << "is AddBackward1: " << (y.grad_fn()->name() == "AddBackward1") << std::endl;
  auto z = y * y * 3;
  auto out = z.mean();
  std::cout << z << std::endl;
  std::cout << z.grad_fn()->name() << std::endl;
  std::cout << out << std::endl;
  std::cout << out.grad_fn()->name() << std::endl;

  auto a = torch::linspace(-1, 1, 4).view({2, 2});
  a = ((a * 3) / (a - 1));
  std::cout << a.requires_grad() << std::endl;
  a.requires_grad_(true);
  std::cout << a.requires_grad() << std::endl;
  auto b = (a * a).sum();
  std::cout << b.grad_fn()->name() << std::endl;

  out.backward();
  std::cout << x.grad() << std::endl;

  // vector-Jacobian product, with a fixed vector instead of the tutorial's randn
  x = torch::tensor({0.5f, -1.25f, 2.0f}, torch::requires_grad());
  y = x * 2;
  while (y.norm().item<double>() < 1000) {
    y = y * 2;
  }
  std::cout << y << std::endl;
  std::cout << y.grad_fn()->name() << std::endl;
  auto v = torch::tensor({0.1, 1.0, 0.0001}, torch::kFloat);
  y.backward(v);
  std::cout << x.grad() << std::endl;

  std::cout << x.requires_grad() << std::endl;
  std::cout << x.pow(2).requires_grad() << std::endl;
  {
    torch::NoGradGuard no_grad;
    std::cout << x.pow(2).requires_grad() << std::endl;
  }
  y = x.detach();
  std::cout << y.requires_grad() << std::endl;
  std::cout << x.eq(y).all().item<bool>() << std::endl;

  // ---- higher-order gradients: a gradient penalty ----
  auto model = torch::nn::Linear(4, 3);
  {
    torch::NoGradGuard no_grad;
    model->weight.copy_(torch::linspace(-0.6, 0.6, 12).view({3, 4}));
    model->bias.copy_(torch::tensor({0.1f, -0.2f, 0.3f}));
  }
  auto input = torch::linspace(-2, 2, 12).view({3, 4}).requires_grad_(true);
  auto output = model(input);
  auto target = torch::tensor({0.5f, -0.5f, 1.0f}).expand({3, 3});
  auto loss = torch::nn::functional::mse_loss(output, target);
  auto grad_output = torch::ones_like(loss);
  auto gradient = torch::autograd::grad({loss}, {input}, /*grad_outputs=*/{grad_output}, /*retain_graph=*/true,
                                        /*create_graph=*/true)[0];
  auto gradient_penalty = torch::pow((gradient.norm(2, /*dim=*/1) - 1), 2).mean();
  gradient_penalty.backward();
  std::cout << "loss " << loss << std::endl;
  std::cout << "gradient\n" << gradient << std::endl;
  std::cout << "penalty " << gradient_penalty << std::endl;
  std::cout << "weight grad\n" << model->weight.grad() << std::endl;
  std::cout << "bias grad\n" << model->bias.grad() << std::endl;

  // ---- custom functions ----
  x = torch::linspace(-1, 1, 6).view({2, 3}).requires_grad_();
  auto weight = torch::linspace(0.1, 1.2, 12).view({4, 3}).requires_grad_();
  y = LinearFunction::apply(x, weight);
  y.sum().backward();
  std::cout << "LinearFunction\n" << y << std::endl;
  std::cout << x.grad() << std::endl;
  std::cout << weight.grad() << std::endl;

  auto bias = torch::tensor({1.f, 2.f, 3.f, 4.f}, torch::requires_grad());
  auto y2 = LinearFunction::apply(x, weight, bias);
  (y2 * y2).sum().backward();
  std::cout << "with bias\n" << y2 << std::endl;
  std::cout << bias.grad() << std::endl;

  x = torch::tensor({1.f, 2.f, 3.f}, torch::requires_grad());
  y = MulConstant::apply(x, 5.5);
  y.sum().backward();
  std::cout << "MulConstant\n" << y << std::endl;
  std::cout << x.grad() << std::endl;

  // ---- gradient accumulation and zeroing ----
  auto w = torch::tensor({1.f, -2.f}, torch::requires_grad());
  for (int i = 0; i < 3; ++i) {
    (w * w * (i + 1)).sum().backward();
  }
  std::cout << "accumulated " << w.grad() << std::endl;
  w.grad().zero_();
  (w.exp()).sum().backward();
  std::cout << "after zero_ " << w.grad() << std::endl;

  // retain_grad on a non-leaf, and a hook that doubles the gradient
  auto h = torch::tensor({0.5f, 1.5f}, torch::requires_grad());
  auto mid = h * 3;
  mid.retain_grad();
  h.register_hook([](torch::Tensor grad) { return grad * 2; });
  (mid * mid).sum().backward();
  std::cout << "mid.grad " << mid.grad() << "\nh.grad " << h.grad() << std::endl;
  return 0;
}
