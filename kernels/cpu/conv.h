// Private switches of the CPU convolution: tests turn oneDNN off to exercise the portable im2col path
// in a build that has both.
#pragma once

namespace wick::cpu {

// Whether oneDNN was compiled in.
bool conv_onednn_available();
// Whether float32 convolutions go to oneDNN (default: whenever it is available). Process-wide.
bool conv_use_onednn();
void set_conv_use_onednn(bool use);

// Number of oneDNN convolution primitives cached on the calling thread (for tests of the cache).
int conv_cached_primitives();

}  // namespace wick::cpu
