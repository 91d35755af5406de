// LibTorch's side of quantization_bench (its own translation unit: LibTorch's headers take ~20 s to compile).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace torch_side {

// The quantized engine LibTorch runs dynamic int8 layers on here ("onednn" in Debian's build), or "" if none.
std::string int8_engine();
void set_threads(int n);
// One forward pass of an MLP with these layer sizes (tanh or ReLU between layers) on a fixed random batch, under
// torch::NoGradGuard: float32 torch::nn, or PyTorch's dynamic int8 layers (per-channel qint8 weights, 7-bit
// activations: what torch.ao.quantization.quantize_dynamic with per_channel_dynamic_qconfig builds).
std::function<void()> float_mlp(const std::vector<int64_t>& sizes, bool tanh, int64_t batch);
std::function<void()> int8_mlp(const std::vector<int64_t>& sizes, bool tanh, int64_t batch);

}  // namespace torch_side
