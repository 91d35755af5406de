// Copies between arbitrarily strided (possibly broadcast) views of one dtype, through xtensor's strided
// adaptors: the general path behind contiguous(), permute materialisation and broadcast writes.
#pragma once

#include "backend.h"

namespace wick::cpu {

// out and in have the same shape and dtype; any strides (in may have stride 0 on broadcast dims).
void strided_copy(const View& out, const View& in);

}  // namespace wick::cpu
