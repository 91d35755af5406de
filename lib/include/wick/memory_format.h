// LibTorch's memory formats, for the calls that name one (x.contiguous(MemoryFormat::Contiguous),
// x.to(dtype, false, false, MemoryFormat::Preserve)). wick lays tensors out as strided row-major views only:
// Contiguous and Preserve are honoured; ChannelsLast and ChannelsLast3d are refused with an error.
#pragma once

#include <cstdint>

namespace wick {

enum class MemoryFormat : int8_t { Contiguous, Preserve, ChannelsLast, ChannelsLast3d };

}  // namespace wick
