// The gradient exchange behind DistributedDataParallel (PyTorch's Reducer). Parameters are grouped into buckets
// of about bucket_cap_mb, last-registered first (backward produces gradients roughly in that order). A
// post-accumulate-grad hook on each parameter copies its finished gradient into its bucket's flat buffer; a bucket
// whose every gradient is in is all-reduced (averaged) at once, in bucket order, while backward computes the rest;
// when the pass ends (autograd::queue_callback) the reducer waits for the exchanges and writes the averages back
// into .grad. Every rank must run the same model: construction broadcasts rank 0's parameters and buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "wick/arg.h"
#include "wick/distributed/process_group.h"
#include "wick/tensor.h"

namespace wick::distributed {

struct DistributedDataParallelOptions {
  // Each bucket holds about this many megabytes of gradients (PyTorch's default, 25).
  WICK_ARG(double, bucket_cap_mb) = 25;
  // Off (PyTorch's default): a parameter that gets no gradient in a backward is an error, naming it. On: it
  // counts as a zero gradient, so models whose forward skips parameters still train (and every rank's .grad of
  // such a parameter is the average, defined on all ranks).
  WICK_ARG(bool, find_unused_parameters) = false;
  // Re-broadcast rank 0's buffers (batch norm's running statistics) before each forward, as PyTorch does.
  WICK_ARG(bool, broadcast_buffers) = true;
};

class Reducer {
 public:
  // What happened during the last backward, in order: for tests and for seeing the overlap.
  struct Event {
    enum Kind { GradReady, BucketLaunched, BackwardEnded } kind;
    int64_t index;  // the parameter (GradReady) or bucket (BucketLaunched); -1 for BackwardEnded
  };

  Reducer(std::vector<Tensor> parameters, std::vector<Tensor> buffers, std::shared_ptr<ProcessGroup> group,
          DistributedDataParallelOptions options = {});
  ~Reducer();
  Reducer(const Reducer&) = delete;
  Reducer& operator=(const Reducer&) = delete;

  // Called before each forward: arms the exchange for the backward that follows (when grad mode is on) and
  // re-broadcasts the buffers.
  void prepare_for_backward();

  // While a guard is alive, backward accumulates gradients locally and exchanges nothing (gradient accumulation);
  // the first backward after it exchanges the accumulated sums.
  class NoSyncGuard {
   public:
    explicit NoSyncGuard(Reducer& reducer);
    ~NoSyncGuard();
    NoSyncGuard(const NoSyncGuard&) = delete;
    NoSyncGuard& operator=(const NoSyncGuard&) = delete;

   private:
    Reducer& reducer_;
    bool previous_;
  };

  // The parameter indices of each bucket, in launch order.
  const std::vector<std::vector<size_t>>& buckets() const { return bucket_parameters_; }
  const std::vector<Event>& last_backward() const { return events_; }
  const std::shared_ptr<ProcessGroup>& process_group() const { return group_; }

 private:
  struct Bucket;
  void on_gradient_ready(size_t parameter);
  void launch_ready_buckets();
  void finish_backward();
  void broadcast_from_rank0(const std::vector<Tensor>& tensors, const char* what);

  std::vector<Tensor> parameters_, buffers_;
  std::shared_ptr<ProcessGroup> group_;
  DistributedDataParallelOptions options_;
  std::vector<std::unique_ptr<Bucket>> buckets_;
  std::vector<std::vector<size_t>> bucket_parameters_;
  std::vector<size_t> bucket_of_, offset_of_;  // per parameter: its bucket and its offset in the flat buffer
  std::vector<unsigned> hook_handles_;
  std::vector<bool> ready_;
  std::vector<Event> events_;
  size_t next_launch_ = 0;
  bool armed_ = false;        // prepare_for_backward ran, and its backward has not finished
  bool in_backward_ = false;  // a hook of this backward has run (the end-of-pass callback is queued)
  bool no_sync_ = false;
};

}  // namespace wick::distributed
