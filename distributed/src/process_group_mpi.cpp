#include "wick/distributed/process_group_mpi.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "wick/error.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

#include "argument_checks.h"

namespace wick::distributed {
namespace {

// Polling reads the clock (for deadlines) once in this many MPI_Test rounds: a round is well under a microsecond,
// and at 1 MiB the clock reads and the locks around MPI_Test were about 8% of the samples under perf.
constexpr unsigned kPollsPerClockRead = 64;

// MPI_THREAD_SERIALIZED allows MPI calls from any thread but never two at once: every call in this file holds
// this lock (the groups' threads and the callers creating groups all call MPI).
std::mutex& mpi_mutex() {
  static std::mutex m;
  return m;
}

void ensure_mpi_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return;  // the program's own MPI_Init: it finalises too
#ifdef OPEN_MPI
    // Every all-reduce is non-blocking here (libnbc), and libnbc's default choice of algorithm ran about 1.8x slower
    // than the blocking MPI_Allreduce at 16 MiB on 2 ranks; its ring, the bandwidth-optimal all-reduce NCCL uses
    // for gradient buckets too, matched it at 4 KB to 16 MiB on 2 and 3 ranks. A user's own setting wins.
    setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", /*overwrite=*/0);
#endif
    int provided = 0;
    if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided) != MPI_SUCCESS)
      fail("distributed::ProcessGroupMPI", "MPI_Init_thread failed (is this process started by mpirun?)");
    WICK_CHECK(provided >= MPI_THREAD_SERIALIZED, "distributed::ProcessGroupMPI",
               "this MPI library provides thread level ", provided,
               ", and the group's thread needs MPI_THREAD_SERIALIZED");
    std::atexit([] {
      std::lock_guard<std::mutex> lock(mpi_mutex());
      int finalized = 0;
      MPI_Finalized(&finalized);
      if (!finalized) MPI_Finalize();
    });
  });
}

std::string mpi_error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, size_t(length));
}

int comm_rank(MPI_Comm comm) {
  ensure_mpi_initialized();
  std::lock_guard<std::mutex> lock(mpi_mutex());
  int rank = -1;
  WICK_CHECK(comm != MPI_COMM_NULL && MPI_Comm_rank(comm, &rank) == MPI_SUCCESS, "distributed::ProcessGroupMPI",
             "not a valid communicator");
  return rank;
}

int comm_size(MPI_Comm comm) {
  std::lock_guard<std::mutex> lock(mpi_mutex());
  int size = 0;
  MPI_Comm_size(comm, &size);
  return size;
}

// The MPI type of a dtype, as c10d's MPI group maps them; the others have no MPI equivalent.
MPI_Datatype mpi_type(const std::string& op, ScalarType t, int rank) {
  switch (t) {
    case kFloat: return MPI_FLOAT;
    case kDouble: return MPI_DOUBLE;
    case kInt32: return MPI_INT;
    case kInt64: return MPI_INT64_T;
    case kUInt8: return MPI_UNSIGNED_CHAR;
    case kInt8: return MPI_SIGNED_CHAR;
    default:
      fail(op.c_str(), "rank ", rank, ": ", dtype_name(t),
           " tensors cannot be sent through MPI (float32, float64, int32, int64, uint8 or int8)");
  }
}

MPI_Op mpi_op(const std::string& op, ReduceOp r, ScalarType t, int rank) {
  switch (r) {
    case ReduceOp::SUM: return MPI_SUM;
    case ReduceOp::AVG:
      WICK_CHECK(is_floating_point(t), op.c_str(), "rank ", rank, ": ReduceOp::AVG needs a floating point tensor, got ",
                 dtype_name(t));
      return MPI_SUM;  // divided by the group's size once done
    case ReduceOp::PRODUCT: return MPI_PROD;
    case ReduceOp::MIN: return MPI_MIN;
    case ReduceOp::MAX: return MPI_MAX;
    case ReduceOp::BAND:
    case ReduceOp::BOR:
    case ReduceOp::BXOR:
      WICK_CHECK(!is_floating_point(t), op.c_str(), "rank ", rank, ": ReduceOp::", reduce_op_name(r),
                 " needs an integer tensor, got ", dtype_name(t));
      return r == ReduceOp::BAND ? MPI_BAND : r == ReduceOp::BOR ? MPI_BOR : MPI_BXOR;
  }
  fail(op.c_str(), "rank ", rank, ": unknown reduce op ", int(r));
}

const Tensor& single_tensor(const std::string& op, const std::vector<Tensor>& tensors, int rank) {
  return detail::single_tensor(op, tensors, rank, Device(kCPU), "the MPI group");
}

