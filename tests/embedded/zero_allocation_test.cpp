// Steady-state inference for real-time loops: a fixed-shape model called repeatedly under InferenceMode makes no
// heap allocation (every malloc and operator new is counted by examples/embedded_policy/malloc_counter.cpp),
// small models never wake the thread pool, and InferenceMode flushes denormals by default.
#include <catch2/catch.hpp>
#include <wick/wick.h>

#include <cstring>

#include "../support/scoped_settings.h"
#include "malloc_counter.h"
#include "thread_pool.h"  // kernels/cpu: cpu::pool_dispatches()

using namespace wick;

namespace {

nn::Sequential policy_mlp() {
  manual_seed(1);
  return nn::Sequential(nn::Linear(16, 64), nn::Tanh(), nn::Linear(64, 64), nn::Tanh(), nn::Linear(64, 4));
}

// Allocations made by `calls` calls of `step`, after warm-up calls that size the caches.
template <class F>
uint64_t allocations_in(int calls, F&& step) {
  for (int i = 0; i < 20; ++i) step();
  wick_example::start_counting_mallocs();
  for (int i = 0; i < calls; ++i) step();
  return wick_example::stop_counting_mallocs();
}

}  // namespace

TEST_CASE("embedded: the allocation counter sees malloc and operator new", "[embedded]") {
  if (!wick_example::malloc_counter_available()) {
    WARN("skipped: the allocation counter needs glibc");
    return;
  }
  // Through volatile pointers, so that the compiler cannot elide the pair (it may for new/delete and malloc/free).
  void* volatile p = nullptr;
  int* volatile q = nullptr;
  wick_example::start_counting_mallocs();
  p = std::malloc(24);
  q = new int[5];
  const uint64_t n = wick_example::stop_counting_mallocs();
  std::free(p);
  delete[] q;
  CHECK(n == 2);
}

TEST_CASE("embedded: 10,000 policy calls under InferenceMode allocate nothing", "[embedded]") {
  REQUIRE(wick_example::malloc_counter_available());
  nn::Sequential mlp = policy_mlp();
  float obs[16] = {};
  const Tensor x = from_blob(obs, {1, 16});
  InferenceMode guard;
  Tensor y;
  CHECK(allocations_in(10000, [&] {
          obs[0] += 0.001f;
          y = mlp->forward(x);
        }) == 0);
  CHECK(y.sizes() == IntArrayRef({1, 4}));

  SECTION("a classifier's head: softmax and log_softmax over the actions") {
    Tensor p, lp;
    CHECK(allocations_in(10000, [&] {
            y = mlp->forward(x);
            p = softmax(y, 1);
            lp = log_softmax(y, 1);
          }) == 0);
    CHECK(allclose(p.sum(1), ones({1})));
    CHECK(allclose(lp.exp(), p));
  }

  SECTION("a batch-1 LSTM and GRU step") {
    nn::LSTM lstm(nn::LSTMOptions(16, 32));
    nn::GRU gru(nn::GRUOptions(16, 32));
    const std::vector<Tensor> lw = lstm->all_weights(), gw = gru->all_weights();
    Tensor h = zeros({1, 32}), c = zeros({1, 32}), g = zeros({1, 32});
    CHECK(allocations_in(10000, [&] {
            std::tie(h, c) = fused_lstm_cell(linear(x, lw[0], lw[2]), linear(h, lw[1], lw[3]), c);
            g = fused_gru_cell(linear(x, gw[0], gw[2]), linear(g, gw[1], gw[3]), g);
          }) == 0);
  }
}

TEST_CASE("embedded: int8 policies (quantize_dynamic) allocate nothing after their first call",
          "[embedded][quantization]") {
  REQUIRE(wick_example::malloc_counter_available());
  nn::Sequential mlp = quantization::quantize_dynamic(policy_mlp());
  float obs[16] = {};
  const Tensor x = from_blob(obs, {1, 16});
  InferenceMode guard;
  Tensor y;
  CHECK(allocations_in(10000, [&] {
          obs[0] += 0.001f;
          y = mlp->forward(x);
        }) == 0);
  CHECK(y.sizes() == IntArrayRef({1, 4}));

  SECTION("a batch-1 int8 LSTM and GRU step, as the C ABI runs them") {
    nn::LSTM lstm = quantization::quantize_dynamic(nn::LSTM(nn::LSTMOptions(16, 32)));
    nn::GRU gru = quantization::quantize_dynamic(nn::GRU(nn::GRUOptions(16, 32)));
    auto packed = [](nn::detail::RNNImplBase& layer, const char* name) {
      return quantization::PackedLinearWeight(layer.named_buffers()[name],
                                              layer.named_buffers()[std::string(name) + "_scale"]);
    };
    const quantization::PackedLinearWeight l_ih = packed(*lstm, "weight_ih_l0"), l_hh = packed(*lstm, "weight_hh_l0");
    const quantization::PackedLinearWeight g_ih = packed(*gru, "weight_ih_l0"), g_hh = packed(*gru, "weight_hh_l0");
    const Tensor lb_ih = lstm->named_buffers()["bias_ih_l0"], lb_hh = lstm->named_buffers()["bias_hh_l0"];
    const Tensor gb_ih = gru->named_buffers()["bias_ih_l0"], gb_hh = gru->named_buffers()["bias_hh_l0"];
    Tensor h = zeros({1, 32}), c = zeros({1, 32}), g = zeros({1, 32});
    CHECK(allocations_in(10000, [&] {
            obs[1] += 0.001f;
            std::tie(h, c) = fused_lstm_cell(quantization::linear_dynamic(x, l_ih, lb_ih),
                                             quantization::linear_dynamic(h, l_hh, lb_hh), c);
            g = fused_gru_cell(quantization::linear_dynamic(x, g_ih, gb_ih),
                               quantization::linear_dynamic(g, g_hh, gb_hh), g);
          }) == 0);
  }
}

