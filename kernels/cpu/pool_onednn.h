// Average pooling on oneDNN primitives, for pool.cpp: each call runs the pooling and returns true, or
// returns false (having done nothing) when oneDNN is not built in or switched off, the dtype is not float32,
// or oneDNN's windows would differ from PyTorch's; pool.cpp's direct loops run those.
#pragma once

#include "backend.h"

namespace wick::cpu {

bool avg_pool2d_onednn(const View& out, const View& input, const PoolParams& p);
bool avg_pool2d_backward_onednn(const View& grad_input, const View& grad_out, const PoolParams& p);

// Number of oneDNN pooling primitives cached on the calling thread (for tests).
int avg_pool_cached_primitives();

}  // namespace wick::cpu
