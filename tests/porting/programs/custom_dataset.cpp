// porting: compare
// A custom dataset as LibTorch users write one: torch::data::datasets::Dataset<Self> with get() and size(),
// .map(Stack<>()), a sequential data loader, and a few epochs of training a linear model on its batches.
// The data and the initial weights are fixed, so every batch and loss must match LibTorch's.
#include <torch/torch.h>

#include <iostream>

class PolynomialDataset : public torch::data::datasets::Dataset<PolynomialDataset> {
 public:
  explicit PolynomialDataset(int64_t n) : xs_(torch::linspace(-2, 2, n).unsqueeze(1)) {
    ys_ = 0.5 * xs_.pow(3) - xs_ + 0.25;
  }

  torch::data::Example<> get(size_t index) override {
    auto x = xs_[index];
    return {torch::cat({x, x.pow(2), x.pow(3)}), ys_[index]};
  }

  torch::optional<size_t> size() const override { return xs_.size(0); }

 private:
  torch::Tensor xs_, ys_;
};

int main() {
  auto dataset = PolynomialDataset(20).map(torch::data::transforms::Stack<>());
  std::cout << "dataset size " << dataset.size().value() << std::endl;

  auto loader = torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(dataset), torch::data::DataLoaderOptions().batch_size(6));

  int batches = 0;
  for (auto& batch : *loader) {
    if (batches == 0) {
      std::cout << "first batch data\n" << batch.data << "\nfirst batch target\n" << batch.target << std::endl;
    }
    std::cout << "batch " << batches << " sizes " << batch.data.sizes() << " " << batch.target.sizes() << std::endl;
    ++batches;
  }
  std::cout << batches << " batches" << std::endl;

  torch::nn::Linear model(3, 1);
  {
    torch::NoGradGuard no_grad;
    model->weight.copy_(torch::tensor({{0.1f, -0.2f, 0.3f}}));
    model->bias.fill_(0.05);
  }
  torch::optim::SGD optimizer(model->parameters(), /*lr=*/0.01);

  for (int epoch = 1; epoch <= 5; ++epoch) {
    double epoch_loss = 0;
    int64_t seen = 0;
    for (auto& batch : *loader) {
      optimizer.zero_grad();
      auto prediction = model->forward(batch.data);
      auto loss = torch::mse_loss(prediction, batch.target);
      loss.backward();
      optimizer.step();
      epoch_loss += loss.item<double>() * batch.data.size(0);
      seen += batch.data.size(0);
    }
    std::cout << "epoch " << epoch << " mean loss " << epoch_loss / seen << std::endl;
  }
  std::cout << "weight " << model->weight << "\nbias " << model->bias << std::endl;

  // A second loader over plain examples (no Stack): a batch is a std::vector<Example<>>.
  auto raw_loader =
      torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(PolynomialDataset(5), /*batch_size=*/2);
  for (auto& batch : *raw_loader) {
    std::cout << "raw batch of " << batch.size() << ": first target " << batch[0].target << std::endl;
  }
  return 0;
}
