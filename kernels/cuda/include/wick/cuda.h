// CUDA device management, as torch::cuda: whether a GPU is usable, how many, waiting for queued work, and
// the caching allocator's statistics. Works in every build: without CUDA (or without a GPU at run time)
// is_available() is false, counts are 0 and the rest does nothing. No CUDA header is included here.
//
//   if (wick::cuda::is_available()) x = x.to(wick::kCUDA);
//
// Work is queued asynchronously on a stream of the calling thread's own (copies to the host wait for it),
// so two threads never wait on each other's kernels. A CUDA tensor handed to another thread should be
// synchronize()d first, or the other thread's kernels may read it before it is written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wick::cuda {

// True when this build has the CUDA backend and a CUDA device is present and usable.
bool is_available();
// Number of usable CUDA devices (0 when !is_available()).
int device_count();
// The device's name ("NVIDIA H100 80GB HBM3"); empty when it does not exist.
std::string device_name(int device = 0);

// Blocks until all work queued on the device (by any thread) has finished. Errors found by kernels since
// the last synchronisation (an out-of-range index in gather/scatter, an integer division by zero) are
// thrown here as wick::Error. device = -1: the calling thread's current device.
void synchronize(int device = -1);

// Returns every cached, unused block of device memory to the driver (other processes can then use it).
void empty_cache();

// The caching allocator's bookkeeping for one device. Byte counts are of blocks as handed out (rounded up
// to 512 bytes), so they can exceed the sum of tensor sizes slightly.
struct MemoryStats {
  size_t allocated_bytes = 0;       // held by live tensors
  size_t reserved_bytes = 0;        // obtained from the driver (allocated + cached)
  size_t peak_allocated_bytes = 0;  // since start or reset_peak_memory_stats()
  size_t peak_reserved_bytes = 0;
  uint64_t allocations = 0;            // allocate calls
  uint64_t cache_hits = 0;             // allocate calls served without cudaMalloc
  uint64_t device_mallocs = 0;         // cudaMalloc calls
  uint64_t device_frees = 0;           // cudaFree calls
  uint64_t out_of_memory_retries = 0;  // times the cache was emptied to satisfy a request
};
MemoryStats memory_stats(int device = 0);
size_t memory_allocated(int device = 0);
size_t memory_reserved(int device = 0);
size_t max_memory_allocated(int device = 0);
void reset_peak_memory_stats(int device = 0);

// float32 matmuls (and convolutions) on TensorFloat-32 tensor cores: faster, ~10 bits of mantissa. Off by
// default, as torch.backends.cuda.matmul.allow_tf32. Process-wide.
void set_allow_tf32(bool allow);
bool allow_tf32();

}  // namespace wick::cuda
