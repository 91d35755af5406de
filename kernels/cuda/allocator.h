// The CUDA caching allocator (see allocator.cu). Plain C++: no CUDA header.
#pragma once

#include <cstddef>

#include "wick/cuda.h"

namespace wick::cuda {

// Device memory for `nbytes` on `device`, usable by work on the calling thread's stream.
void* cached_malloc(size_t nbytes, int device);
// Returns a block from cached_malloc; it becomes reusable once the calling thread's queued work is done.
// Never throws (tensors are freed from destructors, sometimes during process exit).
void cached_free(void* ptr, int device) noexcept;
// Frees every cached block that no tensor uses back to the driver.
void release_cached_blocks();

MemoryStats allocator_stats(int device);
void reset_allocator_peaks(int device);

// Temporary device memory for one primitive (packed operands, im2col columns, partial reductions), freed
// when the primitive returns; the thread's stream orders its reuse after the kernels that read it.
class ScratchBuffer {
 public:
  ScratchBuffer(size_t nbytes, int device) : ptr_(cached_malloc(nbytes, device)), device_(device) {}
  ~ScratchBuffer() { cached_free(ptr_, device_); }
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  template <class T = void>
  T* get() const {
    return static_cast<T*>(ptr_);
  }

 private:
  void* ptr_;
  int device_;
};

}  // namespace wick::cuda