int count_of(const std::string& op, const Tensor& t, int rank) {
  WICK_CHECK(t.numel() <= INT32_MAX, op.c_str(), "rank ", rank, ": ", t.numel(),
             " elements exceed MPI's count limit of 2^31 - 1");
  return int(t.numel());
}

}  // namespace

std::shared_ptr<ProcessGroupMPI> ProcessGroupMPI::createProcessGroupMPI(std::vector<int> ranks) {
  ensure_mpi_initialized();
  if (ranks.empty()) return std::make_shared<ProcessGroupMPI>(MPI_COMM_WORLD);
  MPI_Comm comm = MPI_COMM_NULL;
  {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    int world = 0;
    MPI_Comm_size(MPI_COMM_WORLD, &world);
    for (int r : ranks)
      WICK_CHECK(r >= 0 && r < world, "distributed::createProcessGroupMPI", "rank ", r,
                 " is not in MPI_COMM_WORLD of size ", world);
    MPI_Group world_group, group;
    MPI_Comm_group(MPI_COMM_WORLD, &world_group);
    const int rc = MPI_Group_incl(world_group, int(ranks.size()), ranks.data(), &group);
    MPI_Group_free(&world_group);
    WICK_CHECK(rc == MPI_SUCCESS, "distributed::createProcessGroupMPI", mpi_error_string(rc));
    // Collective over MPI_COMM_WORLD: every process calls it, and those outside the group get MPI_COMM_NULL.
    MPI_Comm_create(MPI_COMM_WORLD, group, &comm);
    MPI_Group_free(&group);
  }
  if (comm == MPI_COMM_NULL) return nullptr;
  auto pg = std::make_shared<ProcessGroupMPI>(comm);
  std::lock_guard<std::mutex> lock(mpi_mutex());
  MPI_Comm_free(&comm);  // the group holds its own duplicate
  return pg;
}

ProcessGroupMPI::ProcessGroupMPI(MPI_Comm comm, std::chrono::milliseconds timeout)
    : ProcessGroup(comm_rank(comm), comm_size(comm)), timeout_(timeout) {
  {
    std::lock_guard<std::mutex> lock(mpi_mutex());
    MPI_Comm_dup(comm, &comm_);
    // Errors come back as return codes, to become the Work's wick::Error, instead of aborting the job.
    MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  }
  worker_ = std::thread([this] { run_loop(); });
}

ProcessGroupMPI::~ProcessGroupMPI() {
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    stopping_ = true;
  }
  state_changed_.notify_all();
  worker_.join();
  std::lock_guard<std::mutex> lock(mpi_mutex());
  int finalized = 0;
  MPI_Finalized(&finalized);
  // A timed-out collective may still be posted on the communicator (the thread abandoned it): freeing it then is
  // erroneous in MPI, so a broken group leaves it to MPI_Finalize.
  if (!finalized && broken_by_.empty()) MPI_Comm_free(&comm_);
}

void ProcessGroupMPI::abort() {
  std::lock_guard<std::mutex> lock(mpi_mutex());
  MPI_Abort(comm_, 1);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest if it does
}

std::exception_ptr ProcessGroupMPI::error(const std::string& collective, const std::string& message) const {
  return detail::collective_error(collective, rank_, size_, message);
}

std::shared_ptr<Work> ProcessGroupMPI::enqueue(const char* collective, std::chrono::milliseconds timeout,
                                               std::function<int(MPI_Request*)> post, std::function<void()> done) {
  auto work = std::make_shared<Work>(collective, rank_);
  if (timeout == kUnsetTimeout) timeout = timeout_;
  Posted entry{work, std::move(post), std::move(done)};
  if (timeout > kNoTimeout) entry.deadline = Clock::now() + timeout;
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    WICK_CHECK(!stopping_, ("distributed::" + std::string(collective)).c_str(), "rank ", rank_,
               ": the process group is shutting down");
    if (!broken_by_.empty()) {
      work->finish(error(collective, "not run: the group is unusable since " + broken_by_ +
                                         " timed out (MPI cannot cancel a collective)"));
      return work;
    }
    int rc;
    {
      std::lock_guard<std::mutex> mpi_lock(mpi_mutex());
      rc = entry.post(&entry.request);
    }
    if (rc != MPI_SUCCESS) {
      work->finish(error(collective, mpi_error_string(rc)));
      return work;
    }
    // A group not owned by a shared_ptr has no weak_from_this: its own thread polls, and wait() sleeps until done.
    work->set_driver(weak_from_this());
    posted_.push_back(std::move(entry));
  }
  state_changed_.notify_all();
  return work;
}

