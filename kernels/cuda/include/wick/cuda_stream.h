// The calling thread's CUDA stream, for code that queues its own CUDA work on wick's tensors (NCCL collectives in
// wick_distributed, a custom kernel): work queued on it runs after every wick op this thread has queued on that
// device, and wick ops this thread queues later run after it. A cudaStream_t, as void* so that this header needs
// no CUDA header; wick::Error when the device does not exist, and nullptr in a build without CUDA.
#pragma once

namespace wick::cuda {

void* current_stream(int device);

}  // namespace wick::cuda
