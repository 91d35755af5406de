// Collectives over Open MPI for CPU tensors, as LibTorch's c10d::ProcessGroupMPI (which LibTorch's Debian build
// does not ship): processes are started by mpirun, and each creates the group with
//
//   auto pg = wick::distributed::ProcessGroupMPI::createProcessGroupMPI();
//   std::vector<wick::Tensor> t{grad};
//   pg->allreduce(t, {wick::distributed::ReduceOp::AVG})->wait();
//
// One thread per group runs the collectives in the order they were issued, as MPI's non-blocking calls polled
// against their deadlines, so a caller's computation overlaps them and a collective that some rank never joins
// fails its Work with a wick::Error instead of hanging the process. After such a timeout the group is unusable
// (MPI cannot cancel a collective): its later collectives fail at once; abort() ends every process of the job, and
// destroying the group abandons the timed-out collective, so a program that caught the error can still exit.
//
// Tensors: one per call (as c10d's MPI group), on the CPU, contiguous; float32, float64, int32, int64 or uint8
// (MPI has no 16-bit float types). AVG is SUM followed by a division, for floating tensors only.
#pragma once

#include <mpi.h>

#include <atomic>
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

class ProcessGroupMPI final : public ProcessGroup {
 public:
  // Initialises MPI on first use (MPI_THREAD_SERIALIZED; finalised at exit) and makes a group of `ranks` of
  // MPI_COMM_WORLD (all when empty). Returns null in a process that is not one of `ranks`, as c10d does.
  static std::shared_ptr<ProcessGroupMPI> createProcessGroupMPI(std::vector<int> ranks = {});

  // A group over `comm` (which it duplicates: the caller keeps its own), with a default time limit per collective.
  explicit ProcessGroupMPI(MPI_Comm comm, std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout);
  // Waits for the queued collectives to finish, then frees the communicator.
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
  // One queued collective: start() posts the non-blocking MPI call, done() (optional) runs on the group's thread
  // once it has completed (unpacking an allgather, dividing for AVG).
  struct Entry {
    std::shared_ptr<Work> work;
    std::function<int(MPI_Request*)> start;
    std::function<void()> done;
    std::chrono::steady_clock::time_point deadline;
    bool has_deadline = false;
  };

  std::shared_ptr<Work> enqueue(const char* collective, std::chrono::milliseconds timeout,
                                std::function<int(MPI_Request*)> start, std::function<void()> done = {});
  void run_loop();
  void run(Entry& entry);
  bool stopping();
  std::exception_ptr error(const std::string& collective, const std::string& message) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  const std::chrono::milliseconds timeout_;
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::string broken_by_;  // the collective whose timeout left the group unusable (guarded by queue_mutex_)
  std::thread worker_;
};

}  // namespace wick::distributed
