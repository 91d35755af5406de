// A group of processes that run collectives together, in the shape of LibTorch's c10d::ProcessGroup: each call
// checks its arguments at once (a bad one throws wick::Error naming the collective and the rank), queues the
// collective and returns its Work; the caller computes on while it runs and wait()s for it where it needs the
// result. Every process of the group must issue the same collectives in the same order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "wick/distributed/types.h"
#include "wick/distributed/work.h"
#include "wick/tensor.h"

namespace wick::distributed {

class ProcessGroup {
 public:
  ProcessGroup(int rank, int size) : rank_(rank), size_(size) {}
  virtual ~ProcessGroup() = default;
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int getRank() const { return rank_; }
  int getSize() const { return size_; }
  virtual const std::string getBackendName() const = 0;

  // tensors[0] on every rank becomes rootRank's (in place).
  virtual std::shared_ptr<Work> broadcast(std::vector<Tensor>& tensors,
                                          const BroadcastOptions& opts = BroadcastOptions()) = 0;
  // tensors[0] on every rank becomes the reduction of all ranks' (in place).
  virtual std::shared_ptr<Work> allreduce(std::vector<Tensor>& tensors,
                                          const AllreduceOptions& opts = AllreduceOptions()) = 0;
  // outputs[0][r] on every rank becomes rank r's inputs[0].
  virtual std::shared_ptr<Work> allgather(std::vector<std::vector<Tensor>>& outputs, std::vector<Tensor>& inputs,
                                          const AllgatherOptions& opts = AllgatherOptions()) = 0;
  // outputs[0] on rank r becomes the reduction over all ranks of their inputs[0][r].
  virtual std::shared_ptr<Work> reduce_scatter(std::vector<Tensor>& outputs, std::vector<std::vector<Tensor>>& inputs,
                                               const ReduceScatterOptions& opts = ReduceScatterOptions()) = 0;
  // Finishes when every rank has reached it.
  virtual std::shared_ptr<Work> barrier(const BarrierOptions& opts = BarrierOptions()) = 0;

 protected:
  const int rank_;
  const int size_;
};

}  // namespace wick::distributed
