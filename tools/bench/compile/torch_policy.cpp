// embedded_policy's cold start against LibTorch: process start to the first action of the same 16-64-64-4 Tanh
// policy (LibTorch's builds it with random weights, as it cannot read the safetensors file wick loads).
#include <cstdio>
#include <torch/torch.h>

int main() {
  torch::InferenceMode guard;
  torch::nn::Sequential policy(torch::nn::Linear(16, 64), torch::nn::Tanh(), torch::nn::Linear(64, 64),
                               torch::nn::Tanh(), torch::nn::Linear(64, 4));
  const torch::Tensor action = policy->forward(torch::zeros({1, 16}));
  std::printf("%g\n", action[0][0].item<float>());
}
