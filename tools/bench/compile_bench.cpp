// What wick::compile buys over eager execution of the same code (wick against wick: LibTorch's C++ has no
// compiler), one thread, same run, interleaved repetitions:
// - GELU written as 8 elementwise ops over 16M floats, and its bandwidth against memcpy's for the bytes a fused
//   pass must move (read x, write the result);
// - LayerNorm composed from public ops (mean, sub, mul, mean, add, rsqrt, mul) over 1024x1024;
// - the MLP 784-256-10 SGD training step at batch 64;
// - the LeNet-5 training step's temporary memory: the most the eager run holds at once against the plan's arena;
// - heap allocations during replays (every malloc and operator new, counted).
//
//   build/tools/bench/compile_bench [--markdown] [--reps N]
#include <wick/wick.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "../../examples/embedded_policy/malloc_counter.h"
#include "compile_workloads.h"
#include "interleaved_timing.h"

using namespace wick;
using wick_bench::gelu_from_8_ops;
using wick_bench::layer_norm_from_public_ops;
using wick_bench::LeNet;

namespace {

struct Row {
  std::string name, target;
  double eager_us, compiled_us;
  std::string note;
};

// Runs a compiled function until it replays, so that timing sees the steady state only.
template <class F>
void until_replaying(F& compiled, const std::function<void()>& call) {
  for (int i = 0; i < 8 && compiled.stats().replays == 0; ++i) call();
  if (compiled.stats().replays == 0) {
    std::fprintf(stderr, "compile_bench: the function never replayed: %s\n", compiled.fallback_reason().c_str());
    std::exit(1);
  }
}

// The training step both rows compile: zero_grad, cross-entropy, backward, SGD step; the loss as the result.
template <class Net>
auto compiled_sgd_step(Net& net, optim::SGD& opt) {
  return compile([&net, &opt](const Tensor& x, const Tensor& y) {
    opt.zero_grad();
    Tensor loss = nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
    return loss.detach();
  });
}

// Heap allocations per call of f (every malloc and operator new), over 100 calls.
template <class F>
double mallocs_per_call(F&& f) {
  wick_example::start_counting_mallocs();
  for (int i = 0; i < 100; ++i) f();
  return double(wick_example::stop_counting_mallocs()) / 100;
}

}  // namespace

int main(int argc, char** argv) {
  bool markdown = false;
  int reps = 15;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--markdown")) markdown = true;
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::atoi(argv[++i]);
  }
  manual_seed(0);
  set_num_threads(1);
  std::vector<Row> rows;

  // ---- GELU of 8 ops over 16M floats, and memcpy of the same 64 MB ----
  {
    NoGradGuard no_grad;
    const int64_t n = int64_t(1) << 24;
    const Tensor x = randn({n});
    auto gelu = compile([](const Tensor& a) { return gelu_from_8_ops(a); });
    until_replaying(gelu, [&] { gelu(x); });
    std::vector<float> src(static_cast<size_t>(n), 1.f), dst(static_cast<size_t>(n));
    const auto t = bench::time_interleaved({[&] { gelu_from_8_ops(x); }, [&] { gelu(x); },
                                            [&] { std::memcpy(dst.data(), src.data(), size_t(n) * sizeof(float)); }},
                                           reps);
    const double bytes = 2.0 * double(n) * sizeof(float);  // read x, write the result: memcpy's traffic too
    const double fused_gbs = bytes / t[1] / 1e3, memcpy_gbs = bytes / t[2] / 1e3;
    char note[160];
    std::snprintf(note, sizeof note, "%.1f GB/s = %.0f%% of memcpy's %.1f GB/s (target >= 70%%)", fused_gbs,
                  100 * fused_gbs / memcpy_gbs, memcpy_gbs);
    rows.push_back({"GELU as 8 ops, 16M floats", ">= 3x", t[0], t[1], note});
  }
  // ---- LayerNorm from public ops, 1024x1024 ----
  {
    NoGradGuard no_grad;
    const Tensor x = randn({1024, 1024});
    auto ln = compile([](const Tensor& a) { return layer_norm_from_public_ops(a); });
    until_replaying(ln, [&] { ln(x); });
    const auto t = bench::time_interleaved({[&] { layer_norm_from_public_ops(x); }, [&] { ln(x); }}, reps);
    rows.push_back({"LayerNorm from public ops, 1024x1024", ">= 2x", t[0], t[1], ""});
  }
  // ---- MLP 784-256-10 SGD step, batch 64 ----
  {
    manual_seed(1);
    nn::Sequential eager_net(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10));
    manual_seed(1);
    nn::Sequential compiled_net(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10));
    optim::SGD eager_opt(eager_net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    optim::SGD compiled_opt(compiled_net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    const Tensor x = randn({64, 784});
    const Tensor y = randint(0, 10, {64});
    auto eager_step = [&] {
      eager_opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(eager_net->forward(x), y);
      loss.backward();
      eager_opt.step();
    };
    auto step = compiled_sgd_step(compiled_net, compiled_opt);
    until_replaying(step, [&] { step(x, y); });
    const auto t = bench::time_interleaved({eager_step, [&] { step(x, y); }}, reps);
    // Heap allocations of 100 replays, next to 100 eager steps'.
    std::string note = "heap allocations per step: ";
    if (wick_example::malloc_counter_available()) {
      const double replayed = mallocs_per_call([&] { step(x, y); }), eager = mallocs_per_call(eager_step);
      char counts[96];
      std::snprintf(counts, sizeof counts, "%.1f eager, %.1f replayed (target 0)", eager, replayed);
      note += counts;
    } else {
      note += "not counted (needs glibc)";
    }
    rows.push_back({"MLP 784-256-10 SGD step, batch 64", ">= 1.3x", t[0], t[1], note});
  }
  // ---- LeNet-5 step: temporary memory ----
  double eager_mib = 0, arena_mib = 0;
  {
    manual_seed(2);
    LeNet net;
    optim::SGD opt(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
    const Tensor x = randn({64, 1, 28, 28});
    const Tensor y = randint(0, 10, {64});
    auto step = compiled_sgd_step(net, opt);
    until_replaying(step, [&] { step(x, y); });
    eager_mib = double(step.eager_peak_bytes()) / (1 << 20);
    arena_mib = double(step.arena_bytes()) / (1 << 20);
  }

  const char* fmt = markdown ? "| %s | %.0f | %.0f | %.2fx | %s | %s |\n"
                             : "%-40s eager %9.0f us  compiled %9.0f us  %5.2fx (target %s)  %s\n";
  if (markdown) {
    std::printf("| workload (1 thread) | eager us | compiled us | speed-up | target | notes |\n");
    std::printf("|---|---|---|---|---|---|\n");
  }
  for (const Row& r : rows)
    std::printf(fmt, r.name.c_str(), r.eager_us, r.compiled_us, r.eager_us / r.compiled_us, r.target.c_str(),
                r.note.c_str());
  if (markdown) {
    std::printf(
        "| LeNet-5 SGD step, batch 64: temporary memory | %.2f MiB | %.2f MiB | %.0f%% lower | >= 30%% lower | "
        "eager's most held at once against the plan's arena |\n",
        eager_mib, arena_mib, 100 * (1 - arena_mib / eager_mib));
  } else {
    std::printf("%-40s eager %6.2f MiB  compiled arena %6.2f MiB  %.0f%% lower (target >= 30%%)\n",
                "LeNet-5 SGD step, batch 64: temporaries", eager_mib, arena_mib, 100 * (1 - arena_mib / eager_mib));
  }
  return 0;
}
