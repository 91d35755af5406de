#include "wick/distributed/process_group_nccl.h"

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "argument_checks.h"
#include "wick/cuda.h"
#include "wick/cuda_stream.h"
#include "wick/error.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::distributed {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kGroup = "distributed::ProcessGroupNCCL";
constexpr const char* kUniqueIdKey = "wick_nccl_unique_id";

// Makes `device` the CUDA runtime's current device on this thread for its scope (NCCL's and the stream calls use
// it), then puts back the caller's.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    cudaGetDevice(&previous_);
    if (previous_ != device) cudaSetDevice(device);
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

ncclDataType_t nccl_type(const std::string& op, ScalarType t, int rank) {
  switch (t) {
    case kFloat: return ncclFloat32;
    case kDouble: return ncclFloat64;
    case kHalf: return ncclFloat16;
    case kBFloat16: return ncclBfloat16;
    case kInt8: return ncclInt8;
    case kUInt8: return ncclUint8;
    case kInt32: return ncclInt32;
    case kInt64: return ncclInt64;
    default:
      fail(op.c_str(), "rank ", rank, ": NCCL has no type for ", dtype_name(t),
           " tensors (float32, float64, float16, bfloat16, int8, uint8, int32 or int64)");
  }
}

ncclRedOp_t nccl_op(const std::string& op, ReduceOp r, ScalarType t, int rank) {
  switch (r) {
    case ReduceOp::SUM: return ncclSum;
    case ReduceOp::AVG:
      WICK_CHECK(is_floating_point(t), op.c_str(), "rank ", rank, ": ReduceOp::AVG needs a floating point tensor, got ",
                 dtype_name(t));
      return ncclAvg;
    case ReduceOp::PRODUCT: return ncclProd;
    case ReduceOp::MIN: return ncclMin;
    case ReduceOp::MAX: return ncclMax;
    default:
      fail(op.c_str(), "rank ", rank, ": NCCL has no ReduceOp::", reduce_op_name(r),
           " (SUM, AVG, PRODUCT, MIN or MAX)");
  }
}

void check_nccl(ncclResult_t result, const char* what, int rank) {
  if (result != ncclSuccess) fail(kGroup, "rank ", rank, ": ", what, " failed: ", ncclGetErrorString(result));
}

void check_cuda(cudaError_t result, const char* what, int rank) {
  if (result != cudaSuccess) fail(kGroup, "rank ", rank, ": ", what, " failed: ", cudaGetErrorString(result));
}

int choose_device(int device, int rank) {
  WICK_CHECK(cuda::is_available(), kGroup, "rank ", rank, ": no CUDA device is present (NCCL runs on GPUs)");
  const int count = cuda::device_count();
  if (device < 0) device = rank % count;
  WICK_CHECK(device < count, kGroup, "rank ", rank, ": CUDA device ", device, " does not exist (", count, " present)");
  return device;
}

}  // namespace

struct ProcessGroupNCCL::Impl {
  // A collective queued on the GPU: `done` is recorded after it (and after whatever the caller queued to finish
  // it); `keep` holds its tensors until then, so their memory is not reused while NCCL still reads or writes it.
  struct Pending {
    std::shared_ptr<Work> work;
    cudaEvent_t done = nullptr;
    std::vector<Tensor> keep;
    Clock::time_point deadline;
    bool has_deadline = false;
  };

  int rank = 0, size = 0, device = 0;
  ncclComm_t comm = nullptr;
  cudaStream_t stream = nullptr;
  std::mutex launch_mutex;  // NCCL sees the collectives one at a time, in issue order; guards comm
  std::mutex queue_mutex;
  std::condition_variable queue_changed;
  std::deque<Pending> queue;
  bool stopping = false;
  std::string broken_by;  // what left the group unusable (guarded by queue_mutex)
  std::thread poller;

  std::exception_ptr error(const std::string& collective, const std::string& message) const {
    return detail::collective_error(collective, rank, size, message);
  }

  // Aborts the communicator once: NCCL's kernels in flight end, and later collectives fail without running.
  void abort_comm(const std::string& reason) {
    std::lock_guard<std::mutex> launch(launch_mutex);
    if (comm) {
      DeviceGuard guard(device);
      ncclCommAbort(comm);
      comm = nullptr;
    }
    std::lock_guard<std::mutex> lock(queue_mutex);
    if (broken_by.empty()) broken_by = reason;
  }

