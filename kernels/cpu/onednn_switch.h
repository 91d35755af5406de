// Whether float32 convolution and pooling run on oneDNN or on the portable kernels. Tests turn oneDNN off
// to exercise the portable path in a build that has both. Process-wide; declared apart from onednn.h so
// that code without oneDNN's headers can include it.
#pragma once

namespace wick::cpu {

// Whether oneDNN was compiled in.
bool onednn_available();
// Whether float32 convolution and pooling (and bfloat16 matmul) go to oneDNN (default: whenever it is available, and
// not in deterministic numerics mode).
bool use_onednn();
void set_use_onednn(bool use);

}  // namespace wick::cpu
