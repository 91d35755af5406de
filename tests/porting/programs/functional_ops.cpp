// porting: compare
// The everyday functional surface a LibTorch training script calls, through torch::nn::functional (with its
// options structs) and the top-level torch:: functions: activations, losses with reductions and weights,
// normalisation, padding, pooling, convolution and a few tensor utilities. Fixed inputs; values must match.
#include <torch/torch.h>

#include <iostream>

namespace F = torch::nn::functional;

#define SHOW(expr) std::cout << #expr << "\n" << (expr) << "\n"

int main() {
  auto x = torch::linspace(-3, 3, 12).view({3, 4});
  auto logits = torch::arange(12, torch::kFloat).view({3, 4}).mul(0.7).cos().mul(2);
  auto target = torch::tensor({3, 0, 2}, torch::kLong);
  auto probs = torch::sigmoid(x);
  auto soft_target = torch::arange(12, torch::kFloat).view({3, 4}).div(11);

  // activations
  SHOW(F::relu(x));
  SHOW(F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.1)));
  SHOW(F::elu(x));
  SHOW(F::gelu(x));
  SHOW(F::silu(x));
  SHOW(F::softplus(x));
  SHOW(F::hardtanh(x));
  SHOW(torch::tanh(x));
  SHOW(F::softmax(x, F::SoftmaxFuncOptions(1)));
  SHOW(F::log_softmax(x, 0));
  SHOW(torch::relu6(x));

  // losses
  SHOW(F::cross_entropy(logits, target));
  SHOW(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().reduction(torch::kSum)));
  SHOW(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().label_smoothing(0.1)));
  SHOW(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().weight(torch::tensor({1.f, 2.f, 0.5f, 1.f}))));
  SHOW(F::nll_loss(F::log_softmax(logits, 1), target, F::NLLLossFuncOptions().reduction(torch::kNone)));
  SHOW(torch::nll_loss(torch::log_softmax(logits, 1), target));
  SHOW(F::mse_loss(x, soft_target));
  SHOW(F::mse_loss(x, soft_target, F::MSELossFuncOptions().reduction(torch::kNone)));
  SHOW(F::l1_loss(x, soft_target));
  SHOW(F::smooth_l1_loss(x, soft_target));
  SHOW(F::huber_loss(x, soft_target, F::HuberLossFuncOptions().delta(0.5)));
  SHOW(F::binary_cross_entropy(probs, soft_target));
  SHOW(F::binary_cross_entropy_with_logits(x, soft_target));
  SHOW(F::binary_cross_entropy_with_logits(
      x, soft_target, F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(torch::tensor({1.f, 2.f, 3.f, 4.f}))));
  SHOW(F::kl_div(F::log_softmax(logits, 1), F::softmax(x, 1), F::KLDivFuncOptions().reduction(torch::kBatchMean)));

  // normalisation
  SHOW(F::normalize(x, F::NormalizeFuncOptions().p(2).dim(1)));
  SHOW(F::layer_norm(x, F::LayerNormFuncOptions({4}).eps(1e-5)));
  SHOW(torch::layer_norm(x, {4}));
  SHOW(F::batch_norm(x, torch::zeros({4}), torch::ones({4}), F::BatchNormFuncOptions().training(true)));
  SHOW(F::dropout(x, F::DropoutFuncOptions().p(0.5).training(false)));

  // shape utilities
  SHOW(F::pad(x, F::PadFuncOptions({1, 2}).mode(torch::kConstant).value(-1)));
  SHOW(F::one_hot(target, 4));
  SHOW(torch::cat({x, x}, 0).sizes());
  SHOW(x.unsqueeze(0).expand({2, 3, 4}).sum(0));
  SHOW(torch::gather(x, 1, torch::tensor({{0}, {3}, {1}}, torch::kLong)));
  SHOW(x.index_select(1, torch::tensor({3, 1}, torch::kLong)));
  SHOW(x.masked_fill(x < 0, 0.5));
  SHOW(std::get<0>(torch::topk(logits, 2, 1)));
  SHOW(std::get<1>(torch::sort(logits, 1, /*descending=*/true)));
  SHOW(torch::clamp(x, -1, 1));
  SHOW(torch::einsum("ij,kj->ik", {x, logits}));

  // pooling and convolution on an image
  auto image = torch::arange(2 * 2 * 6 * 6, torch::kFloat).view({2, 2, 6, 6}).mul(0.05).sin();
  auto kernel = torch::arange(3 * 2 * 3 * 3, torch::kFloat).view({3, 2, 3, 3}).mul(0.1).cos();
  SHOW(F::max_pool2d(image, F::MaxPool2dFuncOptions(2)));
  SHOW(F::avg_pool2d(image, F::AvgPool2dFuncOptions(3).stride(2).padding(1)));
  SHOW(F::adaptive_avg_pool2d(image, F::AdaptiveAvgPool2dFuncOptions({2, 3})));
  SHOW(F::conv2d(image, kernel, F::Conv2dFuncOptions().stride(2).padding(1)));
  SHOW(torch::conv2d(image, kernel, torch::tensor({0.1f, 0.f, -0.1f})));
  SHOW(F::interpolate(
      image.narrow(0, 0, 1).narrow(1, 0, 1),
      F::InterpolateFuncOptions().size(std::vector<int64_t>{3, 3}).mode(torch::kBilinear).align_corners(false)));
  SHOW(torch::max_pool2d(image, {3, 3}, {3, 3}));
  return 0;
}
