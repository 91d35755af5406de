// Regression: teach a small network the curve y = sin(x) on [-pi, pi] from noisy samples.
//
// Shows the pieces a real training run uses beyond a bare loop: a Dataset over tensors, a DataLoader that
// shuffles mini-batches, nn::Sequential, Adam with a cosine learning-rate schedule, gradient clipping, and
// evaluation on points the model never saw.
#include <wick/wick.h>

#include <cmath>
#include <cstdio>
#include <numbers>

namespace nn = wick::nn;
namespace data = wick::data;
namespace F = wick::nn::functional;
using wick::Tensor;

int main() {
  wick::manual_seed(1);
  const double pi = std::numbers::pi;

  // 1,000 training points: x uniform in [-pi, pi], y = sin(x) plus a little noise. Shapes [N, 1].
  const Tensor x = wick::rand({1000, 1}) * (2 * pi) - pi;
  const Tensor y = wick::sin(x) + 0.05 * wick::randn({1000, 1});

  // A TensorDataset serves (x[i], y[i]); Stack turns a list of examples into one batch tensor.
  auto dataset = data::datasets::TensorDataset(x, y).map(data::transforms::Stack<>());
  auto loader = data::make_data_loader(std::move(dataset), data::DataLoaderOptions().batch_size(32).seed(1));

  // 1 -> 32 -> 32 -> 1 with smooth activations: the fit is a smooth curve.
  nn::Sequential model(nn::Linear(1, 32), nn::Tanh(), nn::Linear(32, 32), nn::Tanh(), nn::Linear(32, 1));

  const int epochs = 60;
  wick::optim::Adam optimizer(model->parameters(), wick::optim::AdamOptions(1e-2));
  wick::optim::CosineAnnealingLR schedule(optimizer, /*T_max=*/epochs);

  for (int epoch = 1; epoch <= epochs; ++epoch) {
    double total = 0;
    int batches = 0;
    for (auto& batch : *loader) {  // one pass over the data, in a new random order each epoch
      optimizer.zero_grad();
      const Tensor loss = F::mse_loss(model(batch.data), batch.target);
      loss.backward();
      nn::utils::clip_grad_norm_(model->parameters(), /*max_norm=*/1.0);
      optimizer.step();
      total += loss.item<double>();
      ++batches;
    }
    schedule.step();  // once per epoch, after the optimizer's steps
    if (epoch % 10 == 0)
      std::printf("epoch %2d  train mse %.5f  lr %.5f\n", epoch, total / batches, schedule.get_last_lr()[0]);
  }

  // Evaluate on an even grid the model never saw, with recording off.
  wick::NoGradGuard no_grad;
  const Tensor grid = wick::linspace(-pi, pi, 9).unsqueeze(1);
  const Tensor prediction = model(grid);
  std::printf("\n     x    sin(x)  model\n");
  for (int64_t i = 0; i < grid.size(0); ++i) {
    const double gx = grid[i][0].item<double>();
    std::printf("%6.2f  %7.3f  %6.3f\n", gx, std::sin(gx), prediction[i][0].item<double>());
  }
  const double max_error = (prediction - wick::sin(grid)).abs().max().item<double>();
  std::printf("largest error on the grid: %.3f\n", max_error);
  return max_error < 0.1 ? 0 : 1;
}
