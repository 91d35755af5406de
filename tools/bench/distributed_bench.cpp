// What data-parallel training costs and gains (issue 18), run under mpirun with 2 processes:
//   1. ProcessGroupMPI's allreduce (queued to the group's thread, polled, waited for) against a raw blocking
//      MPI_Allreduce on a duplicate of the same communicator: microseconds per call, float32, three sizes;
//   2. the MNIST MLP's training step (784-256-10, SGD with momentum): 2 processes with 64 examples each under
//      DistributedDataParallel against 1 process with all 128, one thread per process: milliseconds per step.
// The ratio is wick's time over the baseline's (below 1: wick is faster).
//
//   mpirun --allow-run-as-root --oversubscribe -np 2 build/tools/bench/distributed_bench [--markdown]
#include <mpi.h>
#include <wick/distributed.h>
#include <wick/wick.h>

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
    // The non-blocking call the group's thread posts, waited for at once on the calling thread: what the thread
    // hand-off costs on top of it.
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

  // Training: the global batch is 128 either way.
  manual_seed(0);
  const Tensor x128 = randn({128, 784}), y128 = randint(0, 10, {128});
  nn::Sequential net = mlp();
  dist::DistributedDataParallel<nn::Sequential> ddp(net, world);
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  const Tensor x64 = x128.narrow(0, 64 * rank, 64), y64 = y128.narrow(0, 64 * rank, 64);
  const double ddp_s = median_seconds(*world, 7, 20, [&] {
    opt.zero_grad();
    F::cross_entropy(ddp.forward(x64), y64).backward();
    opt.step();
  });
  nn::Sequential alone = mlp();
  optim::SGD alone_opt(alone->parameters(), optim::SGDOptions(0.01).momentum(0.9));
  const double alone_s = median_seconds(*world, 7, 20, [&] {
    if (rank != 0) return;  // rank 1 waits at the next barrier: one process trains
    alone_opt.zero_grad();
    F::cross_entropy(alone->forward(x128), y128).backward();
    alone_opt.step();
  });
  row("MLP step, 2 ranks x 64 examples", "ms/step", ddp_s * 1e3, "1 process x 128", alone_s * 1e3, ddp_s / alone_s);

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
