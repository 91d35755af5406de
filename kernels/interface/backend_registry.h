// Finds the backend that owns a device. Backends register once, at first use; the lookup per op is one
// array load.
#pragma once

#include <atomic>

#include "backend.h"

namespace wick {

namespace detail {
// Atomic: the first op of two threads at once may register and look up together. The acquire load is a plain
// load on x86, and on ARM it makes the registering thread's backend object visible with its pointer.
extern std::atomic<Backend*> g_backends[kNumDeviceTypes];
Backend& load_backend(DeviceType type);  // registers built-in backends on first use; throws if not built
Backend* find_backend(DeviceType type);  // like load_backend, but nullptr instead of throwing

// While wick::compile captures a step on this thread, every lookup answers its recording proxy of the device's
// backend (lib/src/compile/capture.h), so each primitive the step runs is also written into the plan.
// Thread-local: another thread's ops are never captured. Null (one load per op) the rest of the time.
class CaptureHook {
 public:
  virtual Backend& backend(DeviceType type) = 0;

 protected:
  ~CaptureHook() = default;
};
extern thread_local CaptureHook* t_capture_hook;
}  // namespace detail

inline Backend& backend_for(DeviceType type) {
  if (detail::CaptureHook* hook = detail::t_capture_hook) [[unlikely]]
    return hook->backend(type);
  Backend* b = detail::g_backends[int(type)].load(std::memory_order_acquire);
  return b ? *b : detail::load_backend(type);
}
inline Backend& backend_for(Device device) { return backend_for(device.type); }

// Called by kernels/registration.cpp for each backend compiled into this build.
void register_backend(DeviceType type, Backend* backend);

}  // namespace wick
