// porting: compare
// A ResNet basic block as in torchvision, in the C++ frontend: Conv2d without bias, BatchNorm2d, ReLU, a 1x1
// projection shortcut, a stem with MaxPool2d, AdaptiveAvgPool2d and a Linear head, trained with SGD (momentum,
// weight decay) and cross-entropy on a fixed synthetic image batch. Parameters are set deterministically, so the
// losses, the running statistics and the eval-mode logits must match LibTorch's.
#include <torch/torch.h>

#include <iostream>

struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride)
      : conv1(torch::nn::Conv2dOptions(in_planes, planes, 3).stride(stride).padding(1).bias(false)),
        bn1(planes),
        conv2(torch::nn::Conv2dOptions(planes, planes, 3).stride(1).padding(1).bias(false)),
        bn2(planes) {
    register_module("conv1", conv1);
    register_module("bn1", bn1);
    register_module("conv2", conv2);
    register_module("bn2", bn2);
    if (stride != 1 || in_planes != planes) {
      shortcut = register_module(
          "shortcut", torch::nn::Sequential(
                          torch::nn::Conv2d(torch::nn::Conv2dOptions(in_planes, planes, 1).stride(stride).bias(false)),
                          torch::nn::BatchNorm2d(planes)));
    }
  }

  torch::Tensor forward(torch::Tensor x) {
    auto out = torch::relu(bn1(conv1(x)));
    out = bn2(conv2(out));
    out += shortcut ? shortcut->forward(x) : x;
    return torch::relu(out);
  }

  torch::nn::Conv2d conv1;
  torch::nn::BatchNorm2d bn1;
  torch::nn::Conv2d conv2;
  torch::nn::BatchNorm2d bn2;
  torch::nn::Sequential shortcut{nullptr};
};
TORCH_MODULE(BasicBlock);

struct TinyResNetImpl : torch::nn::Module {
  TinyResNetImpl(int64_t num_classes)
      : stem(torch::nn::Conv2dOptions(3, 8, 3).padding(1)),
        pool(torch::nn::MaxPool2dOptions(2).stride(2)),
        layer1(8, 8, 1),
        layer2(8, 16, 2),
        avgpool(torch::nn::AdaptiveAvgPool2dOptions({1, 1})),
        fc(16, num_classes) {
    register_module("stem", stem);
    register_module("pool", pool);
    register_module("layer1", layer1);
    register_module("layer2", layer2);
    register_module("avgpool", avgpool);
    register_module("fc", fc);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = pool(torch::relu(stem(x)));
    x = layer2(layer1(x));
    x = avgpool(x);
    x = torch::flatten(x, 1);
    return fc(x);
  }

  torch::nn::Conv2d stem;
  torch::nn::MaxPool2d pool;
  BasicBlock layer1, layer2;
  torch::nn::AdaptiveAvgPool2d avgpool;
  torch::nn::Linear fc;
};
TORCH_MODULE(TinyResNet);

int main() {
  TinyResNet model(4);
  {
    torch::NoGradGuard no_grad;
    int64_t k = 0;
    for (auto& p : model->named_parameters()) {
      auto& t = p.value();
      if (p.key().find("bn") != std::string::npos || p.key().find("shortcut.1") != std::string::npos) {
        // BatchNorm: weight 1, bias 0, as PyTorch initialises them; keep LibTorch's own values
        continue;
      }
      t.copy_(torch::arange(t.numel(), torch::kFloat).add(3 * k++).mul(0.61).cos().mul(0.3).view_as(t));
    }
  }
  for (const auto& p : model->named_parameters()) std::cout << p.key() << " " << p.value().sizes() << "\n";
  for (const auto& b : model->named_buffers()) std::cout << "buffer " << b.key() << " " << b.value().sizes() << "\n";

  auto images = torch::arange(8 * 3 * 8 * 8, torch::kFloat).view({8, 3, 8, 8}).mul(0.013).sin();
  auto labels = torch::tensor({0, 1, 2, 3, 3, 2, 1, 0}, torch::kLong);

  torch::optim::SGD optimizer(model->parameters(),
                              torch::optim::SGDOptions(0.05).momentum(0.9).weight_decay(5e-4).nesterov(true));
  model->train();
  for (int step = 0; step < 8; ++step) {
    optimizer.zero_grad();
    auto logits = model->forward(images);
    auto loss = torch::nn::functional::cross_entropy(logits, labels);
    loss.backward();
    optimizer.step();
    std::cout << "step " << step << " loss " << loss.item<float>() << std::endl;
  }
  std::cout << "layer1.bn1 running_mean\n" << model->layer1->bn1->running_mean << std::endl;
  std::cout << "layer2.bn2 running_var\n" << model->layer2->bn2->running_var << std::endl;
  std::cout << "num_batches_tracked " << model->layer1->bn1->num_batches_tracked << std::endl;

  model->eval();
  torch::NoGradGuard no_grad;
  auto logits = model->forward(images);
  std::cout << "eval logits\n" << logits << std::endl;
  std::cout << "predictions " << logits.argmax(1) << std::endl;
  std::cout << "accuracy " << logits.argmax(1).eq(labels).to(torch::kFloat).mean().item<float>() << std::endl;
  return 0;
}
