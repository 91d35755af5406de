// Many threads running one loaded model at once (read-only weights) under InferenceMode, as a game server or a
// robot's perception and control threads do: each thread's results equal the same calls made serially, bit for
// bit. Tagged [threads], so tools/check --tsan runs it under ThreadSanitizer.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <thread>
#include <vector>

using namespace wick;

namespace {

struct PerceptionImpl : nn::Module {
  PerceptionImpl() {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)));
    lstm = register_module("lstm", nn::LSTM(nn::LSTMOptions(16, 16).batch_first(true)));
    policy = register_module("policy", nn::Sequential(nn::Linear(16, 32), nn::Tanh(), nn::Linear(32, 4)));
  }
  // image [1, 1, 8, 8] -> a feature sequence [1, 4, 16] -> LSTM -> the last step's action [1, 4]
  Tensor forward(const Tensor& image) {
    const Tensor features = relu(conv(image)).reshape({1, 4, 64}).narrow(2, 0, 16);
    const Tensor out = std::get<0>(lstm(features));
    return policy->forward(out.select(1, 3));
  }
  nn::Conv2d conv{nullptr};
  nn::LSTM lstm{nullptr};
  nn::Sequential policy{nullptr};
};
WICK_MODULE(Perception);

}  // namespace

TEST_CASE("inference: eight threads share one model and each matches the serial results", "[nn][threads]") {
  manual_seed(5);
  Perception model;
  model->eval();
  constexpr int kThreads = 8, kCalls = 40;
  std::vector<std::vector<Tensor>> inputs(kThreads), serial(kThreads), concurrent(kThreads);
  {
    InferenceMode guard;
    for (int t = 0; t < kThreads; ++t)
      for (int i = 0; i < kCalls; ++i) {
        inputs[size_t(t)].push_back(randn({1, 1, 8, 8}));
        serial[size_t(t)].push_back(model->forward(inputs[size_t(t)].back()));
      }
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      InferenceMode guard;
      for (const Tensor& x : inputs[size_t(t)]) concurrent[size_t(t)].push_back(model->forward(x));
    });
  for (std::thread& th : threads) th.join();
  int mismatches = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kCalls; ++i)
      mismatches += !equal(serial[size_t(t)][size_t(i)], concurrent[size_t(t)][size_t(i)]);
  CHECK(mismatches == 0);
  // The weights were only read: still plain leaves with no gradient.
  for (const Tensor& p : model->parameters()) CHECK((p.is_leaf() && !p.grad().defined()));
}
