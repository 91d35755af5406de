// porting: run
// A variational autoencoder on synthetic data (noisy points near a 2-D subspace of R^8): encoder producing mu and
// log-variance, the reparameterization trick with torch::randn_like, a KL term, and Adam. Random init and noise
// differ between libraries, so the program checks itself: the loss must fall well below its starting value.
#include <torch/torch.h>

#include <cmath>
#include <iostream>

struct VAEImpl : torch::nn::Module {
  VAEImpl(int64_t input_dim, int64_t hidden_dim, int64_t latent_dim)
      : fc1(register_module("fc1", torch::nn::Linear(input_dim, hidden_dim))),
        fc_mu(register_module("fc_mu", torch::nn::Linear(hidden_dim, latent_dim))),
        fc_logvar(register_module("fc_logvar", torch::nn::Linear(hidden_dim, latent_dim))),
        fc3(register_module("fc3", torch::nn::Linear(latent_dim, hidden_dim))),
        fc4(register_module("fc4", torch::nn::Linear(hidden_dim, input_dim))) {}

  std::pair<torch::Tensor, torch::Tensor> encode(torch::Tensor x) {
    auto h = torch::relu(fc1->forward(x));
    return {fc_mu->forward(h), fc_logvar->forward(h)};
  }

  torch::Tensor reparameterize(torch::Tensor mu, torch::Tensor logvar) {
    if (is_training()) {
      auto std = logvar.mul(0.5).exp_();
      auto eps = torch::randn_like(std);
      return eps.mul(std).add_(mu);
    }
    return mu;
  }

  torch::Tensor decode(torch::Tensor z) { return fc4->forward(torch::relu(fc3->forward(z))); }

  std::tuple<torch::Tensor, torch::Tensor, torch::Tensor> forward(torch::Tensor x) {
    auto [mu, logvar] = encode(x);
    auto z = reparameterize(mu, logvar);
    return {decode(z), mu, logvar};
  }

  torch::nn::Linear fc1, fc_mu, fc_logvar, fc3, fc4;
};
TORCH_MODULE(VAE);

torch::Tensor loss_function(torch::Tensor recon, torch::Tensor x, torch::Tensor mu, torch::Tensor logvar) {
  auto mse = torch::nn::functional::mse_loss(recon, x, torch::nn::functional::MSELossFuncOptions(torch::kSum));
  auto kld = -0.5 * torch::sum(1 + logvar - mu.pow(2) - logvar.exp());
  return (mse + kld) / x.size(0);
}

int main() {
  torch::manual_seed(0);
  auto basis = torch::randn({2, 8});
  auto data = torch::matmul(torch::randn({256, 2}), basis) + 0.05 * torch::randn({256, 8});

  VAE model(8, 32, 2);
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  double first = 0, last = 0;
  for (int epoch = 0; epoch < 60; ++epoch) {
    model->train();
    double total = 0;
    for (const auto& batch : data.split(64)) {
      optimizer.zero_grad();
      auto [recon, mu, logvar] = model->forward(batch);
      auto loss = loss_function(recon, batch, mu, logvar);
      loss.backward();
      optimizer.step();
      total += loss.item<double>();
    }
    if (epoch == 0) first = total / 4;
    last = total / 4;
    if (epoch % 20 == 0) std::cout << "epoch " << epoch << " loss " << total / 4 << std::endl;
  }
  model->eval();
  torch::NoGradGuard no_grad;
  auto [recon, mu, logvar] = model->forward(data);
  auto eval_error = torch::mse_loss(recon, data).item<double>();
  std::cout << "loss " << first << " -> " << last << ", eval reconstruction mse " << eval_error << std::endl;
  const bool ok = std::isfinite(last) && last < 0.6 * first;
  std::cout << (ok ? "OK" : "FAILED") << std::endl;
  return ok ? 0 : 1;
}
