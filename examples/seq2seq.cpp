// Sequence to sequence with attention: a GRU encoder reads a string of 3 to 20 digits, and a GRU decoder writes
// it backwards, one digit at a time, looking back at the encoder's outputs through Luong ("general") attention.
// Then the trained decoder is driven by nn::utils::beam_search, greedily (beam 1) and with a beam of 4.
//
//   build/examples/seq2seq [--quick] [--seed N]      (--quick: 300 training steps instead of 2000)
//
// The held-out strings never appear in training; the score is exact match (every digit right, and the end).
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <vector>

using wick::Tensor;
namespace nn = wick::nn;
namespace F = wick::nn::functional;
namespace rnn = wick::nn::utils::rnn;

// Tokens: the ten digits, then start, end and padding.
constexpr int64_t kStart = 10, kEnd = 11, kPad = 12, kVocab = 13;
constexpr int64_t kMinDigits = 3, kMaxDigits = 20, kEmbed = 32, kHidden = 128, kBatch = 64;

struct Seq2SeqImpl : nn::Module {
  Seq2SeqImpl() {
    source_embed = register_module("source_embed", nn::Embedding(kVocab, kEmbed));
    encoder = register_module("encoder", nn::GRU(kEmbed, kHidden));
    target_embed = register_module("target_embed", nn::Embedding(kVocab, kEmbed));
    decoder = register_module("decoder", nn::GRU(kEmbed, kHidden));
    attention = register_module("attention", nn::Linear(nn::LinearOptions(kHidden, kHidden).bias(false)));
    combine = register_module("combine", nn::Linear(2 * kHidden, kHidden));
    head = register_module("head", nn::Linear(kHidden, kVocab));
  }

  // source [S, B] padded, lengths [B] -> the decoder's starting state: its hidden state [B, H], the encoder's
  // outputs [B, S, H] and the mask of real (not padding) source positions [B, S]. Packing makes each string's
  // final hidden state the one after its own last digit.
  std::vector<Tensor> encode(const Tensor& source, const Tensor& lengths) {
    auto [packed, h] = encoder->forward_with_packed_input(
        rnn::pack_padded_sequence(source_embed(source), lengths, false, /*enforce_sorted=*/false));
    const Tensor outputs = std::get<0>(rnn::pad_packed_sequence(packed, false, 0.0, source.size(0)));
    const Tensor mask = wick::arange(source.size(0)).unsqueeze(0) < lengths.unsqueeze(1);
    return {h[0], outputs.transpose(0, 1), mask};
  }

  // Reads target tokens [T, B] from the state; returns logits [T, B, kVocab] and the state after them. Each output
  // attends over the source (softmax of its score against W * encoder output), and the context joins the output.
  std::tuple<Tensor, std::vector<Tensor>> decode(const Tensor& tokens, const std::vector<Tensor>& state) {
    const Tensor &memory = state[1], &mask = state[2];
    auto [out, h] = decoder->forward(target_embed(tokens), state[0].unsqueeze(0));
    const Tensor query = out.transpose(0, 1);  // [B, T, H]
    const Tensor context =
        F::scaled_dot_product_attention(query, attention(memory), memory, mask.unsqueeze(1), 0.0, false, /*scale=*/1.0);
    const Tensor logits = head(wick::tanh(combine(wick::cat({context, query}, 2))));
    return {logits.transpose(0, 1), {h[0], memory, mask}};
  }

  nn::Embedding source_embed{nullptr}, target_embed{nullptr};
  nn::GRU encoder{nullptr}, decoder{nullptr};
  nn::Linear attention{nullptr}, combine{nullptr}, head{nullptr};
};
WICK_MODULE(Seq2Seq);

// Digit strings as token columns [rows, batch], padded: `first` (a token, or -1 for none) before each string and,
// when with_end, the end token after it.
Tensor to_columns(const std::vector<std::string>& strings, int64_t first, bool with_end) {
  const int64_t rows = kMaxDigits + (first >= 0) + with_end;
  std::vector<int64_t> tokens(rows * strings.size(), kPad);
  for (size_t b = 0; b < strings.size(); ++b) {
    std::vector<int64_t> column;
    if (first >= 0) column.push_back(first);
    for (char c : strings[b]) column.push_back(c - '0');
    if (with_end) column.push_back(kEnd);
    for (size_t t = 0; t < column.size(); ++t) tokens[t * strings.size() + b] = column[t];
  }
  return wick::tensor(tokens).view({rows, int64_t(strings.size())});
}

Tensor lengths_of(const std::vector<std::string>& strings) {
  std::vector<int64_t> lengths;
  for (const auto& s : strings) lengths.push_back(int64_t(s.size()));
  return wick::tensor(lengths);
}

