// SCAFFOLDING: replaced by the nn engineer's oneDNN / im2col convolution in this session.
#include "cpu_backend.h"
#include "wick/error.h"

namespace wick::cpu {
void CpuBackend::conv2d(const View&, const View&, const View&, const View*, const ConvParams&) { fail("conv2d", "not built yet"); }
void CpuBackend::conv2d_backward_input(const View&, const View&, const View&, const ConvParams&) { fail("conv2d", "not built yet"); }
void CpuBackend::conv2d_backward_weight(const View&, const View*, const View&, const View&, const ConvParams&) { fail("conv2d", "not built yet"); }
}  // namespace wick::cpu