TEST_CASE("embedded: a training step without InferenceMode does allocate (the counter is not blind)", "[embedded]") {
  REQUIRE(wick_example::malloc_counter_available());
  nn::Sequential mlp = policy_mlp();
  const Tensor x = randn({1, 16});
  // Recording grows the tape and the parameters' grads: the first counted steps must show it.
  wick_example::start_counting_mallocs();
  mlp->forward(x).sum().backward();
  CHECK(wick_example::stop_counting_mallocs() > 0);
}

TEST_CASE("embedded: batch-1 policies never wake the thread pool", "[embedded][threads]") {
  wick::testing::ThreadCount threads(4);
  nn::Sequential mlp = policy_mlp();
  nn::LSTM lstm(nn::LSTMOptions(16, 64));
  nn::Sequential int8_mlp = quantization::quantize_dynamic(policy_mlp());
  const Tensor x = randn({1, 16});
  uint64_t before = cpu::pool_dispatches();
  {
    InferenceMode guard;
    for (int i = 0; i < 100; ++i) {
      mlp->forward(x);
      lstm->forward(x.unsqueeze(0));
      int8_mlp->forward(x);
    }
  }
  CHECK(cpu::pool_dispatches() == before);
  // A large elementwise op does wake it, so the count above is not blind.
  (randn({1 << 20}) + 1).sum();
  CHECK(cpu::pool_dispatches() > before);
}

TEST_CASE("embedded: InferenceMode flushes denormals, in its workers too, unless told not to", "[embedded][threads]") {
  const float tiny = 1e-40f;  // a float32 denormal
  const Tensor x = full({1 << 20}, tiny);
  wick::testing::ThreadCount threads(4);
  CHECK(!flush_denormal_enabled());
  CHECK((x * 1.0f).max().item<float>() == tiny);  // IEEE by default
  {
    InferenceMode guard;
    CHECK(flush_denormal_enabled());
    const Tensor y = x * 1.0f;  // large enough to run on every worker
    CHECK(y.max().item<float>() == 0.0f);
    CHECK(y.min().item<float>() == 0.0f);
  }
  CHECK(!flush_denormal_enabled());  // restored on the way out
  InferenceMode::set_flushes_denormals(false);
  {
    InferenceMode guard;
    CHECK(!flush_denormal_enabled());
    CHECK((x * 1.0f).min().item<float>() == tiny);
  }
  InferenceMode::set_flushes_denormals(true);
}

TEST_CASE("embedded: a compiled policy's replays, inference and a whole SGD training step, allocate nothing",
          "[embedded][compile]") {
  REQUIRE(wick_example::malloc_counter_available());
  nn::Sequential mlp = policy_mlp();
  float obs[16] = {};
  const Tensor x = from_blob(obs, {1, 16});
  {
    InferenceMode guard;
    auto act = compile(mlp);
    Tensor y;
    CHECK(allocations_in(10000, [&] {
            obs[0] += 0.001f;
            y = act(x);
          }) == 0);
    CHECK(act.stats().replays > 10000);
    CHECK(equal(y, mlp->forward(x)));  // the replay read the observation's new values through from_blob
  }
  // Eager training allocates every step (the tape, the gradients: the case above); its compiled replay does not.
  optim::SGD opt(mlp->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  const Tensor batch = randn({8, 16}), target = randn({8, 4});
  auto train = compile([&](const Tensor& in, const Tensor& want) {
    opt.zero_grad();
    Tensor loss = nn::functional::mse_loss(mlp->forward(in), want);
    loss.backward();
    opt.step();
    return loss.detach();
  });
  CHECK(allocations_in(1000, [&] { train(batch, target); }) == 0);
  CHECK(train.stats().replays > 1000);
}
