#include "wick/distributed/save_on_rank0.h"

#include <cstring>
#include <exception>
#include <string>

#include "wick/error.h"
#include "wick/ops.h"

namespace wick::distributed {
namespace {

constexpr const char* kOp = "distributed::save_on_rank0";

void wait_for(std::shared_ptr<Work> work, int rank, const char* what) {
  try {
    work->wait();
  } catch (const Error& e) {
    fail(kOp, "rank ", rank, ": waiting for rank 0's ", what, " failed: ", e.what());
  }
}

}  // namespace

void save_on_rank0(ProcessGroup& group, const std::function<void()>& write) {
  const int rank = group.getRank();
  // Rank 0's outcome travels as the length of its error message (0: written), then the message itself.
  std::string message;
  if (rank == 0) {
    try {
      write();
    } catch (const std::exception& e) {
      message = e.what();
      if (message.empty()) message = "an exception without a message";
    } catch (...) {
      message = "an exception that is not a std::exception";
    }
  }
  std::vector<Tensor> length{full({1}, int64_t(message.size()), dtype(kInt64))};
  wait_for(group.broadcast(length), rank, "outcome");
  const int64_t n = length[0].item<int64_t>();
  if (n == 0) return;
  std::vector<Tensor> text{zeros({n}, dtype(kUInt8))};
  if (rank == 0) std::memcpy(text[0].data_ptr(), message.data(), size_t(n));
  wait_for(group.broadcast(text), rank, "error message");
  message.assign(static_cast<const char*>(text[0].data_ptr()), size_t(n));
  fail(kOp, "rank ", rank, ": the write on rank 0 failed: ", message);
}

}  // namespace wick::distributed
