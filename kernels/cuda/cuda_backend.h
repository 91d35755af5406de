// The CUDA backend's entry point for kernels/registration.cpp. Plain C++: no CUDA header.
#pragma once

#include "backend.h"

namespace wick::cuda {

// The CUDA backend, or nullptr when no CUDA driver or device is present at run time, so a CUDA build still
// runs on CPU-only machines. Cheap: with a driver present, devices are counted on first use, not here.
Backend* cuda_backend_if_available();

}  // namespace wick::cuda
