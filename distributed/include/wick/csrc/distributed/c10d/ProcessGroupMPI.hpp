// LibTorch's path to its MPI process group, <torch/csrc/distributed/c10d/ProcessGroupMPI.hpp>, as the port's
// `<torch/` -> `<wick/` makes it: a c10d program ports by that and `c10d::` -> `wick::distributed::`
// (tests/porting/programs/c10d_mnist.cpp). c10d hands out its groups and works as c10::intrusive_ptr; wick's are
// std::shared_ptr, so c10::intrusive_ptr (c10:: is wick:: in <wick/torch.h>) names std::shared_ptr here.
#pragma once

#include <memory>

#include "wick/distributed.h"

namespace wick {
template <class T>
using intrusive_ptr = std::shared_ptr<T>;
}  // namespace wick
