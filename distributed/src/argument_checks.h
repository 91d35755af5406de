// What every process group checks of a collective's tensors before queueing it, each failure a wick::Error naming
// the collective and the calling rank.
#pragma once

#include <exception>
#include <string>
#include <vector>

#include "wick/tensor.h"

namespace wick::distributed::detail {

// The one tensor a call takes (as c10d's MPI and NCCL groups, one per process), defined, contiguous and on
// `device`; `group` names the group in the message ("the MPI group takes CPU tensors").
const Tensor& single_tensor(const std::string& op, const std::vector<Tensor>& tensors, int rank, const Device& device,
                            const char* group);

// A list of `size` tensors like `like` (one per rank, same dtype, element count and device), for allgather's outputs
// and reduce_scatter's inputs.
void check_rank_list(const std::string& op, const std::vector<Tensor>& list, const Tensor& like, int size, int rank,
                     const char* what);

// The failure a group's thread hands to a collective's Work: a wick::Error naming the collective and the rank.
std::exception_ptr collective_error(const std::string& collective, int rank, int size, const std::string& message);

}  // namespace wick::distributed::detail
