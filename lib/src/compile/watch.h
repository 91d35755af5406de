// Memory that live plans depend on (arguments aside): parameters, optimizer state, gradients, their results.
// StorageImpl::release reports every freed storage here while any plan watches memory, so that a plan whose
// memory went away re-captures instead of replaying onto memory that is no longer its tensors'.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace wick::detail::compile {

extern std::atomic<int> g_watched_plans;  // 0: release() pays one relaxed load

void watch(std::span<const uintptr_t> addresses, std::atomic<bool>* stale_flag);
void unwatch(std::atomic<bool>* stale_flag);
void storage_released(const void* data, size_t nbytes);

inline void on_storage_release(const void* data, size_t nbytes) {
  if (g_watched_plans.load(std::memory_order_relaxed) != 0) storage_released(data, nbytes);
}

}  // namespace wick::detail::compile
