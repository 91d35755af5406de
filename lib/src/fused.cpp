#include "fused.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "backend_registry.h"
#include "wick/ops.h"

namespace wick {
namespace {

std::atomic<bool>& fused_enabled() {
  static std::atomic<bool> enabled{[] {
    const char* env = std::getenv("WICK_FUSED_KERNELS");
    return !(env && std::strcmp(env, "0") == 0);
  }()};
  return enabled;
}

}  // namespace

void set_fused_kernels_enabled(bool on) { fused_enabled().store(on, std::memory_order_relaxed); }
bool fused_kernels_enabled() { return fused_enabled().load(std::memory_order_relaxed); }

namespace detail {

FusedKernels* fused_for(Device device, FusedOp op, ScalarType dtype) {
  if (!fused_kernels_enabled()) return nullptr;
  FusedKernels* fused = backend_for(device).fused_kernels();
  return fused && fused->supports(op, dtype) ? fused : nullptr;
}

}  // namespace detail
}  // namespace wick