  // Queues one collective (its inputs already packed on the caller's stream, `keep` holding them). `call`
  // enqueues the NCCL operation on the group's stream once the caller's stream has reached this point; `finish`
  // (optional) queues, on the caller's stream after the collective, what completes it (unpacking outputs).
  std::shared_ptr<Work> launch(const char* collective, std::chrono::milliseconds timeout, std::vector<Tensor> keep,
                               const std::function<ncclResult_t(ncclComm_t, cudaStream_t)>& call,
                               const std::function<void()>& finish = {}) {
    auto work = std::make_shared<Work>(collective, rank);
    std::lock_guard<std::mutex> launch(launch_mutex);
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      WICK_CHECK(!stopping, ("distributed::" + std::string(collective)).c_str(), "rank ", rank,
                 ": the process group is shutting down");
      if (!broken_by.empty()) {
        work->finish(error(collective, "not run: the group is unusable since " + broken_by));
        return work;
      }
    }
    DeviceGuard guard(device);
    NoGradGuard no_grad;
    const auto caller = static_cast<cudaStream_t>(cuda::current_stream(device));
    cudaEvent_t ready = nullptr, done = nullptr;
    check_cuda(cudaEventCreateWithFlags(&ready, cudaEventDisableTiming), "cudaEventCreate", rank);
    check_cuda(cudaEventCreateWithFlags(&done, cudaEventDisableTiming), "cudaEventCreate", rank);
    cudaError_t queued = cudaEventRecord(ready, caller);
    if (queued == cudaSuccess) queued = cudaStreamWaitEvent(stream, ready, 0);
    cudaEventDestroy(ready);
    if (queued != cudaSuccess) {
      cudaEventDestroy(done);
      work->finish(error(collective, std::string("queueing after the caller's stream: ") + cudaGetErrorString(queued)));
      return work;
    }
    const ncclResult_t result = call(comm, stream);
    if (result != ncclSuccess) {
      cudaEventDestroy(done);
      work->finish(error(collective, ncclGetErrorString(result)));
      return work;
    }
    // The caller's later work runs after the collective, as c10d's NCCL work orders the current stream.
    check_cuda(cudaEventRecord(done, stream), "cudaEventRecord", rank);
    check_cuda(cudaStreamWaitEvent(caller, done, 0), "cudaStreamWaitEvent", rank);
    if (finish) {
      finish();
      check_cuda(cudaEventRecord(done, caller), "cudaEventRecord", rank);
    }
    if (timeout == kUnsetTimeout) timeout = owner_timeout;
    Pending pending{work, done, std::move(keep), {}, false};
    if (timeout > kNoTimeout) {
      pending.deadline = Clock::now() + timeout;
      pending.has_deadline = true;
    }
    {
      std::lock_guard<std::mutex> lock(queue_mutex);
      queue.push_back(std::move(pending));
    }
    queue_changed.notify_one();
    return work;
  }

  // The poller thread: finishes each collective's Work when its event has been reached, in issue order, and fails
  // it when NCCL reports an error or the deadline passes first (aborting the communicator).
  void run_poller() {
    for (;;) {
      Pending p;
      {
        std::unique_lock<std::mutex> lock(queue_mutex);
        queue_changed.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;
        p = std::move(queue.front());
        queue.pop_front();
      }
      wait_for(p);
      cudaEventDestroy(p.done);
    }
  }

  void wait_for(Pending& p) {
    const std::string& name = p.work->collective();
    for (int spins = 0;; ++spins) {
      const cudaError_t state = cudaEventQuery(p.done);
      if (state == cudaSuccess) {
        p.keep.clear();
        p.work->finish();
        return;
      }
      if (state != cudaErrorNotReady) {
        abort_comm(name + " failed");
        p.work->finish(error(name, std::string("CUDA reports ") + cudaGetErrorString(state)));
        return;
      }
      {
        std::unique_lock<std::mutex> launch(launch_mutex, std::try_to_lock);
        ncclResult_t async = ncclSuccess;
        if (launch.owns_lock() && comm) ncclCommGetAsyncError(comm, &async);
        if (launch.owns_lock() && !comm) async = ncclInvalidUsage;  // aborted: its kernels end without finishing
        if (async != ncclSuccess) {
          launch.unlock();
          abort_comm(name + " failed");
          p.work->finish(error(name, std::string("NCCL reports ") + ncclGetErrorString(async)));
          return;
        }
      }
      if (p.has_deadline && Clock::now() >= p.deadline) {
        abort_comm(name + " timed out");
        p.work->finish(error(name, "timed out: not every rank of the group joined it in time"));
        return;
      }
      // A collective of a few kilobytes takes microseconds: spin briefly before napping.
      if (spins < 1000)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }

  std::chrono::milliseconds owner_timeout{};
};

