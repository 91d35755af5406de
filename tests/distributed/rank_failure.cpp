// A rank that fails mid-training, as a whole job: what a Catch2 case cannot show, since every rank of the test
// program must run every case. `mpirun -np N rank_failure leave|kill`: all ranks train a small model under
// DistributedDataParallel on a group with a 2 s timeout; at step 3 the last rank leaves, either returning from
// main (a loop that ended early: its process finalises MPI and exits 0) or killed by SIGKILL. The others must not
// hang: after `leave` their backward throws the group's wick::Error, which they print before exiting with status
// 3; after `kill` mpirun ends the job. tools/check runs both under a time limit and checks the outcome.
#include <wick/distributed.h>
#include <wick/wick.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>

using namespace wick;
namespace dist = wick::distributed;

int main(int argc, char** argv) {
  const bool kill = argc > 1 && std::strcmp(argv[1], "kill") == 0;
  if (argc < 2 || (!kill && std::strcmp(argv[1], "leave") != 0)) {
    std::cerr << "usage: mpirun -np N rank_failure leave|kill\n";
    return 2;
  }
  auto world = dist::ProcessGroupMPI::createProcessGroupMPI();  // initialises MPI
  auto group = std::make_shared<dist::ProcessGroupMPI>(MPI_COMM_WORLD, std::chrono::milliseconds(2000));
  const int rank = group->getRank();
  const bool fails = rank == group->getSize() - 1;
  manual_seed(1);
  nn::Sequential net(nn::Linear(8, 16), nn::ReLU(), nn::Linear(16, 2));
  dist::DistributedDataParallel<nn::Sequential> ddp(net, group);
  optim::SGD opt(net->parameters(), optim::SGDOptions(0.1));
  const auto started = std::chrono::steady_clock::now();
  try {
    for (int step = 0; step < 100; ++step) {
      if (fails && step == 3) {
        if (kill) std::raise(SIGKILL);
        std::cout << "rank " << rank << ": leaving at step 3" << std::endl;
        return 0;
      }
      opt.zero_grad();
      nn::functional::cross_entropy(ddp.forward(randn({4, 8})), randint(0, 2, {4})).backward();
      opt.step();
    }
  } catch (const Error& e) {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "rank " << rank << ": training failed after " << seconds << " s: " << e.what() << std::endl;
    return 3;
  }
  std::cout << "rank " << rank << ": trained 100 steps although a rank left" << std::endl;
  return 1;
}
