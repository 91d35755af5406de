// porting: compare
// A word-level LSTM language model on a fixed toy corpus: Embedding, a 2-layer batch-first LSTM, a Linear decoder,
// cross-entropy over next tokens, gradient clipping and Adam, then greedy generation. Parameters are set
// deterministically so losses and generated tokens must match LibTorch's.
#include <torch/torch.h>

#include <iostream>
#include <vector>

struct LanguageModelImpl : torch::nn::Module {
  LanguageModelImpl(int64_t vocab, int64_t embed, int64_t hidden)
      : embedding(register_module("embedding", torch::nn::Embedding(vocab, embed))),
        lstm(register_module("lstm",
                             torch::nn::LSTM(torch::nn::LSTMOptions(embed, hidden).num_layers(2).batch_first(true)))),
        decoder(register_module("decoder", torch::nn::Linear(hidden, vocab))) {}

  torch::Tensor forward(torch::Tensor tokens) {
    auto embedded = embedding->forward(tokens);
    auto output = std::get<0>(lstm->forward(embedded));
    return decoder->forward(output);
  }

  torch::nn::Embedding embedding;
  torch::nn::LSTM lstm;
  torch::nn::Linear decoder;
};
TORCH_MODULE(LanguageModel);

int main() {
  const int64_t vocab = 7;
  // "the cat sat on the mat . the dog sat on the log ." as token ids
  std::vector<int64_t> corpus = {0, 1, 2, 3, 0, 4, 5, 0, 6, 2, 3, 0, 4, 5, 0, 1, 2, 3, 0, 4, 5};
  auto ids = torch::tensor(corpus, torch::kLong);
  const int64_t seq_len = 6;
  std::vector<torch::Tensor> inputs, targets;
  for (int64_t start = 0; start + seq_len < ids.size(0); start += 3) {
    inputs.push_back(ids.slice(0, start, start + seq_len));
    targets.push_back(ids.slice(0, start + 1, start + seq_len + 1));
  }
  auto x = torch::stack(inputs);
  auto y = torch::stack(targets);
  std::cout << "batch " << x.sizes() << std::endl;

  LanguageModel model(vocab, 6, 10);
  {
    torch::NoGradGuard no_grad;
    int64_t k = 0;
    for (auto& p : model->parameters()) {
      p.copy_(torch::arange(p.numel(), torch::kFloat).add(7 * k++).mul(0.43).sin().mul(0.4).view_as(p));
    }
  }
  for (const auto& p : model->named_parameters()) std::cout << p.key() << " " << p.value().sizes() << std::endl;

  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(0.02));
  for (int step = 0; step < 25; ++step) {
    optimizer.zero_grad();
    auto logits = model->forward(x);
    auto loss = torch::nn::functional::cross_entropy(logits.reshape({-1, vocab}), y.reshape(-1));
    loss.backward();
    auto norm = torch::nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    optimizer.step();
    if (step % 4 == 0 || step == 24) {
      std::cout << "step " << step << " loss " << loss.item<float>() << " grad norm " << norm << std::endl;
    }
  }

  torch::NoGradGuard no_grad;
  model->eval();
  auto sequence = torch::tensor({0L}, torch::kLong).view({1, 1});
  for (int i = 0; i < 8; ++i) {
    auto logits = model->forward(sequence);
    auto next = logits.select(1, -1).argmax(-1, /*keepdim=*/true);
    sequence = torch::cat({sequence, next}, 1);
  }
  std::cout << "generated " << sequence << std::endl;
  auto probabilities = torch::softmax(model->forward(x.narrow(0, 0, 1)), -1);
  std::cout << "next-token probabilities of the first sequence\n" << probabilities.squeeze(0) << std::endl;
  return 0;
}
