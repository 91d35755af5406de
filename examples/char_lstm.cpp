// A character-level language model: an LSTM reads the plain English text of Debian's `fortunes` package one
// character at a time and learns to predict the next one; then it writes text of its own.
//
//   build/examples/char_lstm [steps=600] [fortunes folder=/usr/share/games/fortunes] [--device cuda]
//
// Every tenth fortune is held out; the validation loss (nats per character) and its perplexity show how much
// better than chance (one in ~95 printable characters) the model predicts text it never trained on.
#include <wick/wick.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fortunes_text.h"

using wick::Tensor;
namespace nn = wick::nn;
namespace F = wick::nn::functional;

using fortunes::kVocab;
constexpr int64_t kSteps = 100, kBatch = 32, kHidden = 256;

struct CharModelImpl : nn::Module {
  CharModelImpl() {
    embed = register_module("embed", nn::Embedding(kVocab, 64));
    lstm = register_module("lstm", nn::LSTM(64, kHidden));
    head = register_module("head", nn::Linear(kHidden, kVocab));
  }
  // chars [T, B] -> logits [T, B, kVocab]; `state` carries (h, c) from one call to the next when sampling.
  Tensor forward(const Tensor& chars, std::optional<std::tuple<Tensor, Tensor>>& state) {
    auto [out, next] = lstm->forward(embed(chars), state);
    state = next;
    return head(out);
  }
  nn::Embedding embed{nullptr};
  nn::LSTM lstm{nullptr};
  nn::Linear head{nullptr};
};
WICK_MODULE(CharModel);

// Mean cross-entropy (nats per character) over fixed held-out windows.
double validation_loss(CharModel& model, const std::vector<std::pair<Tensor, Tensor>>& batches) {
  wick::NoGradGuard no_grad;
  double total = 0;
  for (const auto& [x, y] : batches) {
    std::optional<std::tuple<Tensor, Tensor>> state;
    total += F::cross_entropy(model(x, state).flatten(0, 1), y.flatten()).item<double>();
  }
  return total / double(batches.size());
}

std::string sample(CharModel& model, const std::string& prompt, int64_t length, double temperature) {
  wick::NoGradGuard no_grad;
  std::optional<std::tuple<Tensor, Tensor>> state;
  std::string text = prompt;
  std::vector<int64_t> codes;
  for (char c : prompt) codes.push_back(fortunes::encode(c));
  Tensor logits = model(wick::tensor(codes).view({-1, 1}), state)[-1][0];
  for (int64_t i = 0; i < length; ++i) {
    const int64_t next = fortunes::draw(wick::softmax(logits / temperature, 0));
    text += fortunes::decode(next);
    logits = model(wick::full({1, 1}, next, wick::dtype(wick::kInt64)), state)[0][0];
  }
  return text;
}

int main(int argc, char** argv) {
  std::vector<std::string> positional;
  wick::Device device(wick::kCPU);  // "--device cuda" trains on the GPU (tools/gpu_check)
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--device" && i + 1 < argc)
      device = wick::Device(std::string(argv[++i]));
    else
      positional.push_back(argv[i]);
  }
  const int steps = positional.size() > 0 ? std::atoi(positional[0].c_str()) : 600;
  const std::string folder = positional.size() > 1 ? positional[1] : "/usr/share/games/fortunes";
  const std::optional<fortunes::Corpus> corpus = fortunes::load_corpus("char_lstm", folder, kSteps, kBatch);
  if (!corpus) return 1;
  const Tensor& train_text = corpus->train;
  std::vector<std::pair<Tensor, Tensor>> validation;
  for (const auto& [x, y] : corpus->validation) validation.emplace_back(x.to(device), y.to(device));

  wick::manual_seed(0);
  CharModel model;
  model->to(device);
  wick::optim::Adam adam(model->parameters(), wick::optim::AdamOptions(3e-3));
  const double initial = validation_loss(model, validation);
  std::printf("before training: validation loss %.3f, perplexity %.1f\n", initial, std::exp(initial));
  const auto start = std::chrono::steady_clock::now();
  for (int step = 1; step <= steps; ++step) {
    auto [x_cpu, y_cpu] = fortunes::windows(train_text, kSteps, kBatch);
    const Tensor x = x_cpu.to(device), y = y_cpu.to(device);
    std::optional<std::tuple<Tensor, Tensor>> state;
    adam.zero_grad();
    const Tensor loss = F::cross_entropy(model(x, state).flatten(0, 1), y.flatten());
    loss.backward();
    nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    adam.step();
    if (step % 100 == 0 || step == steps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fortunes::report(step, loss.item<double>(), validation_loss(model, validation), step * kSteps * kBatch / seconds);
    }
  }
  const bool learned = validation_loss(model, validation) < initial;
  model->to(wick::kCPU);  // sampling draws one character at a time: the host's work
  std::printf("\nsampled at temperature 0.8:\n%s\n", sample(model, "The ", 400, 0.8).c_str());
  return learned ? 0 : 1;
}
