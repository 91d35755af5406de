// Where lib/ chooses between a backend's fused kernel and the composition of core primitives.
#pragma once

#include "backend_registry.h"
#include "fused_kernels.h"
#include "wick/device.h"

namespace wick::detail {

// The device's fused kernels for `op` on tensors of `dtype`, or nullptr: the caller composes the op. Null too
// while set_fused_kernels_enabled(false) (or WICK_FUSED_KERNELS=0) is in force.
FusedKernels* fused_for(Device device, FusedOp op, ScalarType dtype);

// The fused kernels of a device for which fused_for() answered earlier: a recorded backward runs the kernels its
// forward chose, whatever the switch says by then.
inline FusedKernels& fused_kernels_of(Device device) { return *backend_for(device).fused_kernels(); }

}  // namespace wick::detail
