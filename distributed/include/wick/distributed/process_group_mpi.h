// Collectives over Open MPI for CPU tensors, as LibTorch's c10d::ProcessGroupMPI (which LibTorch's Debian build
// does not ship): processes are started by mpirun, and each creates the group with
//
//   auto pg = wick::distributed::ProcessGroupMPI::createProcessGroupMPI();
//   std::vector<wick::Tensor> t{grad};
//   pg->allreduce(t, {wick::distributed::ReduceOp::AVG})->wait();
//
// Each collective is posted to MPI (a non-blocking call) by the thread that issues it, in the order issued, so its
// data starts moving at once; it then advances while a thread polls it: the caller blocked in Work::wait() when
// there is one, else the group's own thread, so a caller's computation overlaps it. A collective that some rank
// never joins fails its Work with a wick::Error at its deadline instead of hanging the process. After such a
// timeout the group is unusable (MPI cannot cancel a collective): its later collectives fail at once; abort() ends
// every process of the job, and destroying the group abandons the timed-out collective, so a program that caught
// the error can still exit.
//
// Tensors: one per call (as c10d's MPI group), on the CPU, contiguous; float32, float64, int32, int64 or uint8
// (MPI has no 16-bit float types). AVG is SUM followed by a division, for floating tensors only.
#pragma once

#include <mpi.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "wick/distributed/process_group.h"

namespace wick::distributed {

class ProcessGroupMPI final : public ProcessGroup,
                              public WorkDriver,
                              public std::enable_shared_from_this<ProcessGroupMPI> {
 public:
  // Initialises MPI on first use (MPI_THREAD_SERIALIZED; finalised at exit) and makes a group of `ranks` of
  // MPI_COMM_WORLD (all when empty). Returns null in a process that is not one of `ranks`, as c10d does.
  static std::shared_ptr<ProcessGroupMPI> createProcessGroupMPI(std::vector<int> ranks = {});

  // A group over `comm` (which it duplicates: the caller keeps its own), with a default time limit per collective.
  explicit ProcessGroupMPI(MPI_Comm comm, std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout);
  // Waits for the posted collectives to finish, then frees the communicator.
  ~ProcessGroupMPI() override;

  const std::string getBackendName() const override { return "mpi"; }

  std::shared_ptr<Work> broadcast(std::vector<Tensor>& tensors,
                                  const BroadcastOptions& opts = BroadcastOptions()) override;
  std::shared_ptr<Work> allreduce(std::vector<Tensor>& tensors,
                                  const AllreduceOptions& opts = AllreduceOptions()) override;
  std::shared_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputs, std::vector<Tensor>& inputs,
                                  const AllgatherOptions& opts = AllgatherOptions()) override;
  std::shared_ptr<Work> reduce_scatter(std::vector<Tensor>& outputs, std::vector<std::vector<Tensor>>& inputs,
                                       const ReduceScatterOptions& opts = ReduceScatterOptions()) override;
  std::shared_ptr<Work> barrier(const BarrierOptions& opts = BarrierOptions()) override;

  // Ends every process of the MPI job (MPI_Abort): the way out of a group a timeout left unusable.
  [[noreturn]] void abort();

  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  using Clock = std::chrono::steady_clock;

  // One collective posted to MPI and not yet seen complete. `post` made the MPI call; it is kept because its
  // captures own the tensors MPI reads and writes until then. done() (optional) runs once it has completed
  // (unpacking an allgather, dividing for AVG).
  struct Posted {
    std::shared_ptr<Work> work;
    std::function<int(MPI_Request*)> post;
    std::function<void()> done;
    MPI_Request request = MPI_REQUEST_NULL;
    Clock::time_point deadline = Clock::time_point::max();
    bool failed = false;  // its Work already failed (a timeout): polled on only until MPI releases its buffers
  };

  std::shared_ptr<Work> enqueue(const char* collective, std::chrono::milliseconds timeout,
                                std::function<int(MPI_Request*)> post, std::function<void()> done = {});
  // Polls every posted collective once and completes those MPI has finished; with check_deadlines, also fails
  // the overdue ones. Any thread.
  void progress(bool check_deadlines);
  // Work::wait()'s driver: polls from the waiting thread while the group's thread stands aside.
  void drive(const Work& work, Clock::time_point until) override;
  void run_loop();
  std::exception_ptr error(const std::string& collective, const std::string& message) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  const std::chrono::milliseconds timeout_;
  std::mutex state_mutex_;  // guards the members below; held while posting, so every rank posts in issue order
  std::condition_variable state_changed_;
  std::deque<Posted> posted_;
  int drivers_ = 0;  // waiting threads polling for the group: its own thread sleeps meanwhile
  bool stopping_ = false;
  std::string broken_by_;  // the collective whose timeout left the group unusable
  std::thread worker_;
};

}  // namespace wick::distributed
