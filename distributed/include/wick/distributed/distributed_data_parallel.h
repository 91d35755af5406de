// DistributedDataParallel: PyTorch's torch.nn.parallel.DistributedDataParallel for wick modules (LibTorch has
// none in C++). Wraps a module holder (nn::Sequential, a WICK_MODULE); forward() runs the module and arms the
// gradient exchange, so that after loss.backward() every rank holds the average of all ranks' gradients, exchanged
// in buckets while the backward was still running (see reducer.h).
//
//   auto pg = wick::distributed::ProcessGroupMPI::createProcessGroupMPI();
//   wick::distributed::DistributedDataParallel<Net> ddp(Net(), pg);
//   wick::optim::SGD opt(ddp.module()->parameters(), 0.01);
//   auto loss = F::cross_entropy(ddp.forward(x), y);  // this rank's share of the batch
//   loss.backward();                                    // gradients averaged over the ranks
//   opt.step();
#pragma once

#include <memory>
#include <utility>

#include "wick/distributed/reducer.h"

namespace wick::distributed {

template <class ModuleHolder>
class DistributedDataParallel {
 public:
  DistributedDataParallel(ModuleHolder module, std::shared_ptr<ProcessGroup> group,
                          DistributedDataParallelOptions options = {})
      : module_(std::move(module)),
        reducer_(std::make_unique<Reducer>(module_->parameters(), module_->buffers(), std::move(group), options)) {}

  template <class... Args>
  decltype(auto) forward(Args&&... args) {
    reducer_->prepare_for_backward();
    return module_->forward(std::forward<Args>(args)...);
  }
  template <class... Args>
  decltype(auto) operator()(Args&&... args) {
    return forward(std::forward<Args>(args)...);
  }

  // While the guard lives, backward accumulates locally and exchanges nothing (PyTorch's no_sync()).
  [[nodiscard]] Reducer::NoSyncGuard no_sync() { return Reducer::NoSyncGuard(*reducer_); }

  ModuleHolder& module() { return module_; }
  const ModuleHolder& module() const { return module_; }
  Reducer& reducer() { return *reducer_; }

 private:
  ModuleHolder module_;
  std::unique_ptr<Reducer> reducer_;  // on the heap: its hooks hold its address
};

}  // namespace wick::distributed
