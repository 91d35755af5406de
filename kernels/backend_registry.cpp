#include "backend_registry.h"

#include <mutex>

#include "wick/error.h"

namespace wick {

void register_builtin_backends();  // kernels/registration.cpp

namespace detail {

Backend* g_backends[kNumDeviceTypes] = {};

namespace {
void ensure_registered() {
  static std::once_flag once;
  std::call_once(once, register_builtin_backends);
}
}  // namespace

Backend* find_backend(DeviceType type) {
  ensure_registered();
  return g_backends[int(type)];
}

Backend& load_backend(DeviceType type) {
  ensure_registered();
  Backend* b = g_backends[int(type)];
  if (!b) {
    fail("backend", "no backend for device type '", Device(type).str(),
         "' in this build (configure with -Dcuda=enabled and run on a machine with a GPU)");
  }
  return *b;
}

}  // namespace detail

void register_backend(DeviceType type, Backend* backend) { detail::g_backends[int(type)] = backend; }

}  // namespace wick
