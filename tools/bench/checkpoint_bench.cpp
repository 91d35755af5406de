// Gradient checkpointing's trade (issue 20): peak activation memory and time of one forward+backward step, plain
// against checkpointed, for a 24-layer MLP and a 6-layer Transformer encoder. wick against wick: LibTorch's C++
// has no checkpointing to compare with. The activation peak is the allocator's statistics (the most tensor memory
// alive at once during the step, max_memory_allocated, above what was alive before it); beside it, the same
// step's peak resident set (getrusage's ru_maxrss above the resident set before the step), which also counts the
// caching allocator's free blocks. Each configuration runs in a child process of its own, so that the high-water
// marks are that configuration's alone.
//
//   build/tools/bench/checkpoint_bench [--markdown]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <wick/wick.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace wick;

namespace {

struct Result {
  double activation_mib = 0, resident_mib = 0, ms_per_step = 0;
};

constexpr double kMiB = 1024.0 * 1024.0;

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return double(resident) * double(sysconf(_SC_PAGESIZE)) / kMiB;
}

double peak_resident_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
}

// One step's loss: forward (plain or checkpointed) then a scalar.
using Step = std::function<Tensor()>;

Result measure(nn::Module& model, const Step& step) {
  // Gradients exist before the measured step (as in a training loop after its first step), so the peak counts
  // activations, not the first allocation of .grad.
  for (Tensor& p : model.parameters()) p.mutable_grad() = zeros_like(p);
  const double resident_before = resident_mib();
  Result r;
  {
    MemoryStatsGuard counting;
    reset_peak_memory_stats();
    const int64_t before = memory_allocated();
    step().backward();
    r.activation_mib = double(max_memory_allocated() - before) / kMiB;
  }
  r.resident_mib = peak_resident_mib() - resident_before;
  std::vector<double> ms;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    step().backward();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  r.ms_per_step = ms[ms.size() / 2];
  return r;
}

Result mlp(bool checkpointed) {
  manual_seed(1);
  nn::Sequential seq;
  for (int i = 0; i < 24; ++i) {
    seq->push_back(nn::Linear(1024, 1024));
    seq->push_back(nn::ReLU());
  }
  const Tensor x = randn({512, 1024}).requires_grad_();
  // 8 runs of 6 modules: about sqrt(48), the usual advice, and a divisor of 48, so the last (unchecked) run is
  // no longer than the others.
  return measure(
      *seq, [&] { return (checkpointed ? utils::checkpoint_sequential(seq, 8, x) : seq->forward(x)).pow(2).mean(); });
}

Result encoder(bool checkpointed) {
  manual_seed(2);
  nn::ModuleList layers;
  for (int i = 0; i < 6; ++i)
    layers->push_back(
        nn::TransformerEncoderLayer(nn::TransformerEncoderLayerOptions(256, 8).dim_feedforward(1024).dropout(0.1)));
  const Tensor x = randn({128, 32, 256}).requires_grad_();  // [sequence, batch, features]
  return measure(*layers, [&] {
    Tensor h = x;
    for (size_t i = 0; i < layers->size(); ++i) {
      auto layer = layers->ptr<nn::TransformerEncoderLayerImpl>(i);
      // Every layer but the last, as checkpoint_sequential leaves its last segment: backward needs the last
      // layer's activations at once, so recomputing them would cost time and save no memory at the peak.
      const bool recompute = checkpointed && i + 1 < layers->size();
      h = recompute ? utils::checkpoint([layer](const Tensor& in) { return layer->forward(in); }, h)
                    : layer->forward(h);
    }
    return h.pow(2).mean();
  });
}

// Runs fn in a child process and reads its result back through a pipe.
Result in_child(Result (*fn)(bool), bool checkpointed) {
  int fds[2];
  if (pipe(fds) != 0) std::perror("pipe"), std::exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    const Result r = fn(checkpointed);
    if (write(fds[1], &r, sizeof r) != ssize_t(sizeof r)) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  Result r;
  const bool ok = read(fds[0], &r, sizeof r) == ssize_t(sizeof r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    std::fprintf(stderr, "a configuration failed\n"), std::exit(1);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const bool markdown = argc > 1 && std::strcmp(argv[1], "--markdown") == 0;
  struct Row {
    const char* name;
    Result (*fn)(bool);
  };
  const Row rows[] = {{"MLP 24 x Linear(1024, 1024) + ReLU, batch 512, 8 segments", mlp},
                      {"TransformerEncoderLayer(256, 8, ff 1024) x 6, seq 128, batch 32, layers 1-5", encoder}};
  if (markdown)
    std::printf(
        "| workload | activation peak, plain | checkpointed | memory ratio | resident-set ratio | ms/step plain | "
        "checkpointed | time ratio |\n|---|--:|--:|--:|--:|--:|--:|--:|\n");
  for (const Row& row : rows) {
    const Result plain = in_child(row.fn, false), ckpt = in_child(row.fn, true);
    const double memory_ratio = ckpt.activation_mib / plain.activation_mib,
                 resident_ratio = ckpt.resident_mib / plain.resident_mib,
                 time_ratio = ckpt.ms_per_step / plain.ms_per_step;
    if (markdown)
      std::printf("| %s | %.0f MiB | %.0f MiB | %.2f | %.2f | %.1f | %.1f | %.2f |\n", row.name, plain.activation_mib,
                  ckpt.activation_mib, memory_ratio, resident_ratio, plain.ms_per_step, ckpt.ms_per_step, time_ratio);
    else
      std::printf(
          "%s\n  activation peak %.0f MiB -> %.0f MiB (%.2fx; resident set %.0f -> %.0f MiB, %.2fx); step %.1f ms -> "
          "%.1f ms (%.2fx)\n",
          row.name, plain.activation_mib, ckpt.activation_mib, memory_ratio, plain.resident_mib, ckpt.resident_mib,
          resident_ratio, plain.ms_per_step, ckpt.ms_per_step, time_ratio);
  }
  std::printf("targets (issue 20): memory ratio <= 0.50, time ratio <= 1.40\n");
}
