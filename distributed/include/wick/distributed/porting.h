// What a c10d program ported by `c10d::` -> `wick::distributed::` (and <wick/torch.h>'s `c10::` -> `wick::`) needs
// beyond wick's own names: c10d hands out its groups, stores and works as c10::intrusive_ptr, made by
// c10::make_intrusive; wick's are std::shared_ptr. Included by the forwarding headers at LibTorch's c10d paths
// (wick/csrc/distributed/c10d/), never by wick itself.
#pragma once

#include <memory>
#include <utility>

#include "wick/distributed.h"

namespace wick {

template <class T>
using intrusive_ptr = std::shared_ptr<T>;

template <class T, class... Args>
std::shared_ptr<T> make_intrusive(Args&&... args) {
  return std::make_shared<T>(std::forward<Args>(args)...);
}

}  // namespace wick
