// Parity: is the number of ones in a bit string odd? A recurrent net reads the bits one at a time and must carry
// one bit of state to the end, whatever the length.
//
// The strings have 1 to 16 bits, so a batch is padded to its longest string and packed
// (pack_padded_sequence): each string is read up to its own last bit, and the final hidden state the classifier
// sees is the one after that bit, not after the padding. The same loop trains an RNN, an LSTM and a GRU and
// reports each one's accuracy on strings it never saw.
#include <wick/wick.h>

#include <chrono>
#include <cstdio>
#include <string>

using wick::Tensor;
namespace nn = wick::nn;
namespace F = wick::nn::functional;
using nn::utils::rnn::pack_padded_sequence;
using nn::utils::rnn::PackedSequence;

constexpr int64_t kMaxBits = 16, kHidden = 32;

// n random strings: bits one-hot encoded [kMaxBits, n, 2] (zeros after each string's end), lengths, labels.
struct Strings {
  Tensor bits, lengths, labels;
};

Strings make_strings(int64_t n) {
  const Tensor lengths = wick::randint(1, kMaxBits + 1, {n});
  const Tensor mask = wick::arange(kMaxBits).unsqueeze(1) < lengths.unsqueeze(0);  // [kMaxBits, n]
  const Tensor bits = wick::randint(0, 2, {kMaxBits, n}) * mask.to(wick::kInt64);
  const Tensor labels = bits.sum(0) % 2;
  const Tensor one_hot = F::one_hot(bits, 2).to(wick::kFloat) * mask.unsqueeze(2).to(wick::kFloat);
  return {one_hot, lengths, labels};
}

// A recurrent layer of the given kind and a linear read-out of its final hidden state.
struct ParityNetImpl : nn::Module {
  explicit ParityNetImpl(const std::string& kind) : kind(kind) {
    if (kind == "RNN") rnn = register_module("rnn", nn::RNN(2, kHidden));
    if (kind == "LSTM") lstm = register_module("lstm", nn::LSTM(2, kHidden));
    if (kind == "GRU") gru = register_module("gru", nn::GRU(2, kHidden));
    head = register_module("head", nn::Linear(kHidden, 2));
  }
  Tensor forward(const PackedSequence& strings) {
    Tensor h;  // [layers, batch, hidden]: the state after each string's last bit
    if (rnn) h = std::get<1>(rnn->forward_with_packed_input(strings));
    if (lstm) h = std::get<0>(std::get<1>(lstm->forward_with_packed_input(strings)));
    if (gru) h = std::get<1>(gru->forward_with_packed_input(strings));
    return head(h[0]);
  }

  std::string kind;
  nn::RNN rnn{nullptr};
  nn::LSTM lstm{nullptr};
  nn::GRU gru{nullptr};
  nn::Linear head{nullptr};
};
WICK_MODULE(ParityNet);

double accuracy(ParityNet& model, const Strings& s) {
  wick::NoGradGuard no_grad;
  const Tensor logits = model(pack_padded_sequence(s.bits, s.lengths, false, /*enforce_sorted=*/false));
  return logits.argmax(1).eq(s.labels).to(wick::kFloat).mean().item<double>();
}

double train(const std::string& kind, const Strings& train_set, const Strings& test_set) {
  wick::manual_seed(1);
  ParityNet model(kind);
  wick::optim::Adam adam(model->parameters(), wick::optim::AdamOptions(kind == "RNN" ? 3e-3 : 1e-2));
  const int64_t n = train_set.labels.size(0), batch = 64;
  const auto start = std::chrono::steady_clock::now();
  for (int epoch = 1; epoch <= 100; ++epoch) {
    const Tensor order = wick::randperm(n);
    for (int64_t b = 0; b + batch <= n; b += batch) {
      const Tensor idx = order.narrow(0, b, batch);
      const PackedSequence strings = pack_padded_sequence(train_set.bits.index_select(1, idx),
                                                          train_set.lengths.index_select(0, idx), false, false);
      adam.zero_grad();
      const Tensor loss = F::cross_entropy(model(strings), train_set.labels.index_select(0, idx));
      loss.backward();
      nn::utils::clip_grad_norm_(model->parameters(), 1.0);  // a plain RNN's gradients can explode
      adam.step();
    }
    const double acc = accuracy(model, test_set);
    if (epoch % 20 == 0 || acc >= 0.99)
      std::printf("  %-4s epoch %2d  held-out accuracy %5.1f%%\n", kind.c_str(), epoch, 100 * acc);
    if (acc >= 0.99) break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double acc = accuracy(model, test_set);
  std::printf("%-4s %5.1f%% of %lld held-out strings right (%.1f s)\n", kind.c_str(), 100 * acc,
              static_cast<long long>(test_set.labels.size(0)), seconds);
  return acc;
}

int main() {
  wick::manual_seed(0);
  const Strings train_set = make_strings(4000), test_set = make_strings(1000);
  bool all_learned = true;
  for (const char* kind : {"RNN", "LSTM", "GRU"}) all_learned &= train(kind, train_set, test_set) >= 0.95;
  return all_learned ? 0 : 1;
}
