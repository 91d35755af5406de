// Inference with a trained model: load the weights mnist_cnn saved, classify the held-out digits, and show a
// few of them as ASCII art with the network's answer.
//
//   mnist_infer [data_dir] [weights]     (defaults: data/mnist and mnist_cnn.safetensors)
//
// Loading is strict: if the file's tensors do not match the model's names and shapes, wick::load says which.
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace nn = wick::nn;
namespace data = wick::data;
using wick::Tensor;

// The same LeNet-5 as mnist_cnn.cpp: the parameter names ("conv1.weight", ...) must match the file's.
struct LeNetImpl : nn::Module {
  LeNetImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)));
    conv2 = register_module("conv2", nn::Conv2d(6, 16, 5));
    fc1 = register_module("fc1", nn::Linear(16 * 5 * 5, 120));
    fc2 = register_module("fc2", nn::Linear(120, 84));
    fc3 = register_module("fc3", nn::Linear(84, 10));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = wick::max_pool2d(wick::relu(conv1(x)), 2);
    h = wick::max_pool2d(wick::relu(conv2(h)), 2).flatten(1);
    return fc3(wick::relu(fc2(wick::relu(fc1(h)))));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
WICK_MODULE(LeNet);

// Prints images [N, 28, 28] (values in [0, 1]) side by side, two pixel rows per text row.
void print_digits(const Tensor& images, const std::vector<std::string>& captions) {
  const char* ramp = " .:-=+*#%@";
  const Tensor pairs = images.view({images.size(0), 14, 2, 28}).mean({2});  // average vertical pixel pairs
  for (int64_t row = 0; row < 14; ++row) {
    for (int64_t i = 0; i < pairs.size(0); ++i) {
      for (int64_t col = 0; col < 28; ++col) {
        const float v = pairs[i][row][col].item<float>();
        std::putchar(ramp[int(v * 9.99f)]);
      }
      std::printf("    ");
    }
    std::printf("\n");
  }
  for (const std::string& caption : captions) std::printf("%-32s", caption.c_str());
  std::printf("\n\n");
}

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : "data/mnist";
  const std::string weights = argc > 2 ? argv[2] : "mnist_cnn.safetensors";

  LeNet model;
  try {
    wick::load(model, weights);
  } catch (const wick::Error& e) {
    std::fprintf(stderr, "%s\n(train first: mnist_cnn %s)\n", e.what(), root.c_str());
    return 1;
  }
  model->eval();
  // InferenceMode: no recording and no autograd bookkeeping at all, the cheapest forward path.
  wick::InferenceMode inference;

  data::datasets::MNIST digits(root, data::datasets::MNIST::Mode::kTest);
  const Tensor images = digits.images();  // [N, 1, 28, 28] in [0, 1]
  const Tensor labels = digits.targets();
  const Tensor normalized = (images - 0.1307) / 0.3081;  // as in training

  // All held-out digits in one batch.
  const Tensor probabilities = wick::softmax(model(normalized), 1);
  const auto [confidence, predicted] = probabilities.max(1);
  const int64_t correct = predicted.eq(labels).sum().item<int64_t>();
  std::printf("%lld of %lld held-out digits right (%.2f%%)\n\n", (long long)correct, (long long)labels.size(0),
              100.0 * double(correct) / double(labels.size(0)));

  // The first three, and the first three the model gets wrong.
  const Tensor wrong = wick::nonzero(predicted.ne(labels)).flatten();
  for (const Tensor& pick : {wick::arange(3), wrong.slice(0, 0, 3)}) {
    if (pick.numel() == 0) continue;
    std::vector<std::string> captions;
    for (int64_t i = 0; i < pick.numel(); ++i) {
      const int64_t k = pick[i].item<int64_t>();
      char caption[64];
      std::snprintf(caption, sizeof caption, "#%lld: says %lld (%.0f%%), is %lld", (long long)k,
                    (long long)predicted[k].item<int64_t>(), 100 * confidence[k].item<float>(),
                    (long long)labels[k].item<int64_t>());
      captions.push_back(caption);
    }
    print_digits(images.index_select(0, pick).squeeze(1), captions);
  }

  // One digit at a time, as an embedded application would call it.
  const Tensor one = normalized.slice(0, 0, 1);
  const int runs = 1000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < runs; ++i) model(one);
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::printf("one digit: %.0f us per forward pass\n", us / runs);
  return 0;
}
