// The options and reduction ops of the collectives, in LibTorch's c10d shapes (torch/csrc/distributed/c10d/
// Types.hpp), so that c10d programs port by a namespace change.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace wick::distributed {

// A collective's time limit. kUnsetTimeout: the process group's own (set at construction, 30 minutes by default
// as in PyTorch); kNoTimeout: no limit.
inline constexpr std::chrono::milliseconds kUnsetTimeout{-1};
inline constexpr std::chrono::milliseconds kNoTimeout{0};
inline constexpr std::chrono::milliseconds kProcessGroupDefaultTimeout{30 * 60 * 1000};

struct ReduceOp {
  enum RedOpType : uint8_t { SUM = 0, AVG = 1, PRODUCT = 2, MIN = 3, MAX = 4, BAND = 5, BOR = 6, BXOR = 7 };
  ReduceOp() = default;
  ReduceOp(RedOpType op) : op_(op) {}  // NOLINT: implicit, as c10d's (AllreduceOptions{ReduceOp::MAX})
  operator RedOpType() const { return op_; }
  RedOpType op_ = SUM;
};

// "SUM", "AVG", ...: for error messages.
const char* reduce_op_name(ReduceOp op);

struct BroadcastOptions {
  int64_t rootRank = 0;
  int64_t rootTensor = 0;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

struct AllreduceOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

struct AllgatherOptions {
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

struct ReduceScatterOptions {
  ReduceOp reduceOp = ReduceOp::SUM;
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

struct BarrierOptions {
  std::vector<int64_t> device_ids;  // accepted for LibTorch's signature; unused by the MPI group
  std::chrono::milliseconds timeout = kUnsetTimeout;
};

}  // namespace wick::distributed
