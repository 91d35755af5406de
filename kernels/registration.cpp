// The one place that lists the backends compiled into this build. Adding a device: a folder under
// kernels/ and one line here.
#include "backend_registry.h"
#include "cpu/cpu_backend.h"
#ifdef WICK_HAVE_CUDA
#include "cuda/cuda_backend.h"
#endif

namespace wick {

void register_builtin_backends() {
  register_backend(DeviceType::CPU, &cpu::cpu_backend());
#ifdef WICK_HAVE_CUDA
  if (Backend* cuda = cuda::cuda_backend_if_available()) register_backend(DeviceType::CUDA, cuda);
#endif
}

}  // namespace wick
