// What data-parallel training costs and gains (issue 18), run under mpirun with 2 processes:
//   1. ProcessGroupMPI's allreduce (posted, then polled by the waiting caller) against a raw blocking
//      MPI_Allreduce on a duplicate of the same communicator: microseconds per call, float32, three sizes;
//   2. the MNIST MLP's training step (784-256-10, SGD with momentum): 2 processes with 64 examples each under
//      DistributedDataParallel against 1 process with all 128, one thread per process: milliseconds per step.
//   3. the same for LeNet-5 (the throughput target: 2 processes >= 1.8x the samples per second of 1).
// The ratio is wick's time over the baseline's (below 1: wick is faster; for the training rows, 1 over it is the
// speed-up in samples per second).
//
//   mpirun --allow-run-as-root --oversubscribe -np 2 build/tools/bench/distributed_bench [--markdown]
#include <mpi.h>
#include <wick/distributed.h>
#include <wick/wick.h>

#include "compile_workloads.h"  // LeNet-5

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

using namespace wick;
namespace dist = wick::distributed;
namespace F = wick::nn::functional;

namespace {

using Clock = std::chrono::steady_clock;

// Median over `reps` repetitions of the seconds per call of fn run `calls` times, the ranks started together and
// each repetition's time the slowest rank's.
double median_seconds(dist::ProcessGroup& group, int reps, int calls, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    group.barrier()->wait();
    const auto t0 = Clock::now();
    for (int i = 0; i < calls; ++i) fn();
    std::vector<Tensor> t{tensor({std::chrono::duration<double>(Clock::now() - t0).count() / calls})};
    group.allreduce(t, {dist::ReduceOp::MAX})->wait();
    times.push_back(t[0].item<double>());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

nn::Sequential mlp() { return nn::Sequential(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10)); }

struct StepTimes {
  double ddp;    // seconds per step, each rank training on its half of the batch under DistributedDataParallel
  double alone;  // seconds per step, one process training on the whole batch
};

// One SGD-with-momentum step on a global batch of x.size(0) examples, timed both ways. `replica` and `alone` are
// two fresh instances of the same model.
template <typename ModuleHolder>
StepTimes step_seconds(const std::shared_ptr<dist::ProcessGroup>& world, ModuleHolder replica, ModuleHolder alone,
                       const Tensor& x, const Tensor& y) {
  const int rank = world->getRank();
  const int64_t half = x.size(0) / 2;
  const Tensor x_half = x.narrow(0, half * rank, half), y_half = y.narrow(0, half * rank, half);
  dist::DistributedDataParallel<ModuleHolder> ddp(replica, world);
  optim::SGD opt(replica->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  StepTimes times{};
  times.ddp = median_seconds(*world, 7, 20, [&] {
    opt.zero_grad();
    F::cross_entropy(ddp.forward(x_half), y_half).backward();
    opt.step();
  });
  optim::SGD alone_opt(alone->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  times.alone = median_seconds(*world, 7, 20, [&] {
    if (rank != 0) return;  // rank 1 waits at the next barrier: one process trains
    alone_opt.zero_grad();
    F::cross_entropy(alone->forward(x), y).backward();
    alone_opt.step();
  });
  return times;
}

}  // namespace

int main(int argc, char** argv) {
  const bool markdown = argc > 1 && std::strcmp(argv[1], "--markdown") == 0;
  set_num_threads(1);
  auto world = dist::ProcessGroupMPI::createProcessGroupMPI();
  const int rank = world->getRank(), size = world->getSize();
  if (size != 2) {
    if (rank == 0) std::fprintf(stderr, "distributed_bench: run with mpirun -np 2 (got %d processes)\n", size);
    return 2;
  }
  MPI_Comm raw;
  MPI_Comm_dup(MPI_COMM_WORLD, &raw);  // world's thread is idle between the calls below, so this does not race

  std::vector<std::string> rows;
  auto row = [&](const std::string& name, const char* unit, double wick_value, const char* baseline, double base,
                 double ratio) {
    char line[256];
    std::snprintf(line, sizeof line,
                  markdown ? "| %s | %s | %.4g | %s | %.4g | %.3f |" : "%-34s %-10s %10.4g  %-22s %10.4g  %6.3f",
                  name.c_str(), unit, wick_value, baseline, base, ratio);
    rows.push_back(line);
  };

  for (int64_t n : {int64_t(1) << 10, int64_t(1) << 18, int64_t(1) << 22}) {
    const Tensor x = ones({n});
    std::vector<Tensor> t{x};
    const int calls = n >= (1 << 22) ? 5 : 50;
    const double wick_s = median_seconds(*world, 7, calls, [&] { world->allreduce(t)->wait(); });
    const double raw_s = median_seconds(
        *world, 7, calls, [&] { MPI_Allreduce(MPI_IN_PLACE, x.data_ptr(), int(n), MPI_FLOAT, MPI_SUM, raw); });
    // The non-blocking call the group posts, waited for at once: what the group's bookkeeping costs on top of it.
    const double nonblocking_s = median_seconds(*world, 7, calls, [&] {
      MPI_Request request;
      MPI_Iallreduce(MPI_IN_PLACE, x.data_ptr(), int(n), MPI_FLOAT, MPI_SUM, raw, &request);
      MPI_Wait(&request, MPI_STATUS_IGNORE);
    });
    row("allreduce float32 x " + std::to_string(n), "us/call", wick_s * 1e6, "MPI_Allreduce", raw_s * 1e6,
        wick_s / raw_s);
    row("allreduce float32 x " + std::to_string(n), "us/call", wick_s * 1e6, "MPI_Iallreduce + MPI_Wait",
        nonblocking_s * 1e6, wick_s / nonblocking_s);
  }
  MPI_Comm_free(&raw);

  // Training: the global batch is 128 either way; the speed-up is samples per second on 2 processes over 1.
  manual_seed(0);
  const Tensor x128 = randn({128, 784}), y128 = randint(0, 10, {128});
  const Tensor images128 = randn({128, 1, 28, 28});
  const StepTimes mlp_times = step_seconds(world, mlp(), mlp(), x128, y128);
  const StepTimes lenet_times = step_seconds(world, wick_bench::LeNet(), wick_bench::LeNet(), images128, y128);
  for (const auto& [name, t] :
       {std::pair{"MLP step, 2 ranks x 64", mlp_times}, {"LeNet-5 step, 2 ranks x 64", lenet_times}}) {
    row(name, "ms/step", t.ddp * 1e3, "1 process x 128", t.alone * 1e3, t.ddp / t.alone);
  }

  if (rank == 0) {
    if (markdown) {
      std::printf("| workload | unit | wick | baseline | baseline's | time ratio |\n|---|---|--:|---|--:|--:|\n");
    } else {
      std::printf("%-34s %-10s %10s  %-22s %10s  %6s\n", "workload", "unit", "wick", "baseline", "value", "time ratio");
    }
    for (const std::string& r : rows) std::printf("%s\n", r.c_str());
  }
  return 0;
}
