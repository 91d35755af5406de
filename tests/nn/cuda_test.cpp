// nn on a CUDA device: every functional op, loss and a whole model moved with Module::to(kCUDA) give the
// CPU's values and gradients. Skipped where no GPU is usable.
#include <catch2/catch.hpp>
#include <wick/cuda.h>
#include <wick/wick.h>

#include <limits>
#include <vector>

#include "../support/skip.h"
#include "fixture.h"

using namespace wick;
namespace F = wick::nn::functional;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Runs fn on CPU and CUDA copies of the inputs (float32) and compares outputs and input gradients.
void same_on_gpu(const char* what, std::vector<Tensor> inputs, const Fn& fn, double tol = 1e-4) {
  INFO(what);
  std::vector<Tensor> cpu, gpu;
  for (const Tensor& t : inputs) {
    const bool grad = t.is_floating_point();
    cpu.push_back(grad ? t.clone().requires_grad_() : t);
    gpu.push_back(grad ? t.to(kCUDA).requires_grad_() : t.to(kCUDA));
  }
  const Tensor yc = fn(cpu), yg = fn(gpu);
  REQUIRE(yg.device().is_cuda());
  CHECK_CLOSE(yg.cpu(), yc, tol, tol);
  if (!yc.requires_grad()) return;
  const Tensor gy = randn(yc.sizes());
  (yc * gy).sum().backward();
  (yg * gy.to(kCUDA)).sum().backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!cpu[i].requires_grad() || !cpu[i].grad().defined()) continue;
    INFO("gradient of input " << i);
    CHECK_CLOSE(gpu[i].grad().cpu(), cpu[i].grad(), tol, tol);
  }
}

}  // namespace

TEST_CASE("cuda: convolution, pooling and resampling match the CPU", "[nn][cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(1);
  const Tensor x = randn({2, 4, 9, 8}), w = randn({6, 2, 3, 3}), b = randn({6});
  same_on_gpu("conv2d", {x, w, b}, [](const auto& v) { return conv2d(v[0], v[1], v[2], {2, 1}, 1, {1, 2}, 2); });
  same_on_gpu("conv2d same", {x, randn({3, 4, 4, 3})}, [](const auto& v) { return conv2d(v[0], v[1], {}, 1, "same"); });
  same_on_gpu("conv2d 1-channel", {randn({4, 1, 12, 12}), randn({6, 1, 5, 5}), randn({6})},
              [](const auto& v) { return conv2d(v[0], v[1], v[2], 1, 2); });
  same_on_gpu("conv1d", {randn({2, 3, 10}), randn({4, 3, 3})},
              [](const auto& v) { return conv1d(v[0], v[1], {}, 2, 1); });
  same_on_gpu("conv_transpose2d", {randn({2, 4, 5, 5}), randn({4, 3, 3, 3}), randn({3})},
              [](const auto& v) { return conv_transpose2d(v[0], v[1], v[2], 2, 1, 1); });
  same_on_gpu("max_pool2d", {x}, [](const auto& v) { return max_pool2d(v[0], 3, 2, 1, 1, true); });
  same_on_gpu("max_pool1d", {randn({2, 3, 11})}, [](const auto& v) { return max_pool1d(v[0], 3, 2, 1); });
  same_on_gpu("avg_pool2d", {x}, [](const auto& v) { return avg_pool2d(v[0], 3, 2, 1, true, false); });
  same_on_gpu("avg_pool2d divisor", {x}, [](const auto& v) { return avg_pool2d(v[0], 2, 2, 1, false, true, 3); });
  same_on_gpu("adaptive_avg_pool2d", {x}, [](const auto& v) { return adaptive_avg_pool2d(v[0], {4, 3}); });
  same_on_gpu("upsample_nearest2d", {x}, [](const auto& v) { return upsample_nearest2d(v[0], {13, 5}); });
  same_on_gpu("upsample_bilinear2d", {x}, [](const auto& v) { return upsample_bilinear2d(v[0], {13, 5}, false); });
  // the argmax indices agree too
  auto [mc, ic] = max_pool2d_with_indices(x, 2);
  auto [mg, ig] = max_pool2d_with_indices(x.to(kCUDA), 2);
  CHECK(equal(ig.cpu(), ic));
}

