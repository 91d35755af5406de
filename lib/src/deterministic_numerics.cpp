// The mode's switch: the CPU backend does the work (kernels/cpu/deterministic_numerics.h).
#include "wick/deterministic_numerics.h"

#include <atomic>

#include "backend_registry.h"

namespace wick {
namespace {
std::atomic<bool> g_enabled{false};
}  // namespace

bool set_deterministic_numerics(bool on) {
  backend_for(kCPU).set_deterministic_numerics(on);
  return g_enabled.exchange(on);
}

bool deterministic_numerics_enabled() { return g_enabled.load(); }

}  // namespace wick
