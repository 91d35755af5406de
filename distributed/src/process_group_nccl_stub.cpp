// ProcessGroupNCCL in builds without CUDA or without NCCL: constructing one says so.
#include "wick/distributed/process_group_nccl.h"

#include "wick/error.h"

namespace wick::distributed {
namespace {

[[noreturn]] void no_nccl() {
  fail("distributed::ProcessGroupNCCL",
       "this build of wick_distributed has no NCCL (it is built where meson finds "
       "CUDA and NCCL's library and header)");
}

}  // namespace

struct ProcessGroupNCCL::Impl {};

ProcessGroupNCCL::ProcessGroupNCCL(std::shared_ptr<Store>, int rank, int size, std::chrono::milliseconds timeout, int)
    : ProcessGroup(rank, size), timeout_(timeout) {
  no_nccl();
}
std::shared_ptr<ProcessGroupNCCL> ProcessGroupNCCL::createProcessGroupNCCL(ProcessGroup&, std::chrono::milliseconds,
                                                                           int) {
  no_nccl();
}
ProcessGroupNCCL::ProcessGroupNCCL(int rank, int size, std::chrono::milliseconds timeout)
    : ProcessGroup(rank, size), timeout_(timeout) {}
void ProcessGroupNCCL::start(int, const void*) { no_nccl(); }
ProcessGroupNCCL::~ProcessGroupNCCL() = default;
int ProcessGroupNCCL::device() const { no_nccl(); }
void ProcessGroupNCCL::abort() { no_nccl(); }
std::shared_ptr<Work> ProcessGroupNCCL::broadcast(std::vector<Tensor>&, const BroadcastOptions&) { no_nccl(); }
std::shared_ptr<Work> ProcessGroupNCCL::allreduce(std::vector<Tensor>&, const AllreduceOptions&) { no_nccl(); }
std::shared_ptr<Work> ProcessGroupNCCL::allgather(std::vector<std::vector<Tensor>>&, std::vector<Tensor>&,
                                                  const AllgatherOptions&) {
  no_nccl();
}
std::shared_ptr<Work> ProcessGroupNCCL::reduce_scatter(std::vector<Tensor>&, std::vector<std::vector<Tensor>>&,
                                                       const ReduceScatterOptions&) {
  no_nccl();
}
std::shared_ptr<Work> ProcessGroupNCCL::barrier(const BarrierOptions&) { no_nccl(); }

}  // namespace wick::distributed