TEST_CASE("cuda: the 3-D layers' ops match the CPU", "[nn][cuda]") {
  // On CUDA these are compositions (convolution over depth-folded 2-D planes, pooling of the planes then along
  // depth); the CPU runs oneDNN's 3-D primitives or the same compositions.
  WICK_REQUIRE_CUDA();
  manual_seed(4);
  const Tensor x = randn({2, 3, 5, 6, 7});
  same_on_gpu("conv3d", {x, randn({4, 3, 3, 2, 3}), randn({4})}, [](const auto& v) {
    return conv3d(v[0], v[1], v[2], {1, 2, 1}, {1, 0, 1}, {1, 1, 2});
  });
  same_on_gpu("conv3d groups", {randn({1, 4, 4, 5, 5}), randn({6, 2, 2, 3, 3})},
              [](const auto& v) { return conv3d(v[0], v[1], {}, 1, 1, 1, 2); });
  same_on_gpu("conv_transpose3d", {randn({2, 4, 3, 4, 4}), randn({4, 2, 3, 3, 2}), randn({2})},
              [](const auto& v) { return conv_transpose3d(v[0], v[1], v[2], 2, 1, 1); });
  same_on_gpu("max_pool3d", {x}, [](const auto& v) { return max_pool3d(v[0], {2, 3, 3}, {1, 2, 2}, {1, 1, 0}); });
  same_on_gpu("avg_pool3d", {x}, [](const auto& v) { return avg_pool3d(v[0], 3, 2, 1, true, false); });
  same_on_gpu("adaptive_avg_pool3d", {x}, [](const auto& v) { return adaptive_avg_pool3d(v[0], {2, 4, 3}); });
  same_on_gpu("upsample_trilinear3d", {x}, [](const auto& v) { return upsample_trilinear3d(v[0], {7, 9, 5}, false); });
  same_on_gpu("batch_norm 5-D", {x, randn({3}), randn({3})}, [](const auto& v) {
    return F::batch_norm(v[0], Tensor(), Tensor(), F::BatchNormFuncOptions().weight(v[1]).bias(v[2]).training(true));
  });
  auto [mc, ic] = max_pool3d_with_indices(x, 2);
  auto [mg, ig] = max_pool3d_with_indices(x.to(kCUDA), 2);
  CHECK(equal(ig.cpu(), ic));
}

