#include "argument_checks.h"

#include "wick/detail/shape_of.h"
#include "wick/error.h"

namespace wick::distributed::detail {

const Tensor& single_tensor(const std::string& op, const std::vector<Tensor>& tensors, int rank, const Device& device,
                            const char* group) {
  WICK_CHECK(tensors.size() == 1, op.c_str(), "rank ", rank, ": expected exactly one tensor, got ", tensors.size());
  const Tensor& t = tensors[0];
  WICK_CHECK(t.defined(), op.c_str(), "rank ", rank, ": the tensor is undefined");
  WICK_CHECK(t.device() == device, op.c_str(), "rank ", rank, ": ", group, " takes tensors on ", device.str(),
             ", got one on ", t.device().str());
  WICK_CHECK(t.is_contiguous(), op.c_str(), "rank ", rank, ": expected a contiguous tensor, got one of shape ",
             wick::detail::shape_of(t), " with strides ", shape_str(t.strides()));
  return t;
}

void check_rank_list(const std::string& op, const std::vector<Tensor>& list, const Tensor& like, int size, int rank,
                     const char* what) {
  WICK_CHECK(int64_t(list.size()) == size, op.c_str(), "rank ", rank, ": expected ", size, " ", what,
             " (one per rank), got ", list.size());
  for (size_t r = 0; r < list.size(); ++r) {
    WICK_CHECK(list[r].defined() && list[r].device() == like.device() && list[r].dtype() == like.dtype() &&
                   list[r].numel() == like.numel(),
               op.c_str(), "rank ", rank, ": ", what, " ", r, " is ", wick::detail::shape_of(list[r]), " ",
               list[r].defined() ? dtype_name(list[r].dtype()) : "", ", expected ", like.numel(), " elements of ",
               dtype_name(like.dtype()), " on ", like.device().str());
  }
}

std::exception_ptr collective_error(const std::string& collective, int rank, int size, const std::string& message) {
  try {
    fail(("distributed::" + collective).c_str(), "rank ", rank, " of ", size, ": ", message);
  } catch (...) {
    return std::current_exception();
  }
}

}  // namespace wick::distributed::detail
