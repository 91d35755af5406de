// Collectives over NCCL for CUDA tensors, as LibTorch's c10d::ProcessGroupNCCL: one process per GPU, the
// processes meeting through a store (or an existing group, e.g. the MPI one) to share NCCL's unique id.
//
//   auto store = std::make_shared<wick::distributed::FileStore>(path, world_size);
//   auto pg = std::make_shared<wick::distributed::ProcessGroupNCCL>(store, rank, world_size);
//   std::vector<wick::Tensor> t{grad};  // on the group's device
//   pg->allreduce(t, {wick::distributed::ReduceOp::AVG})->wait();
//
// A collective is queued on the group's own CUDA stream after the work the calling thread has queued (it waits for
// the caller's stream), so it overlaps whatever the caller queues next; wait() blocks until it has finished on the
// GPU. A collective that does not finish within the timeout, or that NCCL reports failed, fails its Work with a
// wick::Error naming it and the rank, and aborts the communicator: the group is unusable from then on.
//
// Tensors: one per call, on the group's device, contiguous; float32, float64, float16, bfloat16, int8, uint8,
// int32 or int64. ReduceOp SUM, AVG (floating types), PRODUCT, MIN, MAX; NCCL has no bitwise reductions.
// Built where the build has CUDA and NCCL beside the CUDA toolkit; in other builds, and without a GPU, constructing
// one throws wick::Error saying which.
#pragma once

#include <chrono>
#include <memory>

#include "wick/distributed/process_group.h"
#include "wick/distributed/store.h"

namespace wick::distributed {

class ProcessGroupNCCL : public ProcessGroup {
 public:
  // Rank 0 makes NCCL's id and sets it in `store`; the others read it. device -1: the GPU numbered
  // (rank % the number of GPUs), one process per GPU as launchers start them.
  ProcessGroupNCCL(std::shared_ptr<Store> store, int rank, int size,
                   std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout, int device = -1);
  // The same, the id broadcast from rank 0 of `bootstrap` (a ProcessGroupMPI over the same processes).
  static std::shared_ptr<ProcessGroupNCCL> createProcessGroupNCCL(
      ProcessGroup& bootstrap, std::chrono::milliseconds timeout = kProcessGroupDefaultTimeout, int device = -1);
  ~ProcessGroupNCCL() override;

  const std::string getBackendName() const override { return "nccl"; }
  std::shared_ptr<Work> broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts = {}) override;
  std::shared_ptr<Work> allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts = {}) override;
  std::shared_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputs, std::vector<Tensor>& inputs,
                                  const AllgatherOptions& opts = {}) override;
  std::shared_ptr<Work> reduce_scatter(std::vector<Tensor>& outputs, std::vector<std::vector<Tensor>>& inputs,
                                       const ReduceScatterOptions& opts = {}) override;
  std::shared_ptr<Work> barrier(const BarrierOptions& opts = {}) override;
  // Aborts the communicator: collectives in flight fail, and so does everything issued afterwards.
  void abort();

  int device() const;
  std::chrono::milliseconds timeout() const { return timeout_; }

 private:
  struct Impl;
  ProcessGroupNCCL(int rank, int size, std::chrono::milliseconds timeout);  // start() follows
  // Connects this rank to the others (every rank of the group must call it) on `device`; unique_id: NCCL's id.
  void start(int device, const void* unique_id);

  const std::chrono::milliseconds timeout_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wick::distributed
