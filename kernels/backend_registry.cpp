#include "backend_registry.h"

#include <mutex>

#include "wick/error.h"

namespace wick {

void register_builtin_backends();  // kernels/registration.cpp

namespace detail {

std::atomic<Backend*> g_backends[kNumDeviceTypes] = {};
thread_local CaptureHook* t_capture_hook = nullptr;

namespace {
void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, register_builtin_backends);
}
}  // namespace

Backend* find_backend(DeviceType type) {
  if (Backend* b = g_backends[int(type)].load(std::memory_order_acquire)) return b;
  ensure_registered();
  return g_backends[int(type)].load(std::memory_order_acquire);
}

Backend& load_backend(DeviceType type) {
  ensure_registered();
  Backend* b = g_backends[int(type)].load(std::memory_order_acquire);
  if (!b) {
    fail("backend", "no backend for device type '", Device(type).str(),
         "' in this build (configure with -Dcuda=enabled and run on a machine with a GPU)");
  }
  return *b;
}

}  // namespace detail

void register_backend(DeviceType type, Backend* backend) {
  detail::g_backends[int(type)].store(backend, std::memory_order_release);
}

}  // namespace wick
