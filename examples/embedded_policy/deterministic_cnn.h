// The small CNN that deterministic numerics mode is proven (tests/embedded/deterministic_numerics_test.cpp) and
// timed (tools/bench/deterministic_bench.cpp) on: convolution, max pooling, ReLU, sigmoid, layer norm, GELU, softmax.
#pragma once

#include <wick/wick.h>

namespace wick_example {

struct DeterministicCnnImpl : wick::nn::Module {
  DeterministicCnnImpl()
      : conv1(register_module("conv1", wick::nn::Conv2d(wick::nn::Conv2dOptions(1, 8, 5)))),
        conv2(register_module("conv2", wick::nn::Conv2d(wick::nn::Conv2dOptions(8, 16, 5)))),
        fc1(register_module("fc1", wick::nn::Linear(256, 64))),
        norm(register_module("norm", wick::nn::LayerNorm(wick::nn::LayerNormOptions({64})))),
        fc2(register_module("fc2", wick::nn::Linear(64, 10))) {}
  wick::Tensor forward(const wick::Tensor& x) {
    wick::Tensor h = wick::max_pool2d(wick::relu(conv1->forward(x)), 2);
    h = wick::max_pool2d(wick::sigmoid(conv2->forward(h)), 2).flatten(1);
    h = wick::gelu(norm->forward(fc1->forward(h)));
    return wick::softmax(fc2->forward(h), 1);
  }
  wick::nn::Conv2d conv1, conv2;
  wick::nn::Linear fc1;
  wick::nn::LayerNorm norm;
  wick::nn::Linear fc2;
};
WICK_MODULE(DeterministicCnn);

}  // namespace wick_example
