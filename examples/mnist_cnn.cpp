// Handwritten digits with LeNet-5, the convolutional network that started it all (LeCun et al., 1998).
//
//   mnist_cnn [data_dir] [out_dir] [--device cuda] [--epochs N]   (defaults: data/mnist, the current folder, cpu, 8)
//
// Trains on the training digits with Adam, showing a live progress bar; after every epoch measures loss and
// accuracy on the held-out digits. Writes the weights (mnist_cnn.safetensors, read by mnist_infer) and one
// CSV row per epoch (mnist_cnn_metrics.csv; tools/plot_metrics.gnuplot draws it).
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <unistd.h>

namespace nn = wick::nn;
namespace data = wick::data;
namespace F = wick::nn::functional;
using wick::Tensor;

// Two convolution + pooling stages find strokes and shapes; three linear layers turn them into 10 scores.
struct LeNetImpl : nn::Module {
  LeNetImpl() {
    conv1 = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)));  // 6 x 28 x 28
    conv2 = register_module("conv2", nn::Conv2d(6, 16, 5));                               // 16 x 10 x 10
    fc1 = register_module("fc1", nn::Linear(16 * 5 * 5, 120));
    fc2 = register_module("fc2", nn::Linear(120, 84));
    fc3 = register_module("fc3", nn::Linear(84, 10));
  }
  Tensor forward(const Tensor& x) {
    Tensor h = wick::max_pool2d(wick::relu(conv1(x)), 2);  // -> 6 x 14 x 14
    h = wick::max_pool2d(wick::relu(conv2(h)), 2);         // -> 16 x 5 x 5
    h = h.flatten(1);
    return fc3(wick::relu(fc2(wick::relu(fc1(h)))));
  }
  nn::Conv2d conv1{nullptr}, conv2{nullptr};
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
WICK_MODULE(LeNet);

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// "epoch 2/8 [########............]  3200/8000  loss 0.0931  4100 samples/s  ETA 0:09", redrawn in place.
void progress_bar(int epoch, int epochs, size_t done, size_t total, double loss, double rate, double eta) {
  const int width = 20, filled = int(width * double(done) / double(total));
  std::printf("\repoch %d/%d [%s%s] %5zu/%zu  loss %.4f  %5.0f samples/s  ETA %d:%02d ", epoch, epochs,
              std::string(size_t(filled), '#').c_str(), std::string(size_t(width - filled), '.').c_str(), done, total,
              loss, rate, int(eta) / 60, int(eta) % 60);
  std::fflush(stdout);
}

struct Score {
  double loss, accuracy;
};

// Mean loss and accuracy (%) over a dataset, in eval mode and without recording.
template <class Loader>
Score evaluate(LeNet& model, Loader& loader, wick::Device device) {
  model->eval();
  wick::NoGradGuard no_grad;
  double loss = 0;
  int64_t correct = 0, count = 0;
  for (data::Example<>& batch : loader) {
    const Tensor logits = model(batch.data.to(device)), target = batch.target.to(device);
    loss += F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().reduction(wick::kSum)).item<double>();
    correct += logits.argmax(1).eq(target).sum().item<int64_t>();
    count += batch.target.size(0);
  }
  model->train();
  return {loss / double(count), 100.0 * double(correct) / double(count)};
}

