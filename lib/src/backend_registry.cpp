#include "backend_registry.h"

#include <mutex>

#include "wick/error.h"

namespace wick {

void register_builtin_backends();  // kernels/registration.cpp

namespace detail {

Backend* g_backends[kNumDeviceTypes] = {};

Backend& load_backend(DeviceType type) {
  static std::once_flag once;
  std::call_once(once, register_builtin_backends);
  Backend* b = g_backends[int(type)];
  if (!b) {
    fail("backend", "no backend for device type '", type == DeviceType::CUDA ? "cuda" : "cpu",
         "' in this build (configure with -Dcuda=enabled and run on a machine with a GPU)");
  }
  return *b;
}

}  // namespace detail

void register_backend(DeviceType type, Backend* backend) { detail::g_backends[int(type)] = backend; }

}  // namespace wick