ProcessGroupNCCL::ProcessGroupNCCL(std::shared_ptr<Store> store, int rank, int size, std::chrono::milliseconds timeout,
                                   int device)
    : ProcessGroup(rank, size), timeout_(timeout) {
  WICK_CHECK(store != nullptr, kGroup, "the store is null");
  WICK_CHECK(size >= 1 && rank >= 0 && rank < size, kGroup, "rank ", rank, " is not in a group of size ", size);
  device = choose_device(device, rank);
  ncclUniqueId id;
  if (rank == 0) {
    check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId", rank);
    store->set(kUniqueIdKey, std::vector<uint8_t>(reinterpret_cast<const uint8_t*>(&id),
                                                  reinterpret_cast<const uint8_t*>(&id) + sizeof id));
  } else {
    const std::vector<uint8_t> bytes = store->get(kUniqueIdKey);
    WICK_CHECK(bytes.size() == sizeof id, kGroup, "rank ", rank, ": the store's NCCL id has ", bytes.size(),
               " bytes, expected ", sizeof id, " (a store left from another run?)");
    std::memcpy(&id, bytes.data(), sizeof id);
  }
  start(device, &id);
}

std::shared_ptr<ProcessGroupNCCL> ProcessGroupNCCL::createProcessGroupNCCL(ProcessGroup& bootstrap,
                                                                           std::chrono::milliseconds timeout,
                                                                           int device) {
  const int rank = bootstrap.getRank(), size = bootstrap.getSize();
  device = choose_device(device, rank);
  ncclUniqueId id;
  std::memset(&id, 0, sizeof id);
  if (rank == 0) check_nccl(ncclGetUniqueId(&id), "ncclGetUniqueId", rank);
  std::vector<Tensor> bytes{empty({int64_t(sizeof id)}, TensorOptions().dtype(kUInt8))};
  std::memcpy(bytes[0].data_ptr(), &id, sizeof id);
  bootstrap.broadcast(bytes, {0})->wait();
  std::memcpy(&id, bytes[0].data_ptr(), sizeof id);
  std::shared_ptr<ProcessGroupNCCL> group(new ProcessGroupNCCL(rank, size, timeout));
  group->start(device, &id);
  return group;
}

ProcessGroupNCCL::ProcessGroupNCCL(int rank, int size, std::chrono::milliseconds timeout)
    : ProcessGroup(rank, size), timeout_(timeout) {}

void ProcessGroupNCCL::start(int device, const void* unique_id) {
  impl_ = std::make_unique<Impl>();
  impl_->rank = rank_;
  impl_->size = size_;
  impl_->device = device;
  impl_->owner_timeout = timeout_;
  DeviceGuard guard(device);
  check_cuda(cudaStreamCreateWithFlags(&impl_->stream, cudaStreamNonBlocking), "cudaStreamCreate", rank_);
  ncclUniqueId id;
  std::memcpy(&id, unique_id, sizeof id);
  // Every rank of the group must get here: NCCL connects them all.
  const ncclResult_t result = ncclCommInitRank(&impl_->comm, size_, id, rank_);
  if (result != ncclSuccess) {
    cudaStreamDestroy(impl_->stream);
    impl_->stream = nullptr;
    check_nccl(result, "ncclCommInitRank", rank_);
  }
  impl_->poller = std::thread([impl = impl_.get()] { impl->run_poller(); });
}

ProcessGroupNCCL::~ProcessGroupNCCL() {
  if (!impl_ || !impl_->poller.joinable()) return;  // start() failed: nothing runs, nothing to release
  {
    std::lock_guard<std::mutex> lock(impl_->queue_mutex);
    impl_->stopping = true;
  }
  impl_->queue_changed.notify_all();
  impl_->poller.join();  // every queued collective finishes, fails or times out first
  DeviceGuard guard(impl_->device);
  if (impl_->comm) ncclCommDestroy(impl_->comm);
  cudaStreamDestroy(impl_->stream);
}

int ProcessGroupNCCL::device() const { return impl_->device; }

void ProcessGroupNCCL::abort() { impl_->abort_comm("abort() was called"); }

std::shared_ptr<Work> ProcessGroupNCCL::broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts) {
  const std::string op = "distributed::broadcast";
  const Tensor t = detail::single_tensor(op, tensors, rank_, Device(kCUDA, impl_->device), "this NCCL group");
  WICK_CHECK(opts.rootRank >= 0 && opts.rootRank < size_, op.c_str(), "rank ", rank_, ": root rank ", opts.rootRank,
             " is not in a group of size ", size_);
  WICK_CHECK(opts.rootTensor == 0, op.c_str(), "rank ", rank_, ": root tensor ", opts.rootTensor,
             " (the NCCL group takes one tensor)");
  const ncclDataType_t type = nccl_type(op, t.dtype(), rank_);
  const int root = int(opts.rootRank);
  return impl_->launch("broadcast", opts.timeout, {t}, [t, type, root](ncclComm_t comm, cudaStream_t stream) {
    return ncclBroadcast(t.data_ptr(), t.data_ptr(), size_t(t.numel()), type, root, comm, stream);
  });
}