TEST_CASE("cuda: normalisation, losses and embedding match the CPU", "[nn][cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(2);
  const Tensor logits = randn({6, 5}), labels = tensor({0, 4, 2, 2, 1, 3}, dtype(kInt64));
  const Tensor weight = rand({5}) + 0.5;
  same_on_gpu("batch_norm", {randn({4, 3, 5, 5}), randn({3}), randn({3})}, [](const auto& v) {
    return F::batch_norm(v[0], Tensor(), Tensor(), F::BatchNormFuncOptions().weight(v[1]).bias(v[2]).training(true));
  });
  same_on_gpu("layer_norm", {randn({3, 4, 5}), randn({5}), randn({5})},
              [](const auto& v) { return layer_norm(v[0], {5}, v[1], v[2]); });
  same_on_gpu("group_norm", {randn({2, 6, 3, 4})}, [](const auto& v) { return group_norm(v[0], 3); });
  // Both devices run fused recurrent-cell kernels (kernels/cpu/recurrent.cpp, kernels/cuda/recurrent.cu): hy, cy,
  // and the gradients that reach the gates and the state through either.
  same_on_gpu("fused_lstm_cell hy", {randn({4, 12}), randn({4, 12}), randn({4, 3})},
              [](const auto& v) { return std::get<0>(fused_lstm_cell(v[0], v[1], v[2])); });
  same_on_gpu("fused_lstm_cell cy", {randn({5, 8}), randn({5, 8}), randn({5, 2})},
              [](const auto& v) { return std::get<1>(fused_lstm_cell(v[0], v[1], v[2])); });
  same_on_gpu("fused_lstm_cell hy and cy", {randn({3, 40}), randn({3, 40}), randn({3, 10})}, [](const auto& v) {
    const auto [hy, cy] = fused_lstm_cell(v[0], v[1], v[2]);
    return hy * 2 + cy.tanh();
  });
  same_on_gpu("fused_gru_cell", {randn({4, 9}), randn({4, 9}), randn({4, 3})},
              [](const auto& v) { return fused_gru_cell(v[0], v[1], v[2]); });
  same_on_gpu("fused_gru_cell unbatched", {randn({30}), randn({30}), randn({10})},
              [](const auto& v) { return fused_gru_cell(v[0], v[1], v[2]); });
  same_on_gpu("cross_entropy", {logits, labels}, [&](const auto& v) {
    return F::cross_entropy(
        v[0], v[1], F::CrossEntropyFuncOptions().weight(weight.to(v[0].device())).ignore_index(2).label_smoothing(0.1));
  });
  same_on_gpu("cross_entropy probs", {logits, softmax(randn({6, 5}), 1)},
              [](const auto& v) { return F::cross_entropy(v[0], v[1]); });
  same_on_gpu("nll_loss", {log_softmax(logits, 1), labels}, [](const auto& v) { return F::nll_loss(v[0], v[1]); });
  same_on_gpu("bce", {rand({4, 3}) * 0.9 + 0.05, rand({4, 3})},
              [](const auto& v) { return F::binary_cross_entropy(v[0], v[1]); });
  same_on_gpu("bce_with_logits", {randn({4, 3}) * 3, rand({4, 3})}, [](const auto& v) {
    return F::binary_cross_entropy_with_logits(
        v[0], v[1],
        F::BinaryCrossEntropyWithLogitsFuncOptions().pos_weight(tensor({2.f, 0.5f, 1.f}).to(v[0].device())));
  });
  same_on_gpu("kl_div", {log_softmax(logits, 1), softmax(randn({6, 5}), 1)},
              [](const auto& v) { return F::kl_div(v[0], v[1], F::KLDivFuncOptions(kBatchMean)); });
  same_on_gpu("smooth_l1", {randn({8}), randn({8})}, [](const auto& v) { return F::smooth_l1_loss(v[0], v[1]); });
  same_on_gpu("embedding", {tensor({1, 0, 3, 0}, dtype(kInt64)), randn({4, 3})},
              [](const auto& v) { return F::embedding(v[0], v[1], F::EmbeddingFuncOptions().padding_idx(0)); });
  same_on_gpu("one_hot", {tensor({1, 0, 3}, dtype(kInt64))},
              [](const auto& v) { return F::one_hot(v[0], 4).to(kFloat); });
  same_on_gpu("logsigmoid", {tensor({-1e4f, -3.f, 0.f, 3.f, 1e4f})}, [](const auto& v) { return F::logsigmoid(v[0]); });
}

