#include <catch2/catch.hpp>
#include <wick/autograd/gradcheck.h>
#include <wick/wick.h>
#include "support/fixtures.h"

using namespace wick;
using autograd::AutogradContext;
using autograd::variable_list;

namespace {
// y = x^3 * k, written as a custom function in the LibTorch shape.
struct ScaledCube : autograd::Function<ScaledCube> {
  static Tensor forward(AutogradContext* ctx, Tensor x, double k) {
    ctx->save_for_backward({x});
    ctx->saved_data["k"] = k;
    return x * x * x * k;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Tensor x = ctx->get_saved_variables()[0];
    const double k = ctx->saved_data["k"].toDouble();
    return {grads[0] * x * x * (3 * k), Tensor()};
  }
};

// Two inputs, two outputs.
struct SumAndProduct : autograd::Function<SumAndProduct> {
  static variable_list forward(AutogradContext* ctx, Tensor a, Tensor b) {
    ctx->save_for_backward({a, b});
    return {a + b, a * b};
  }
  static variable_list backward(AutogradContext* ctx, variable_list g) {
    auto s = ctx->get_saved_variables();
    Tensor ga, gb;
    if (g[0].defined()) {
      ga = g[0];
      gb = g[0];
    }
    if (g[1].defined()) {
      ga = ga.defined() ? ga + g[1] * s[1] : g[1] * s[1];
      gb = gb.defined() ? gb + g[1] * s[0] : g[1] * s[0];
    }
    return {ga, gb};
  }
};
}  // namespace

TEST_CASE("function: custom forward/backward in the LibTorch shape", "[autograd][function]") {
  Tensor x = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor y = ScaledCube::apply(x, 2.0);
  CHECK_TENSOR_CLOSE(y.detach(), tensor({2.0, 16.0}, dtype(kDouble)));
  y.sum().backward();
  CHECK_TENSOR_CLOSE(x.grad(), tensor({6.0, 24.0}, dtype(kDouble)));
  CHECK(autograd::gradcheck([](const variable_list& in) { return variable_list{ScaledCube::apply(in[0], 0.5)}; },
                            {x.detach().requires_grad_(true)}) == "");
  CHECK(autograd::to_dot(y).find("ScaledCube") != std::string::npos);
}

TEST_CASE("function: a temporary argument still records", "[autograd][function]") {
  Tensor x = tensor({2.0}, dtype(kDouble).requires_grad(true));
  Tensor y = ScaledCube::apply(x * 1, 1.0);  // the argument is a temporary that forward may move from
  CHECK(y.requires_grad());
  y.sum().backward();
  CHECK(x.grad().item<double>() == Approx(12.0));
}

TEST_CASE("function: several inputs and outputs", "[autograd][function]") {
  Tensor a = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor b = tensor({3.0, 5.0}, dtype(kDouble).requires_grad(true));
  auto outs = SumAndProduct::apply(a, b);
  (outs[0] * 2 + outs[1]).sum().backward();
  CHECK_TENSOR_CLOSE(a.grad(), b.detach() + 2);
  CHECK_TENSOR_CLOSE(b.grad(), a.detach() + 2);
  CHECK(autograd::gradcheck([](const variable_list& in) { return SumAndProduct::apply(in[0], in[1]); },
                            {a.detach().requires_grad_(true), b.detach().requires_grad_(true)}) == "");
}

TEST_CASE("function: saved tensors edited in place are caught", "[autograd][function]") {
  Tensor x = tensor({1.0, 2.0}, dtype(kDouble).requires_grad(true));
  Tensor h = x * 1;
  Tensor y = ScaledCube::apply(h, 1.0);
  {
    NoGradGuard no_grad;
    h.add_(1);
  }
  CHECK_THROWS_WITH(y.sum().backward(), Catch::Contains("modified by an in-place operation"));
}
