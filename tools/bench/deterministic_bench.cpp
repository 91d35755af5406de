// What deterministic numerics mode (wick/deterministic_numerics.h) costs: the embedded models' forward passes with
// the mode off (the widest kernel set, oneDNN, fused kernels) and on, in the same run, on one thread, under
// InferenceMode. wick against wick: LibTorch has no such mode (torch.use_deterministic_algorithms only rules out
// nondeterministic GPU kernels; it does not make a CPU's results match another CPU's).
//
//   build/tools/bench/deterministic_bench [--markdown] [--reps N]
#include <wick/wick.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../../examples/embedded_policy/deterministic_cnn.h"
#include "interleaved_timing.h"
#include "simd/simd_table.h"  // kernels/cpu: which kernel set the fast path runs

using namespace wick;

namespace {

nn::Sequential mlp(const std::vector<int64_t>& sizes) {
  nn::Sequential s;
  for (size_t i = 0; i + 1 < sizes.size(); ++i) {
    s->push_back(nn::Linear(sizes[i], sizes[i + 1]));
    if (i + 2 < sizes.size()) s->push_back(nn::Tanh());
  }
  return s;
}

using Cnn = wick_example::DeterministicCnn;

struct Row {
  std::string name;
  std::function<void()> run;
};

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false;
  int reps = 21;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--markdown")) markdown = true;
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
  }
  manual_seed(0);
  set_num_threads(1);
  InferenceMode inference;

  nn::Sequential policy = mlp({16, 64, 64, 4});
  nn::Sequential int8_policy = quantization::quantize_dynamic(policy, {"2", "4"});
  nn::Sequential big = mlp({784, 512, 512, 10});
  nn::GRU gru(nn::GRUOptions(8, 32));
  nn::LSTM lstm(nn::LSTMOptions(8, 32));
  nn::LSTM int8_lstm = quantization::quantize_dynamic(lstm);
  Cnn cnn;

  const Tensor obs = randn({1, 16}), digits64 = randn({64, 784}), step = randn({1, 1, 8}),
               images = randn({100, 1, 28, 28});
  const Tensor h0 = zeros({1, 1, 32});
  const std::tuple<Tensor, Tensor> hc0{zeros({1, 1, 32}), zeros({1, 1, 32})};
  const std::vector<Row> rows = {
      {"policy MLP 16-64-64-4, batch 1", [&] { policy->forward(obs); }},
      {"policy MLP, int8, batch 1", [&] { int8_policy->forward(obs); }},
      {"MLP 784-512-512-10 (tanh), batch 64", [&] { big->forward(digits64); }},
      {"GRU(8, 32), one step", [&] { gru->forward(step, h0); }},
      {"LSTM(8, 32), one step", [&] { lstm->forward(step, hc0); }},
      {"LSTM(8, 32), int8, one step", [&] { int8_lstm->forward(step, hc0); }},
      {"CNN (conv, layer norm, GELU, softmax), batch 100", [&] { cnn->forward(images); }},
  };

  std::printf("fast path: the %s kernel set; 1 thread; %d reps, median us per forward\n", cpu::chosen_simd_table().name,
              reps);
  if (markdown)
    std::printf("| model | fast (us) | deterministic (us) | cost |\n|---|---|---|---|\n");
  else
    std::printf("%-48s %12s %14s %8s\n", "model", "fast (us)", "determ. (us)", "cost");
  for (const Row& row : rows) {
    // The two sides interleave: the mode switches on and off around each call.
    const std::vector<double> t = bench::time_interleaved({row.run,
                                                           [&] {
                                                             DeterministicNumericsGuard guard;
                                                             row.run();
                                                           }},
                                                          reps);
    if (markdown)
      std::printf("| %s | %.1f | %.1f | %.2fx |\n", row.name.c_str(), t[0], t[1], t[1] / t[0]);
    else
      std::printf("%-48s %12.1f %14.1f %7.2fx\n", row.name.c_str(), t[0], t[1], t[1] / t[0]);
  }
  return 0;
}
