// wick/cuda.h and wick/cuda_stream.h in builds without the CUDA backend: no device, nothing to wait for, nothing cached.
#include "wick/cuda.h"
#include "wick/cuda_stream.h"

namespace wick::cuda {

bool is_available() { return false; }
int device_count() { return 0; }
std::string device_name(int) { return {}; }
void synchronize(int) {}
void empty_cache() {}
MemoryStats memory_stats(int) { return {}; }
size_t memory_allocated(int) { return 0; }
size_t memory_reserved(int) { return 0; }
size_t max_memory_allocated(int) { return 0; }
void reset_peak_memory_stats(int) {}
void set_allow_tf32(bool) {}
bool allow_tf32() { return false; }
void* current_stream(int) { return nullptr; }

}  // namespace wick::cuda
