// The workloads wick::compile is measured on (tools/bench/compile_bench.cpp) and tested with
// (tests/lib/compile_test.cpp, tests/nn/compile_training_test.cpp): one definition, so the benchmark times what
// the tests prove equal to eager. LeNet-5 is also distributed_bench's data-parallel model.
#pragma once

#include <wick/wick.h>

namespace wick_bench {

// GELU's tanh form written as 8 elementwise ops: what a user composing it by hand runs.
inline wick::Tensor gelu_from_8_ops(const wick::Tensor& x) {
  const wick::Tensor inner = (x + x * x * x * 0.044715) * 0.7978845608028654;
  return x * 0.5 * (wick::tanh(inner) + 1.0);
}

// LayerNorm over the last dim (no affine), composed from public ops: two row reductions and five elementwise ops.
inline wick::Tensor layer_norm_from_public_ops(const wick::Tensor& x) {
  const wick::Tensor mu = x.mean({-1}, true);
  const wick::Tensor centered = x - mu;
  const wick::Tensor var = (centered * centered).mean({-1}, true);
  return centered * wick::rsqrt(var + 1e-5);
}

// LeNet-5 for 28x28 inputs (the MNIST CNN's shape).
struct LeNetImpl : wick::nn::Module {
  wick::nn::Conv2d c1{nullptr}, c2{nullptr};
  wick::nn::Linear f1{nullptr}, f2{nullptr}, f3{nullptr};
  LeNetImpl() {
    c1 = register_module("c1", wick::nn::Conv2d(wick::nn::Conv2dOptions(1, 6, 5).padding(2)));
    c2 = register_module("c2", wick::nn::Conv2d(wick::nn::Conv2dOptions(6, 16, 5)));
    f1 = register_module("f1", wick::nn::Linear(400, 120));
    f2 = register_module("f2", wick::nn::Linear(120, 84));
    f3 = register_module("f3", wick::nn::Linear(84, 10));
  }
  wick::Tensor forward(const wick::Tensor& x) {
    wick::Tensor h = wick::max_pool2d(wick::relu(c1->forward(x)), 2);
    h = wick::max_pool2d(wick::relu(c2->forward(h)), 2).flatten(1);
    return f3->forward(wick::relu(f2->forward(wick::relu(f1->forward(h)))));
  }
};
WICK_MODULE(LeNet);

}  // namespace wick_bench