void ProcessGroupMPI::progress(bool check_deadlines) {
  std::vector<Posted> completed;  // done() and finish() run outside the lock
  std::vector<std::pair<std::shared_ptr<Work>, std::exception_ptr>> failed;
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    const auto now = check_deadlines ? Clock::now() : Clock::time_point::min();
    for (auto it = posted_.begin(); it != posted_.end();) {
      int done = 0;
      int rc;
      {
        std::lock_guard<std::mutex> mpi_lock(mpi_mutex());
        rc = MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
      }
      if (rc != MPI_SUCCESS) {
        if (!it->failed) failed.emplace_back(it->work, error(it->work->collective(), mpi_error_string(rc)));
        it = posted_.erase(it);
      } else if (done) {
        if (!it->failed) completed.push_back(std::move(*it));
        it = posted_.erase(it);
      } else {
        if (!it->failed && now >= it->deadline) {
          // MPI must still be polled until the request completes (a late rank may yet join), but the caller is
          // told now, and every collective posted after it fails too: the ranks no longer agree on what runs.
          if (broken_by_.empty()) broken_by_ = it->work->collective();
          it->failed = true;
          failed.emplace_back(
              it->work, error(it->work->collective(), "timed out: not every rank of the group joined it in time"));
        }
        ++it;
      }
    }
    if (!broken_by_.empty()) {
      for (Posted& p : posted_) {
        if (p.failed) continue;
        p.failed = true;
        failed.emplace_back(p.work, error(p.work->collective(), "not run: the group is unusable since " + broken_by_ +
                                                                    " timed out (MPI cannot cancel a collective)"));
      }
    }
  }
  if (completed.empty() && failed.empty()) return;  // most polls: nothing more to do
  NoGradGuard no_grad;  // done() hooks compute on tensors the caller owns; nothing here is differentiated
  for (Posted& p : completed) {
    try {
      if (p.done) p.done();
      p.work->finish();
    } catch (const std::exception& e) {
      p.work->finish(error(p.work->collective(), e.what()));
    }
  }
  for (auto& [work, e] : failed) work->finish(e);
}

void ProcessGroupMPI::drive(const Work& work, Clock::time_point until) {
  {
    std::lock_guard<std::mutex> lock(state_mutex_);
    ++drivers_;
  }
  // Poll without pause: Open MPI moves a collective's data only inside MPI calls, fragment by fragment, and every
  // pause here stalls the peers' side of each fragment too (a 1 MB all-reduce ran 20x slower than MPI_Allreduce
  // with naps of up to 0.5 ms).
  for (unsigned polls = 0; !work.isCompleted(); ++polls) {
    const bool read_clock = polls % kPollsPerClockRead == 0;
    if (read_clock && Clock::now() >= until) break;
    progress(read_clock);
  }
  std::lock_guard<std::mutex> lock(state_mutex_);
  --drivers_;
  // The group's thread takes over whatever is still posted.
  state_changed_.notify_all();
}

void ProcessGroupMPI::run_loop() {
  for (unsigned polls = 0;;) {
    {
      std::unique_lock<std::mutex> lock(state_mutex_);
      state_changed_.wait(lock, [&] { return drivers_ == 0 && (stopping_ || !posted_.empty()); });
      if (stopping_) {
        if (posted_.empty()) return;  // everything issued has run
        if (std::all_of(posted_.begin(), posted_.end(), [](const Posted& p) { return p.failed; })) {
          // Only timed-out collectives are left, and the rank that never joined may never come: stop polling, so
          // that a program which caught the timeout can end (MPI_Finalize) instead of hanging here. MPI may still
          // write into their buffers until then, so the entries that own them are kept alive for good.
          static auto* abandoned = new std::vector<Posted>;  // never freed, on purpose
          for (Posted& p : posted_) abandoned->push_back(std::move(p));
          posted_.clear();
          return;
        }
      }
    }
    // As c10d's MPI group (whose thread sits in blocking MPI calls), this thread keeps one core busy while a
    // collective is posted and no caller waits for it; it sleeps otherwise.
    progress(++polls % kPollsPerClockRead == 0);
  }
}

std::shared_ptr<Work> ProcessGroupMPI::broadcast(std::vector<Tensor>& tensors, const BroadcastOptions& opts) {
  const std::string op = "distributed::broadcast";
  const Tensor t = single_tensor(op, tensors, rank_);
  WICK_CHECK(opts.rootRank >= 0 && opts.rootRank < size_, op.c_str(), "rank ", rank_, ": root rank ", opts.rootRank,
             " is not in a group of size ", size_);
  WICK_CHECK(opts.rootTensor == 0, op.c_str(), "rank ", rank_, ": root tensor ", opts.rootTensor,
             " (the MPI group takes one tensor)");
  const MPI_Datatype type = mpi_type(op, t.dtype(), rank_);
  const int count = count_of(op, t, rank_);
  const int root = int(opts.rootRank);
  return enqueue("broadcast", opts.timeout, [this, t, type, count, root](MPI_Request* request) {
    return MPI_Ibcast(t.data_ptr(), count, type, root, comm_, request);
  });
}