std::shared_ptr<Work> ProcessGroupNCCL::allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts) {
  const std::string op = "distributed::allreduce";
  const Tensor t = detail::single_tensor(op, tensors, rank_, Device(kCUDA, impl_->device), "this NCCL group");
  const ncclDataType_t type = nccl_type(op, t.dtype(), rank_);
  const ncclRedOp_t reduce = nccl_op(op, opts.reduceOp, t.dtype(), rank_);
  return impl_->launch("allreduce", opts.timeout, {t}, [t, type, reduce](ncclComm_t comm, cudaStream_t stream) {
    return ncclAllReduce(t.data_ptr(), t.data_ptr(), size_t(t.numel()), type, reduce, comm, stream);
  });
}

std::shared_ptr<Work> ProcessGroupNCCL::allgather(std::vector<std::vector<Tensor>>& outputs,
                                                  std::vector<Tensor>& inputs, const AllgatherOptions& opts) {
  const std::string op = "distributed::allgather";
  const Tensor in = detail::single_tensor(op, inputs, rank_, Device(kCUDA, impl_->device), "this NCCL group");
  WICK_CHECK(outputs.size() == 1, op.c_str(), "rank ", rank_, ": expected one list of outputs, got ", outputs.size());
  detail::check_rank_list(op, outputs[0], in, size_, rank_, "outputs");
  const ncclDataType_t type = nccl_type(op, in.dtype(), rank_);
  // NCCL gathers into one buffer; each rank's part is then copied into its output on the caller's stream.
  const Tensor gathered = empty({int64_t(size_) * in.numel()}, in.options());
  std::vector<Tensor> outs = outputs[0];
  const int64_t n = in.numel();
  return impl_->launch(
      "allgather", opts.timeout, {in, gathered},
      [in, gathered, type](ncclComm_t comm, cudaStream_t stream) {
        return ncclAllGather(in.data_ptr(), gathered.data_ptr(), size_t(in.numel()), type, comm, stream);
      },
      [outs, gathered, n] {
        for (size_t r = 0; r < outs.size(); ++r)
          Tensor(outs[r]).copy_(gathered.narrow(0, int64_t(r) * n, n).view(outs[r].sizes()));
      });
}

std::shared_ptr<Work> ProcessGroupNCCL::reduce_scatter(std::vector<Tensor>& outputs,
                                                       std::vector<std::vector<Tensor>>& inputs,
                                                       const ReduceScatterOptions& opts) {
  const std::string op = "distributed::reduce_scatter";
  const Tensor out = detail::single_tensor(op, outputs, rank_, Device(kCUDA, impl_->device), "this NCCL group");
  WICK_CHECK(inputs.size() == 1, op.c_str(), "rank ", rank_, ": expected one list of inputs, got ", inputs.size());
  detail::check_rank_list(op, inputs[0], out, size_, rank_, "inputs");
  const ncclDataType_t type = nccl_type(op, out.dtype(), rank_);
  const ncclRedOp_t reduce = nccl_op(op, opts.reduceOp, out.dtype(), rank_);
  // NCCL reduces from one buffer holding every rank's slot in order: packed here, on the caller's stream.
  Tensor packed;
  {
    NoGradGuard no_grad;
    std::vector<Tensor> slots;
    for (const Tensor& t : inputs[0]) slots.push_back(t.reshape({-1}));
    packed = cat(slots);
  }
  return impl_->launch(
      "reduce_scatter", opts.timeout, {out, packed}, [out, packed, type, reduce](ncclComm_t comm, cudaStream_t stream) {
        return ncclReduceScatter(packed.data_ptr(), out.data_ptr(), size_t(out.numel()), type, reduce, comm, stream);
      });
}

std::shared_ptr<Work> ProcessGroupNCCL::barrier(const BarrierOptions& opts) {
  // A one-element all-reduce: every rank's stream reaches it, and wait() blocks until all have.
  const Tensor token = zeros({1}, TensorOptions().dtype(kInt32).device(Device(kCUDA, impl_->device)));
  return impl_->launch("barrier", opts.timeout, {token}, [token](ncclComm_t comm, cudaStream_t stream) {
    return ncclAllReduce(token.data_ptr(), token.data_ptr(), 1, ncclInt32, ncclSum, comm, stream);
  });
}

}  // namespace wick::distributed
