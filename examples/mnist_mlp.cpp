// Handwritten digits with a multilayer perceptron: each 28x28 image becomes 784 numbers, and two linear
// layers map them to ten class scores.
//
//   mnist_mlp [data_dir]      (default data/mnist: the IDX files that tools/mnist/fetch writes)
//
// Shows the MNIST dataset, Normalize/Stack transforms, a DataLoader with background workers, SGD with
// momentum, cross-entropy, and measuring accuracy on held-out digits in eval mode. At the end the trained model
// is quantized to int8 (quantization::quantize_dynamic) and measured again; it exits 1 if that costs more than
// half a point of accuracy.
#include <wick/wick.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace nn = wick::nn;
namespace data = wick::data;
namespace F = wick::nn::functional;
using wick::Tensor;

struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(28 * 28, 256));
    fc2 = register_module("fc2", nn::Linear(256, 10));
  }
  Tensor forward(const Tensor& images) {
    const Tensor x = images.flatten(1);  // [B, 1, 28, 28] -> [B, 784]
    return fc2(wick::relu(fc1(x)));      // raw scores ("logits"); cross_entropy applies the softmax
  }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
WICK_MODULE(Mlp);

// Percentage of held-out digits classified correctly.
double accuracy(Mlp model, const std::string& root) {
  model->eval();
  wick::NoGradGuard no_grad;
  auto test = data::datasets::MNIST(root, data::datasets::MNIST::Mode::kTest)
                  .map(data::transforms::Normalize<>(0.1307, 0.3081))
                  .map(data::transforms::Stack<>());
  const size_t total = *test.size();
  auto loader = data::make_data_loader<data::samplers::SequentialSampler>(std::move(test), 500);
  int64_t correct = 0;
  for (auto& batch : *loader) correct += model(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
  model->train();
  return 100.0 * double(correct) / double(total);
}

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : "data/mnist";
  if (!std::filesystem::exists(root + "/train-images-idx3-ubyte")) {
    std::fprintf(stderr, "no MNIST files in %s (tools/mnist/fetch downloads them)\n", root.c_str());
    return 77;  // the data is missing: tools/check counts the example as skipped
  }
  wick::manual_seed(0);

  // Pixels scaled to [0, 1] by the dataset, then shifted to mean 0 and spread 1 with MNIST's statistics.
  auto train =
      data::datasets::MNIST(root).map(data::transforms::Normalize<>(0.1307, 0.3081)).map(data::transforms::Stack<>());
  const size_t train_size = *train.size();
  auto loader = data::make_data_loader(std::move(train), data::DataLoaderOptions().batch_size(64).workers(2).seed(0));

  Mlp model;
  wick::optim::SGD optimizer(model->parameters(), wick::optim::SGDOptions(0.05).momentum(0.9));
  std::printf("%zu training digits, %lld parameters\n", train_size, (long long)model->num_parameters());

  for (int epoch = 1; epoch <= 5; ++epoch) {
    double loss_sum = 0;
    int64_t batches = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      const Tensor loss = F::cross_entropy(model(batch.data), batch.target);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    std::printf("epoch %d  loss %.4f  held-out accuracy %.2f%%\n", epoch, loss_sum / double(batches),
                accuracy(model, root));
  }
  const double float_accuracy = accuracy(model, root);
  // In place: fc1 and fc2 become int8 (quantize_dynamic(model) would copy, which needs an nn::Cloneable model).
  wick::quantization::quantize_dynamic_(*model);
  const double int8_accuracy = accuracy(model, root);
  std::printf("int8 (quantize_dynamic): held-out accuracy %.2f%% (float32 %.2f%%, %+.2f points)\n", int8_accuracy,
              float_accuracy, int8_accuracy - float_accuracy);
  return float_accuracy - int8_accuracy <= 0.5 ? 0 : 1;
}
