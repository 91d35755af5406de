#include "quantization_bench_torch.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>
#include <torch/torch.h>

#include <memory>

namespace torch_side {
namespace {

using Packed = c10::intrusive_ptr<LinearPackedParamsBase>;

torch::Tensor activation(const torch::Tensor& x, bool tanh) { return tanh ? x.tanh() : x.relu(); }

}  // namespace

std::string int8_engine() {
  for (at::QEngine e : at::globalContext().supportedQEngines())
    if (e == at::QEngine::ONEDNN) {
      at::globalContext().setQEngine(e);
      return "onednn";
    }
  for (at::QEngine e : at::globalContext().supportedQEngines())
    if (e == at::QEngine::FBGEMM) {
      at::globalContext().setQEngine(e);
      return "fbgemm";
    }
  return "";
}

void set_threads(int n) { torch::set_num_threads(n); }

std::function<void()> float_mlp(const std::vector<int64_t>& sizes, bool tanh, int64_t batch) {
  auto layers = std::make_shared<std::vector<torch::nn::Linear>>();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) layers->push_back(torch::nn::Linear(sizes[i], sizes[i + 1]));
  auto x = std::make_shared<torch::Tensor>(torch::randn({batch, sizes.front()}));
  return [layers, x, tanh] {
    torch::NoGradGuard no_grad;
    torch::Tensor y = *x;
    for (size_t i = 0; i < layers->size(); ++i) {
      y = (*layers)[i]->forward(y);
      if (i + 1 < layers->size()) y = activation(y, tanh);
    }
  };
}

std::function<void()> int8_mlp(const std::vector<int64_t>& sizes, bool tanh, int64_t batch) {
  static const auto prepack = c10::Dispatcher::singleton()
                                  .findSchemaOrThrow("quantized::linear_prepack", "")
                                  .typed<Packed(at::Tensor, c10::optional<at::Tensor>)>();
  auto packed = std::make_shared<std::vector<Packed>>();
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    torch::nn::Linear layer(sizes[i], sizes[i + 1]);
    const torch::Tensor w = layer->weight.detach();
    const torch::Tensor scales =
        (w.abs().amax(1) / 127.5).clamp_min(std::numeric_limits<float>::epsilon()).to(torch::kDouble);
    const torch::Tensor q = at::quantize_per_channel(w, scales, torch::zeros({w.size(0)}, torch::kLong), 0, at::kQInt8);
    packed->push_back(prepack.call(q, layer->bias.detach()));
  }
  auto x = std::make_shared<torch::Tensor>(torch::randn({batch, sizes.front()}));
  return [packed, x, tanh] {
    torch::NoGradGuard no_grad;
    torch::Tensor y = *x;
    for (size_t i = 0; i < packed->size(); ++i) {
      y = (*packed)[i]->apply_dynamic(y, /*reduce_range=*/true);
      if (i + 1 < packed->size()) y = activation(y, tanh);
    }
  };
}

}  // namespace torch_side