TEST_CASE("cuda: a LeNet moved with Module::to(kCUDA) trains like its CPU twin", "[nn][cuda]") {
  WICK_REQUIRE_CUDA();
  manual_seed(3);
  nn::Sequential cpu_net(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::BatchNorm2d(6), nn::ReLU(),
                         nn::MaxPool2d(2), nn::Conv2d(6, 16, 5), nn::ReLU(), nn::AvgPool2d(2), nn::Flatten(),
                         nn::Linear(400, 84), nn::Dropout(0.0), nn::Linear(84, 10));
  nn::Sequential gpu_net(std::dynamic_pointer_cast<nn::SequentialImpl>(cpu_net->clone()));  // the CPU twin's weights
  Tensor handle = gpu_net->named_parameters()["0.weight"];
  gpu_net->to(kCUDA);
  CHECK(handle.device().is_cuda());  // moved in place: outside handles follow
  CHECK(gpu_net->named_buffers()["1.num_batches_tracked"].device().is_cuda());
  const Tensor x = randn({8, 1, 28, 28}), y = randint(10, {8});
  const Tensor lc = F::cross_entropy(cpu_net->forward(x), y);
  const Tensor lg = F::cross_entropy(gpu_net->forward(x.to(kCUDA)), y.to(kCUDA));
  CHECK(lg.item<float>() == Approx(lc.item<float>()).epsilon(1e-4));
  lc.backward();
  lg.backward();
  const auto cp = cpu_net->named_parameters();
  for (const auto& p : gpu_net->named_parameters()) {
    INFO(p.key());
    CHECK_CLOSE(p.value().grad().cpu(), cp[p.key()].grad(), 1e-3, 1e-4);
  }
  CHECK_CLOSE(gpu_net->named_buffers()["1.running_mean"].cpu(), cpu_net->named_buffers()["1.running_mean"], 1e-5, 1e-5);
  gpu_net->to(kCPU);
  CHECK(handle.device().is_cpu());
}

TEST_CASE("cuda: float16 autocast follows PyTorch's CUDA lists, and GradScaler skips an overflowing step",
          "[nn][cuda][autocast]") {
  WICK_REQUIRE_CUDA();
  manual_seed(5);
  const Tensor a = randn({16, 32}).to(kCUDA), b = randn({32, 8}).to(kCUDA);
  {
    autocast::AutocastGuard guard(kCUDA, kHalf);
    const Tensor p = mm(a, b);
    CHECK(p.dtype() == kHalf);
    CHECK_CLOSE(p.to(kFloat).cpu(), mm(a.cpu(), b.cpu()), 1e-2, 5e-2);
    // CUDA's float32 list: softmax, reductions, norms, exp/log and the losses, from a float16 input.
    CHECK(softmax(p, 1).dtype() == kFloat);
    CHECK(p.sum().dtype() == kFloat);
    CHECK(exp(p * 0.01).dtype() == kFloat);
    CHECK(layer_norm(p, {8}).dtype() == kFloat);
    CHECK(F::cross_entropy(p, zeros({16}, TensorOptions().dtype(kLong).device(kCUDA))).dtype() == kFloat);
    CHECK(cat({p, a.narrow(1, 0, 8)}).dtype() == kFloat);  // promoted to the widest
    // CPU tensors are not touched by CUDA autocast.
    CHECK(mm(a.cpu(), b.cpu()).dtype() == kFloat);
  }
  // A float16-autocast regression step with GradScaler: a step whose loss overflows is skipped and the scale
  // halves; the others move the loss down.
  nn::Linear model(32, 1);
  model->to(kCUDA);
  optim::SGD opt(model->parameters(), optim::SGDOptions(0.05));
  GradScaler scaler(GradScalerOptions().init_scale(1024));
  const Tensor target = a.sum(1, true) * 0.1;
  std::vector<double> losses;
  for (int step = 0; step < 20; ++step) {
    opt.zero_grad();
    Tensor loss;
    {
      autocast::AutocastGuard guard(kCUDA, kHalf);
      loss = F::mse_loss(model(a), target);
    }
    if (step == 5) loss = loss * std::numeric_limits<double>::infinity();
    const Tensor before = model->weight.detach().clone();
    scaler.scale(loss).backward();
    scaler.step(opt);
    CHECK(scaler.step_skipped(opt) == (step == 5));
    if (step == 5) CHECK(equal(model->weight.detach(), before));
    const double scale = scaler.get_scale();
    scaler.update();
    if (step == 5) CHECK(scaler.get_scale() == scale / 2);
    if (step != 5) losses.push_back(loss.item<double>());
  }
  CHECK(losses.back() < losses.front() * 0.5);
}