int main(int argc, char** argv) {
  const auto start = Clock::now();
  std::vector<std::string> positional;
  wick::Device device(wick::kCPU);
  int epochs = 8;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--device" && i + 1 < argc)
      device = wick::Device(std::string(argv[++i]));  // "cuda" trains on the GPU (tools/gpu_check)
    else if (arg == "--epochs" && i + 1 < argc)
      epochs = std::max(1, std::atoi(argv[++i]));
    else
      positional.push_back(arg);
  }
  const std::string root = positional.size() > 0 ? positional[0] : "data/mnist";
  const std::string out = positional.size() > 1 ? positional[1] : ".";
  if (!std::filesystem::exists(root + "/train-images-idx3-ubyte")) {
    std::fprintf(stderr, "no MNIST files in %s (tools/mnist/fetch downloads them)\n", root.c_str());
    return 1;
  }
  std::filesystem::create_directories(out);
  const size_t batch_size = 64;
  wick::manual_seed(0);

  // The digits, normalised with MNIST's mean and spread. Training batches come shuffled (seeded, so runs
  // repeat) from two background threads; the held-out digits in order.
  using data::datasets::MNIST;
  const data::transforms::Normalize<> normalize(0.1307, 0.3081);
  auto train_set = MNIST(root).map(normalize).map(data::transforms::Stack<>());
  auto test_set = MNIST(root, MNIST::Mode::kTest).map(normalize).map(data::transforms::Stack<>());
  const size_t train_size = *train_set.size(), test_size = *test_set.size();
  auto train =
      data::make_data_loader(std::move(train_set), data::DataLoaderOptions().batch_size(batch_size).workers(2).seed(0));
  auto test = data::make_data_loader<data::samplers::SequentialSampler>(std::move(test_set), 500);

  LeNet model;
  std::printf("%s", nn::summary(model, {1, 1, 28, 28}).str().c_str());
  model->to(device);  // before the optimizer takes the parameters, as in LibTorch
  std::printf("training on %zu digits, testing on %zu held out\n", train_size, test_size);
  wick::optim::Adam optimizer(model->parameters(), wick::optim::AdamOptions(4e-3));
  // The 1cycle schedule, stepped after every batch: the rate climbs to 4e-3 over the first quarter of the run,
  // then anneals to almost nothing. Few epochs suffice.
  const int64_t steps = epochs * int64_t((train_size + batch_size - 1) / batch_size);
  wick::optim::OneCycleLR schedule(optimizer, wick::optim::OneCycleLROptions(4e-3, steps).pct_start(0.25));

  const std::string csv_path = out + "/mnist_cnn_metrics.csv";
  std::FILE* csv = std::fopen(csv_path.c_str(), "w");
  if (!csv) {
    std::fprintf(stderr, "cannot write %s\n", csv_path.c_str());
    return 1;
  }
  std::fprintf(csv, "epoch,train_loss,train_accuracy,test_loss,test_accuracy,seconds\n");

  const bool live = isatty(fileno(stdout));  // redraw the bar only on a terminal
  const auto train_start = Clock::now();
  size_t seen = 0;  // samples trained on so far, across epochs
  Score held_out{};
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double loss_sum = 0;
    int64_t correct = 0;
    size_t done = 0;
    for (auto& batch : *train) {
      optimizer.zero_grad();
      const Tensor images = batch.data.to(device), target = batch.target.to(device);
      const Tensor logits = model(images);
      const Tensor loss = F::cross_entropy(logits, target);
      loss.backward();
      optimizer.step();
      schedule.step();

      const size_t n = size_t(batch.data.size(0));
      loss_sum += loss.item<double>() * double(n);
      correct += logits.argmax(1).eq(target).sum().item<int64_t>();
      done += n;
      seen += n;
      const double rate = double(seen) / seconds_since(train_start);
      const double eta = double(epochs * train_size - seen) / rate;
      if (live || done == train_size) progress_bar(epoch, epochs, done, train_size, loss_sum / double(done), rate, eta);
    }
    held_out = evaluate(model, *test, device);
    const double train_loss = loss_sum / double(done), train_accuracy = 100.0 * double(correct) / double(done);
    std::printf("\n  held out: loss %.4f  accuracy %.2f%%\n", held_out.loss, held_out.accuracy);
    std::fprintf(csv, "%d,%.6f,%.4f,%.6f,%.4f,%.3f\n", epoch, train_loss, train_accuracy, held_out.loss,
                 held_out.accuracy, seconds_since(start));
  }
  std::fclose(csv);

  const std::string weights = out + "/mnist_cnn.safetensors";
  model->to(wick::kCPU);  // the file is the same wherever it trained
  wick::save(model, weights);
  std::printf("held-out accuracy: %.2f%% on %zu digits\n", held_out.accuracy, test_size);
  std::printf("wall time: %.1f s\n", seconds_since(start));
  std::printf("saved %s and %s\n", weights.c_str(), csv_path.c_str());
  return 0;
}
