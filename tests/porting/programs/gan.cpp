// porting: run
// A small GAN in the style of LibTorch's DCGAN example, on 2-D synthetic data (points on a ring): generator and
// discriminator as Sequential stacks, BCE-with-logits losses, two Adam optimizers with betas, label smoothing,
// detach() for the discriminator step, and a checkpoint with torch::save / torch::load. The noise is random, so
// this only checks that it trains: the discriminator must learn to tell real from initial fakes, and the
// generator's samples must move towards the ring.
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <iostream>

const int64_t kNoiseSize = 8;
const int64_t kBatchSize = 64;

torch::Tensor real_batch() {
  auto angle = torch::rand({kBatchSize, 1}) * 2 * M_PI;
  return torch::cat({torch::cos(angle), torch::sin(angle)}, 1) * 2.0;
}

// Distance of generated points from the ring of radius 2.
double ring_error(torch::nn::Sequential& generator) {
  torch::NoGradGuard no_grad;
  auto samples = generator->forward(torch::randn({512, kNoiseSize}));
  return (samples.norm(2, 1) - 2.0).abs().mean().item<double>();
}

int main() {
  torch::manual_seed(1);
  torch::nn::Sequential generator(
      torch::nn::Linear(kNoiseSize, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 2));
  torch::nn::Sequential discriminator(
      torch::nn::Linear(2, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 1));

  torch::optim::Adam generator_optimizer(generator->parameters(),
                                         torch::optim::AdamOptions(2e-3).betas(std::make_tuple(0.5, 0.999)));
  torch::optim::Adam discriminator_optimizer(discriminator->parameters(),
                                             torch::optim::AdamOptions(2e-3).betas(std::make_tuple(0.5, 0.999)));

  const double error_before = ring_error(generator);
  double d_loss_value = 0, g_loss_value = 0;
  for (int64_t step = 1; step <= 300; ++step) {
    // Train the discriminator on real and fake points.
    discriminator->zero_grad();
    auto real = real_batch();
    auto real_labels = torch::empty({kBatchSize, 1}).uniform_(0.8, 1.0);
    auto real_output = discriminator->forward(real);
    auto d_loss_real = torch::binary_cross_entropy_with_logits(real_output, real_labels);
    d_loss_real.backward();

    auto noise = torch::randn({kBatchSize, kNoiseSize});
    auto fake = generator->forward(noise);
    auto fake_labels = torch::zeros({kBatchSize, 1});
    auto fake_output = discriminator->forward(fake.detach());
    auto d_loss_fake = torch::binary_cross_entropy_with_logits(fake_output, fake_labels);
    d_loss_fake.backward();
    auto d_loss = d_loss_real + d_loss_fake;
    discriminator_optimizer.step();

    // Train the generator to fool the discriminator.
    generator->zero_grad();
    fake_labels.fill_(1);
    fake_output = discriminator->forward(fake);
    auto g_loss = torch::binary_cross_entropy_with_logits(fake_output, fake_labels);
    g_loss.backward();
    generator_optimizer.step();

    d_loss_value = d_loss.item<double>();
    g_loss_value = g_loss.item<double>();
    if (step % 100 == 0) {
      std::printf("[%3ld] D_loss: %.4f | G_loss: %.4f\n", static_cast<long>(step), d_loss_value, g_loss_value);
    }
  }
  const double error_after = ring_error(generator);
  std::cout << "ring error " << error_before << " -> " << error_after << std::endl;

  torch::save(generator, "generator-checkpoint.pt");
  torch::nn::Sequential restored(
      torch::nn::Linear(kNoiseSize, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 32), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
      torch::nn::Linear(32, 2));
  torch::load(restored, "generator-checkpoint.pt");
  auto probe = torch::randn({4, kNoiseSize});
  const bool same = torch::allclose(generator->forward(probe), restored->forward(probe));
  std::cout << "checkpoint restores the generator: " << same << std::endl;

  const bool ok = std::isfinite(d_loss_value) && std::isfinite(g_loss_value) && error_after < error_before && same;
  std::cout << (ok ? "OK" : "FAILED") << std::endl;
  return ok ? 0 : 1;
}
