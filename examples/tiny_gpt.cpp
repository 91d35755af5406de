// A tiny GPT: a decoder-only Transformer predicts the next character of Debian's `fortunes` text, then writes
// text of its own.
//
//   build/examples/tiny_gpt [steps=600] [fortunes folder=/usr/share/games/fortunes]
//
// Characters and positions are embedded and summed; pre-norm Transformer layers attend through a causal mask,
// so position t sees only positions <= t and one forward pass trains all 64 next-character predictions of a
// window at once. Every tenth fortune is held out for the validation loss and its perplexity.
#include <wick/wick.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "fortunes_text.h"

using wick::Tensor;
namespace nn = wick::nn;
namespace F = wick::nn::functional;
using fortunes::kVocab;

constexpr int64_t kContext = 64, kBatch = 32, kModel = 128, kHeads = 4, kLayers = 2;

struct TinyGptImpl : nn::Module {
  TinyGptImpl() {
    tokens = register_module("tokens", nn::Embedding(kVocab, kModel));
    positions = register_module("positions", nn::Embedding(kContext, kModel));
    nn::TransformerEncoderLayer layer(
        nn::TransformerEncoderLayerOptions(kModel, kHeads).dim_feedforward(4 * kModel).dropout(0.1).norm_first(true));
    blocks = register_module(
        "blocks",
        nn::TransformerEncoder(
            nn::TransformerEncoderOptions(layer, kLayers).norm(nn::LayerNorm(nn::LayerNormOptions({kModel})))));
    head = register_module("head", nn::Linear(kModel, kVocab));
  }
  // chars [T, B] (T <= kContext) -> logits [T, B, kVocab]
  Tensor forward(const Tensor& chars) {
    const int64_t T = chars.size(0);
    const Tensor x = tokens(chars) + positions(wick::arange(T)).unsqueeze(1);  // [T, B, kModel]
    return head(blocks(x, nn::causal_mask(T)));
  }
  nn::Embedding tokens{nullptr}, positions{nullptr};
  nn::TransformerEncoder blocks{nullptr};
  nn::Linear head{nullptr};
};
WICK_MODULE(TinyGpt);

double validation_loss(TinyGpt& model, const std::vector<std::pair<Tensor, Tensor>>& batches) {
  wick::NoGradGuard no_grad;
  model->eval();
  double total = 0;
  for (const auto& [x, y] : batches) total += F::cross_entropy(model(x).flatten(0, 1), y.flatten()).item<double>();
  model->train();
  return total / double(batches.size());
}

// Each new character from the last kContext ones.
std::string sample(TinyGpt& model, const std::string& prompt, int64_t length, double temperature) {
  wick::NoGradGuard no_grad;
  model->eval();
  std::vector<int64_t> codes;
  for (char c : prompt) codes.push_back(fortunes::encode(c));
  std::string text = prompt;
  for (int64_t i = 0; i < length; ++i) {
    const size_t from = codes.size() > size_t(kContext) ? codes.size() - size_t(kContext) : 0;
    const std::vector<int64_t> context(codes.begin() + long(from), codes.end());
    const Tensor logits = model(wick::tensor(context).view({-1, 1}))[-1][0];
    codes.push_back(fortunes::draw(wick::softmax(logits / temperature, 0)));
    text += fortunes::decode(codes.back());
  }
  model->train();
  return text;
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 600;
  const std::string folder = argc > 2 ? argv[2] : "/usr/share/games/fortunes";
  const std::optional<fortunes::Corpus> corpus = fortunes::load_corpus("tiny_gpt", folder, kContext, kBatch);
  if (!corpus) return 1;
  const Tensor& train_text = corpus->train;
  const auto& validation = corpus->validation;

  wick::manual_seed(0);
  TinyGpt model;
  std::printf("%lld parameters\n", static_cast<long long>(model->num_parameters()));
  wick::optim::AdamW adam(model->parameters(), wick::optim::AdamWOptions(1e-3).weight_decay(0.01));
  const double initial = validation_loss(model, validation);
  std::printf("before training: validation loss %.3f, perplexity %.1f\n", initial, std::exp(initial));
  const auto start = std::chrono::steady_clock::now();
  for (int step = 1; step <= steps; ++step) {
    auto [x, y] = fortunes::windows(train_text, kContext, kBatch);
    adam.zero_grad();
    const Tensor loss = F::cross_entropy(model(x).flatten(0, 1), y.flatten());
    loss.backward();
    nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    adam.step();
    if (step % 100 == 0 || step == steps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fortunes::report(step, loss.item<double>(), validation_loss(model, validation),
                       step * kContext * kBatch / seconds);
    }
  }
  std::printf("\nsampled at temperature 0.8:\n%s\n", sample(model, "The ", 300, 0.8).c_str());
  return validation_loss(model, validation) < initial ? 0 : 1;
}
