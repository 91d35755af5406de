// Handwritten digits trained by several processes at once with DistributedDataParallel: each process (rank) reads
// its own share of every epoch, computes gradients on it, and the ranks average their gradients during backward,
// so that all of them take the same optimizer step, as one process would on the whole batch.
//
//   mpirun -np 2 build/examples/mnist_ddp [data_dir] [epochs]     (default data/mnist, 3 epochs)
//
// Shows ProcessGroupMPI, DistributedRandomSampler with set_epoch, DistributedDataParallel, averaging a metric over
// the ranks with allreduce, and a checkpoint written by rank 0 alone while the others wait (save_on_rank0).
#include <wick/distributed.h>
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace nn = wick::nn;
namespace data = wick::data;
namespace dist = wick::distributed;
namespace F = wick::nn::functional;
using wick::Tensor;

struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(28 * 28, 256));
    fc2 = register_module("fc2", nn::Linear(256, 10));
  }
  Tensor forward(const Tensor& images) { return fc2(wick::relu(fc1(images.flatten(1)))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
WICK_MODULE(Mlp);

// Percentage of held-out digits classified correctly (every rank holds the same weights; rank 0 reports it).
double accuracy(Mlp& model, const std::string& root) {
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
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 3;
  auto world = dist::ProcessGroupMPI::createProcessGroupMPI();
  const int rank = world->getRank(), size = world->getSize();
  if (!std::filesystem::exists(root + "/train-images-idx3-ubyte")) {
    if (rank == 0) std::fprintf(stderr, "no MNIST files in %s (tools/mnist/fetch downloads them)\n", root.c_str());
    return 77;
  }
  // Different seeds on purpose: DistributedDataParallel starts every rank from rank 0's initial weights.
  wick::manual_seed(uint64_t(rank));

  auto train =
      data::datasets::MNIST(root).map(data::transforms::Normalize<>(0.1307, 0.3081)).map(data::transforms::Stack<>());
  const size_t train_size = *train.size();
  // 64 digits per rank and step: the global batch is 64 * size.
  auto loader =
      data::make_data_loader(std::move(train), data::samplers::DistributedRandomSampler(train_size, size, rank),
                             data::DataLoaderOptions().batch_size(64).workers(1));

  Mlp model;
  dist::DistributedDataParallel<Mlp> ddp(model, world);
  wick::optim::SGD optimizer(model->parameters(), wick::optim::SGDOptions(0.05).momentum(0.9));
  if (rank == 0)
    std::printf("%d processes, %zu training digits (%zu per rank and epoch), %lld parameters\n", size, train_size,
                (train_size + size_t(size) - 1) / size_t(size), (long long)model->num_parameters());

  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    loader->sampler().set_epoch(size_t(epoch));  // a new shuffle each epoch, the same one on every rank
    double loss_sum = 0;
    int64_t batches = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      const Tensor loss = F::cross_entropy(ddp.forward(batch.data), batch.target);
      loss.backward();  // the ranks' gradients are averaged in here
      optimizer.step();
      loss_sum += loss.item<double>();
      ++batches;
    }
    std::vector<Tensor> mean_loss{wick::tensor({loss_sum / double(batches)})};
    world->allreduce(mean_loss, {dist::ReduceOp::AVG})->wait();
    if (rank == 0)
      std::printf("epoch %d  loss %.4f (mean over ranks)  held-out accuracy %.2f%%\n", epoch,
                  mean_loss[0].item<double>(), accuracy(model, root));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  // One writer: rank 0 saves (to a temporary file renamed into place), the others wait until it is there, and all
  // fail together if it could not be written.
  const std::string weights = "runs/mnist_ddp.safetensors";
  dist::save_on_rank0(*world, [&] {
    std::filesystem::create_directories("runs");
    wick::save(model, weights);
  });
  if (rank == 0) std::printf("trained in %.1f s; saved %s\n", seconds, weights.c_str());
  return 0;
}
