// porting: mpirun
// Data-parallel MNIST as LibTorch 1.13's c10d users write it, after the pattern of PyTorch's C++ distributed
// example: an MPI process group, a DistributedRandomSampler giving each rank its share of the digits, a small
// convolutional network, and after each backward every parameter's gradient all-reduced and divided by the world
// size before the optimizer steps. Run as `mpirun -np 2 c10d_mnist MNIST_DIR`. It checks itself: the averaged loss
// falls, every rank ends with the same parameters, and rank 0's held-out accuracy passes 85%.
#include <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>
#include <torch/torch.h>

#include <iostream>
#include <vector>

struct NetImpl : torch::nn::Module {
  NetImpl()
      : conv1(torch::nn::Conv2dOptions(1, 8, 5)),
        conv2(torch::nn::Conv2dOptions(8, 16, 5)),
        fc1(16 * 4 * 4, 64),
        fc2(64, 10) {
    register_module("conv1", conv1);
    register_module("conv2", conv2);
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }

  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(torch::max_pool2d(conv1->forward(x), 2));
    x = torch::relu(torch::max_pool2d(conv2->forward(x), 2));
    x = torch::relu(fc1->forward(x.view({-1, 16 * 4 * 4})));
    return torch::log_softmax(fc2->forward(x), 1);
  }

  torch::nn::Conv2d conv1;
  torch::nn::Conv2d conv2;
  torch::nn::Linear fc1;
  torch::nn::Linear fc2;
};
TORCH_MODULE(Net);

// Sums `value` over the ranks, in place.
void sum_over_ranks(c10d::ProcessGroupMPI& pg, torch::Tensor& value) {
  std::vector<torch::Tensor> tensors = {value};
  pg.allreduce(tensors)->wait();
}

int main(int argc, char* argv[]) {
  if (argc < 2) {
    std::cerr << "usage: mpirun -np N c10d_mnist MNIST_DIR" << std::endl;
    return 2;
  }
  const std::string root = argv[1];
  c10::intrusive_ptr<c10d::ProcessGroupMPI> pg = c10d::ProcessGroupMPI::createProcessGroupMPI();
  const int rank = pg->getRank();
  const int world_size = pg->getSize();

  torch::manual_seed(0);  // the same initial parameters on every rank
  Net model;
  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));

  auto train_set = torch::data::datasets::MNIST(root)
                       .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                       .map(torch::data::transforms::Stack<>());
  const size_t train_size = train_set.size().value();
  torch::data::samplers::DistributedRandomSampler sampler(train_size, world_size, rank, false);
  const int64_t global_batch = 64;
  auto loader = torch::data::make_data_loader(std::move(train_set), sampler, global_batch / world_size);

  std::vector<double> epoch_losses;
  for (int epoch = 1; epoch <= 2; ++epoch) {
    torch::Tensor loss_sum = torch::zeros({1}, torch::kFloat64);
    int64_t batches = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      torch::Tensor loss = torch::nll_loss(model->forward(batch.data), batch.target);
      loss.backward();

      // Average the gradients: start every parameter's all-reduce, then wait for them all.
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      for (auto& parameter : model->parameters()) {
        std::vector<torch::Tensor> gradient = {parameter.grad()};
        works.push_back(pg->allreduce(gradient));
      }
      for (auto& work : works) {
        work->wait();
      }
      for (auto& parameter : model->parameters()) {
        parameter.grad().div_(world_size);
      }
      optimizer.step();

      loss_sum += loss.detach().to(torch::kFloat64);
      ++batches;
    }
    sum_over_ranks(*pg, loss_sum);
    const double mean_loss = loss_sum.item<double>() / (batches * world_size);
    epoch_losses.push_back(mean_loss);
    if (rank == 0) {
      std::cout << "epoch " << epoch << ": mean training loss " << mean_loss << std::endl;
    }
  }

  // Every rank must hold the same model: the largest and smallest value of each parameter over the ranks agree.
  bool replicas_agree = true;
  for (auto& parameter : model->parameters()) {
    std::vector<torch::Tensor> largest = {parameter.detach().clone()};
    std::vector<torch::Tensor> smallest = {parameter.detach().clone()};
    c10d::AllreduceOptions max_options;
    max_options.reduceOp = c10d::ReduceOp::MAX;
    c10d::AllreduceOptions min_options;
    min_options.reduceOp = c10d::ReduceOp::MIN;
    pg->allreduce(largest, max_options)->wait();
    pg->allreduce(smallest, min_options)->wait();
    replicas_agree = replicas_agree && torch::equal(largest[0], smallest[0]);
  }

  bool accurate = true;
  if (rank == 0) {
    torch::NoGradGuard no_grad;
    model->eval();
    auto test_set = torch::data::datasets::MNIST(root, torch::data::datasets::MNIST::Mode::kTest)
                        .map(torch::data::transforms::Normalize<>(0.1307, 0.3081))
                        .map(torch::data::transforms::Stack<>());
    const size_t test_size = test_set.size().value();
    auto test_loader = torch::data::make_data_loader(std::move(test_set), 500);
    int64_t correct = 0;
    for (auto& batch : *test_loader) {
      correct += model->forward(batch.data).argmax(1).eq(batch.target).sum().item<int64_t>();
    }
    const double accuracy = 100.0 * correct / test_size;
    std::cout << "held-out accuracy " << accuracy << "% of " << test_size << std::endl;
    accurate = accuracy > 85.0;
  }

  const bool loss_fell = epoch_losses.back() < epoch_losses.front();
  if (!loss_fell || !replicas_agree || !accurate) {
    std::cerr << "rank " << rank << ": loss fell " << loss_fell << ", replicas agree " << replicas_agree
              << ", accurate " << accurate << std::endl;
    return 1;
  }
  return 0;
}