// A random string of kMinDigits to kMaxDigits digits, and the same digits backwards.
std::pair<std::string, std::string> random_problem(std::mt19937& gen) {
  std::string s(std::uniform_int_distribution<int64_t>(kMinDigits, kMaxDigits)(gen), '0');
  for (char& c : s) c = char('0' + gen() % 10);
  return {s, std::string(s.rbegin(), s.rend())};
}

// Questions (digit strings) and their answers (the same, backwards).
struct Problems {
  std::vector<std::string> questions, answers;
  void add(std::pair<std::string, std::string> p) {
    questions.push_back(std::move(p.first));
    answers.push_back(std::move(p.second));
  }
};

// Exact-match accuracy of the best hypothesis of a beam search of the given width.
double accuracy(Seq2Seq& model, const Problems& problems, int64_t beam) {
  wick::NoGradGuard no_grad;
  const auto step = [&](const Tensor& tokens, const std::vector<Tensor>& state) -> nn::utils::BeamStep::result_type {
    auto [logits, next] = model->decode(tokens.unsqueeze(0), state);
    return {logits[0].log_softmax(1), next};
  };
  // The answer's length is the question's, so nothing to correct for: rank by the plain sum of log-probabilities.
  const auto options =
      nn::utils::BeamSearchOptions(kStart, kEnd).beam_size(beam).max_length(kMaxDigits + 1).length_penalty(0.0);
  const auto& questions = problems.questions;
  const auto result =
      nn::utils::beam_search(step, model->encode(to_columns(questions, -1, false), lengths_of(questions)), options);
  // The result pads each hypothesis with the end token after its end; pad the answers the same way.
  const Tensor answers = to_columns(problems.answers, -1, true).t();
  const Tensor right = result.sequences.select(1, 0).eq(answers.masked_fill(answers == kPad, kEnd)).all(1);
  return right.to(wick::kFloat).mean().item<double>();
}

int main(int argc, char** argv) {
  bool quick = false;
  unsigned seed = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = unsigned(std::atoi(argv[++i]));
  }
  const int steps = quick ? 300 : 2000;
  wick::manual_seed(seed);
  std::mt19937 gen(seed);

  // Held-out questions first; training draws fresh ones every step and skips these.
  Problems held_out;
  std::set<std::string> held_out_questions;
  while (held_out.questions.size() < 1000) {
    auto p = random_problem(gen);
    if (held_out_questions.insert(p.first).second) held_out.add(std::move(p));
  }

  Seq2Seq model;
  wick::optim::Adam adam(model->parameters(), wick::optim::AdamOptions(3e-3));
  wick::optim::CosineAnnealingLR schedule(adam, steps);  // large steps to learn fast, small ones to settle
  const auto start = std::chrono::steady_clock::now();
  for (int step = 1; step <= steps; ++step) {
    Problems batch;
    while (int64_t(batch.questions.size()) < kBatch) {
      auto p = random_problem(gen);
      if (!held_out_questions.count(p.first)) batch.add(std::move(p));
    }
    // Teacher forcing: the decoder reads <start> + the right answer and predicts the answer + <end>.
    const Tensor inputs = to_columns(batch.answers, kStart, false), targets = to_columns(batch.answers, -1, true);
    const Tensor source = to_columns(batch.questions, -1, false);
    auto [logits, state] = model->decode(inputs, model->encode(source, lengths_of(batch.questions)));
    const Tensor loss =
        F::cross_entropy(logits.flatten(0, 1), targets.flatten(), F::CrossEntropyFuncOptions().ignore_index(kPad));
    adam.zero_grad();
    loss.backward();
    nn::utils::clip_grad_norm_(model->parameters(), 1.0);
    adam.step();
    schedule.step();
    if (step % 100 == 0) std::printf("step %4d  loss %.4f\n", step, loss.item<double>());
  }
  const double train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double greedy = accuracy(model, held_out, 1), beam = accuracy(model, held_out, 4);
  std::printf("trained %d steps in %.1f s; exact match on %zu held-out strings: greedy %.1f%%, beam 4 %.1f%%\n", steps,
              train_seconds, held_out.questions.size(), 100 * greedy, 100 * beam);
  // Measured (one thread, seeds 0-7 quick, 0-2 full): greedy 94.5-97.4% after 300 steps, 99.8-100% after 2000.
  const double threshold = quick ? 0.90 : 0.98;
  if (beam < greedy) std::printf("FAILED: beam search did worse than greedy decoding\n");
  if (greedy < threshold) std::printf("FAILED: below the %.0f%% this run reaches\n", 100 * threshold);
  return beam >= greedy && greedy >= threshold ? 0 : 1;
}
