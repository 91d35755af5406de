// CPU caching allocator: 64-byte aligned blocks in size classes. Freed blocks go to a thread-local
// cache (small blocks) or a shared pool (large ones) and are handed out again without touching malloc,
// so a steady-state training or inference loop does no heap traffic for tensor memory.
#pragma once

#include <cstddef>

namespace wick::cpu {

void* cached_alloc(size_t nbytes);
void cached_free(void* ptr, size_t nbytes);
void release_cached_memory();  // returns every cached block to the system

struct AllocatorStats {
  size_t system_allocations = 0;  // times the allocator had to ask the system for memory
  size_t cached_bytes = 0;        // bytes held in free lists right now (shared pool only)
};
AllocatorStats allocator_stats();

}  // namespace wick::cpu
