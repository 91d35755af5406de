// A window into the CPU convolution's primitive cache, for its tests. (Which path runs: onednn_switch.h.)
#pragma once

namespace wick::cpu {

// Number of oneDNN convolution primitives cached on the calling thread.
int conv_cached_primitives();

}  // namespace wick::cpu