std::shared_ptr<Work> ProcessGroupMPI::allreduce(std::vector<Tensor>& tensors, const AllreduceOptions& opts) {
  const std::string op = "distributed::allreduce";
  const Tensor t = single_tensor(op, tensors, rank_);
  const MPI_Datatype type = mpi_type(op, t.dtype(), rank_);
  const MPI_Op reduce = mpi_op(op, opts.reduceOp, t.dtype(), rank_);
  const int count = count_of(op, t, rank_);
  std::function<void()> done;
  if (opts.reduceOp == ReduceOp::AVG) done = [t, size = size_] { Tensor(t).div_(double(size)); };
  return enqueue(
      "allreduce", opts.timeout,
      [this, t, type, reduce, count](MPI_Request* request) {
        return MPI_Iallreduce(MPI_IN_PLACE, t.data_ptr(), count, type, reduce, comm_, request);
      },
      std::move(done));
}

std::shared_ptr<Work> ProcessGroupMPI::allgather(std::vector<std::vector<Tensor>>& outputs, std::vector<Tensor>& inputs,
                                                 const AllgatherOptions& opts) {
  const std::string op = "distributed::allgather";
  const Tensor in = single_tensor(op, inputs, rank_);
  WICK_CHECK(outputs.size() == 1, op.c_str(), "rank ", rank_, ": expected one output list, got ", outputs.size());
  detail::check_rank_list(op, outputs[0], in, size_, rank_, "outputs");
  const MPI_Datatype type = mpi_type(op, in.dtype(), rank_);
  const int count = count_of(op, in, rank_);
  // Gathered into one buffer, then copied into the caller's tensors (which need not be contiguous or adjacent).
  const Tensor flat = empty({int64_t(size_) * in.numel()}, TensorOptions().dtype(in.dtype()));
  std::vector<Tensor> targets = outputs[0];
  return enqueue(
      "allgather", opts.timeout,
      [this, in, flat, type, count](MPI_Request* request) {
        return MPI_Iallgather(in.data_ptr(), count, type, flat.data_ptr(), count, type, comm_, request);
      },
      [flat, targets, n = in.numel()] {
        for (size_t r = 0; r < targets.size(); ++r)
          Tensor(targets[r]).copy_(flat.narrow(0, int64_t(r) * n, n).view(targets[r].sizes()));
      });
}

std::shared_ptr<Work> ProcessGroupMPI::reduce_scatter(std::vector<Tensor>& outputs,
                                                      std::vector<std::vector<Tensor>>& inputs,
                                                      const ReduceScatterOptions& opts) {
  const std::string op = "distributed::reduce_scatter";
  const Tensor out = single_tensor(op, outputs, rank_);
  WICK_CHECK(inputs.size() == 1, op.c_str(), "rank ", rank_, ": expected one input list, got ", inputs.size());
  detail::check_rank_list(op, inputs[0], out, size_, rank_, "inputs");
  const MPI_Datatype type = mpi_type(op, out.dtype(), rank_);
  const MPI_Op reduce = mpi_op(op, opts.reduceOp, out.dtype(), rank_);
  const int count = count_of(op, out, rank_);
  // The rank-ordered inputs, packed now: the caller may reuse its tensors once this returns.
  std::vector<Tensor> parts;
  for (const Tensor& t : inputs[0]) parts.push_back(t.reshape({-1}));
  const Tensor packed = cat(parts, 0).contiguous();
  std::function<void()> done;
  if (opts.reduceOp == ReduceOp::AVG) done = [out, size = size_] { Tensor(out).div_(double(size)); };
  return enqueue(
      "reduce_scatter", opts.timeout,
      [this, out, packed, type, reduce, count](MPI_Request* request) {
        return MPI_Ireduce_scatter_block(packed.data_ptr(), out.data_ptr(), count, type, reduce, comm_, request);
      },
      std::move(done));
}

std::shared_ptr<Work> ProcessGroupMPI::barrier(const BarrierOptions& opts) {
  return enqueue("barrier", opts.timeout, [this](MPI_Request* request) { return MPI_Ibarrier(comm_, request); });
}

}  // namespace wick::distributed
