// Deterministic numerics mode (wick/deterministic_numerics.h): the same output bits on every CPU. Each case hashes
// every output bit of a model run and compares with one committed value, the same for all platforms: CI runs this
// file on x86-64 with each kernel set (AVX-512, AVX2, SSE4.2, scalar: tools/check's WICK_CPU_CAPABILITY runs), with
// the fused kernels off (WICK_FUSED_KERNELS=0), and on AArch64 under qemu. A mismatch on one of them is a CPU- or
// compiler-dependent result: the printed hash says which one moved.
//
// After a deliberate change to the numerics, WICK_PRINT_HASHES=1 prints the new values to commit.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "../support/scoped_settings.h"
#include "deterministic_cnn.h"  // examples/embedded_policy, as plant.h
#include "plant.h"              // examples/embedded_policy: the simulated machine the policy steers

using namespace wick;

namespace {

// FNV-1a over the bits of float values.
class BitHash {
 public:
  void add(const float* values, int64_t n) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(values);
    for (int64_t i = 0; i < n * int64_t(sizeof(float)); ++i) {
      hash_ ^= bytes[i];
      hash_ *= 0x100000001b3ULL;
    }
  }
  void add(const Tensor& t) {
    const Tensor c = t.contiguous();
    add(c.data_ptr<float>(), c.numel());
  }
  uint64_t value() const { return hash_; }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

void check_hash(const char* what, uint64_t got, uint64_t expected) {
  if (std::getenv("WICK_PRINT_HASHES")) std::printf("%s: 0x%016llxULL\n", what, static_cast<unsigned long long>(got));
  INFO(what << ": got 0x" << std::hex << got << ", committed 0x" << expected);
  CHECK(got == expected);
}

nn::Sequential trained_policy() {
  nn::Sequential policy(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
  load(policy, std::string(WICK_FIXTURES_DIR) + "/policy_mlp.safetensors");
  return policy;
}

// A closed-loop episode: 2,000 ticks of the embedded_policy example's plant, each tick's forces fed back.
uint64_t policy_episode(nn::Sequential& policy) {
  InferenceMode guard;
  wick_example::Plant plant(3);
  float obs[wick_example::Plant::kObservations];
  const Tensor x = from_blob(obs, {1, wick_example::Plant::kObservations});
  BitHash hash;
  for (int tick = 0; tick < 2000; ++tick) {
    plant.observe(obs);
    const Tensor force = policy->forward(x);
    hash.add(force);
    plant.step(force.data_ptr<float>());
  }
  return hash.value();
}

// A recurrent model's episode: 300 steps, one at a time, each step's output (through a tanh head) its next input.
template <class Cell>
uint64_t recurrent_episode(Cell& cell, nn::Linear& head, Tensor* last_output = nullptr) {
  InferenceMode guard;
  Tensor x = full({1, 1, 8}, 0.5);
  BitHash hash;
  Tensor y;
  auto state = std::get<1>(cell->forward(x));
  for (int step = 0; step < 300; ++step) {
    auto [out, next] = cell->forward(x, state);
    state = next;
    y = tanh(head->forward(out));
    hash.add(y);
    x = y;
  }
  if (last_output) *last_output = y;
  return hash.value();
}

using Cnn = wick_example::DeterministicCnn;

std::string mnist_root() { return std::string(WICK_FIXTURES_DIR) + "/../../data/mnist"; }

Tensor mnist_digits(int64_t n) {
  const data::datasets::MNIST test(mnist_root(), data::datasets::MNIST::Mode::kTest);
  return (test.images().slice(0, 0, n) - 0.1307) / 0.3081;
}

uint64_t cnn_hash(Cnn& cnn, const Tensor& digits, Tensor* probabilities = nullptr) {
  InferenceMode guard;
  BitHash hash;
  std::vector<Tensor> outputs;
  for (int64_t b = 0; b < digits.size(0); b += 100) {
    outputs.push_back(cnn->forward(digits.slice(0, b, b + 100)));
    hash.add(outputs.back());
  }
  if (probabilities) *probabilities = cat(outputs);
  return hash.value();
}

}  // namespace

TEST_CASE("deterministic numerics: the mode is off by default and a guard restores it", "[deterministic]") {
  CHECK_FALSE(deterministic_numerics_enabled());
  {
    DeterministicNumericsGuard guard;
    CHECK(deterministic_numerics_enabled());
    {
      DeterministicNumericsGuard off(false);
      CHECK_FALSE(deterministic_numerics_enabled());
    }
    CHECK(deterministic_numerics_enabled());
  }
  CHECK_FALSE(deterministic_numerics_enabled());
}

TEST_CASE("deterministic numerics: the policy's closed-loop episode, float32 and int8", "[deterministic]") {
  nn::Sequential policy = trained_policy();
  nn::Sequential int8_policy = quantization::quantize_dynamic(policy, {"2", "4"});
  DeterministicNumericsGuard guard;
  check_hash("policy float32", policy_episode(policy), 0x34243ea3eb24a7d7ULL);
  check_hash("policy int8", policy_episode(int8_policy), 0x4529f73eee0006c6ULL);
}

TEST_CASE("deterministic numerics: GRU and LSTM episodes, float32 and int8", "[deterministic]") {
  manual_seed(11);
  nn::GRU gru(nn::GRUOptions(8, 32));
  nn::LSTM lstm(nn::LSTMOptions(8, 32));
  nn::Linear head(32, 8);
  nn::GRU int8_gru = quantization::quantize_dynamic(gru);
  nn::LSTM int8_lstm = quantization::quantize_dynamic(lstm);

  Tensor fast_gru, fast_lstm;
  recurrent_episode(gru, head, &fast_gru);
  recurrent_episode(lstm, head, &fast_lstm);

  DeterministicNumericsGuard guard;
  Tensor exact_gru, exact_lstm;
  check_hash("GRU float32", recurrent_episode(gru, head, &exact_gru), 0xcf20b5f49c78120dULL);
  check_hash("LSTM float32", recurrent_episode(lstm, head, &exact_lstm), 0x38f9fa366ac2b4b7ULL);
  check_hash("GRU int8", recurrent_episode(int8_gru, head), 0x126b6b474de1d37dULL);
  check_hash("LSTM int8", recurrent_episode(int8_lstm, head), 0x3dba99d1e98bfcf9ULL);
  // The mode computes the same function: after 300 fed-back steps the fast path is within rounding of it.
  CHECK(allclose(exact_gru, fast_gru, 1e-4, 1e-5));
  CHECK(allclose(exact_lstm, fast_lstm, 1e-4, 1e-5));
}

// The fused LSTM and GRU cells run in the mode where their bits are the composed step's (the forward); a step the tape
// records composes, as the fused backward's arithmetic is not that of the composed ops' recorded backward. So
// training too gives the same bits with the fused kernels on and off, and the fused cell's forward matches the
// composed one's in inference.
TEST_CASE("deterministic numerics: GRU and LSTM outputs and gradients are the same bits with fused kernels on and off",
          "[deterministic]") {
  manual_seed(5);
  nn::GRU gru(nn::GRUOptions(4, 6).num_layers(2));
  nn::LSTM lstm(nn::LSTMOptions(4, 6).num_layers(2));
  const Tensor x = randn({5, 3, 4});
  struct Run {
    Tensor output;
    std::vector<Tensor> grads;
  };
  auto run = [&](auto& rnn, bool fused, bool train) {
    const wick::testing::FusedKernels fused_kernels(fused);
    Run r;
    if (train) {
      rnn->zero_grad();
      r.output = std::get<0>(rnn->forward(x));
      (r.output * r.output).sum().backward();
      for (const Tensor& p : rnn->parameters()) r.grads.push_back(p.grad().clone());
    } else {
      InferenceMode inference;
      r.output = std::get<0>(rnn->forward(x));
    }
    return r;
  };
  auto same_bits = [](const Run& a, const Run& b) {
    bool same = equal(a.output, b.output) && a.grads.size() == b.grads.size();
    for (size_t i = 0; same && i < a.grads.size(); ++i) same = equal(a.grads[i], b.grads[i]);
    return same;
  };
  DeterministicNumericsGuard guard;
  for (const bool train : {false, true}) {
    INFO((train ? "training" : "inference"));
    CHECK(same_bits(run(gru, true, train), run(gru, false, train)));
    CHECK(same_bits(run(lstm, true, train), run(lstm, false, train)));
  }
}

TEST_CASE("deterministic numerics: a CNN's probabilities over 1,000 MNIST digits, at 1 and 3 threads",
          "[deterministic]") {
  if (!std::filesystem::exists(mnist_root() + "/t10k-images-idx3-ubyte")) {
    WARN("skipped: no MNIST digits in data/mnist (tools/mnist/fetch)");
    return;
  }
  const Tensor digits = mnist_digits(1000);
  manual_seed(7);
  Cnn cnn;
  Tensor fast;
  cnn_hash(cnn, digits, &fast);

  const int threads = get_num_threads();
  DeterministicNumericsGuard guard;
  Tensor exact;
  set_num_threads(1);
  const uint64_t one_thread = cnn_hash(cnn, digits, &exact);
  set_num_threads(3);
  const uint64_t three_threads = cnn_hash(cnn, digits);
  set_num_threads(threads);
  check_hash("CNN float32", one_thread, 0x88057017bf9e554aULL);
  CHECK(three_threads == one_thread);
  CHECK(allclose(exact, fast, 1e-4, 1e-6));
}
