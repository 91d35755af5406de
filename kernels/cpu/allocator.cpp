#include "allocator.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "wick/detail/per_thread.h"
#include "wick/error.h"

namespace wick::cpu {
namespace {

constexpr size_t kAlign = 64;
constexpr size_t kSmallLimit = size_t(1) << 20;    // blocks up to 1 MiB use power-of-two classes
constexpr size_t kLargeGranule = size_t(1) << 20;  // larger ones round up to whole MiB
constexpr int kNumSmallClasses = 15;               // 64 B .. 1 MiB
constexpr int kThreadCacheDepth = 64;              // blocks per class kept by one thread
constexpr size_t kSharedCacheLimit = size_t(4) << 30;

std::atomic<size_t> g_system_allocations{0};

int small_class(size_t n) {  // 64 -> 0, 128 -> 1, ...
  int c = 0;
  size_t s = kAlign;
  while (s < n) {
    s <<= 1;
    ++c;
  }
  return c;
}

size_t class_bytes(size_t n) {
  if (n <= kSmallLimit) return kAlign << small_class(n);
  return (n + kLargeGranule - 1) / kLargeGranule * kLargeGranule;
}

void* system_alloc(size_t bytes) {
  g_system_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = std::aligned_alloc(kAlign, bytes);
  // A wick::Error like every other failure the caller can act on (PyTorch raises one too).
  WICK_CHECK(p != nullptr, "empty", "not enough memory: tried to allocate ", bytes, " bytes");
  return p;
}

struct SharedPool {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void*>> free_blocks;  // by class size
  size_t cached_bytes = 0;

  void* take(size_t bytes) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = free_blocks.find(bytes);
    if (it == free_blocks.end() || it->second.empty()) return nullptr;
    void* p = it->second.back();
    it->second.pop_back();
    cached_bytes -= bytes;
    return p;
  }
  void give(void* p, size_t bytes) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (cached_bytes + bytes <= kSharedCacheLimit) {
        free_blocks[bytes].push_back(p);
        cached_bytes += bytes;
        return;
      }
    }
    std::free(p);
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto& [bytes, blocks] : free_blocks)
      for (void* p : blocks) std::free(p);
    free_blocks.clear();
    cached_bytes = 0;
  }
};

SharedPool& shared_pool() {
  static SharedPool* pool = new SharedPool;  // never destroyed: threads may free during exit
  return *pool;
}

struct ThreadCache {
  void* blocks[kNumSmallClasses][kThreadCacheDepth];
  int count[kNumSmallClasses] = {};
  ~ThreadCache() {
    for (int c = 0; c < kNumSmallClasses; ++c)
      for (int i = 0; i < count[c]; ++i) shared_pool().give(blocks[c][i], kAlign << c);
  }
};
// A thread's cache goes back to the shared pool when the thread exits; a block freed on it after that (a static
// holding tensors, destroyed after the main thread's TLS) goes straight to the shared pool.
ThreadCache* thread_cache() { return detail::PerThread<ThreadCache>::get(); }

alignas(kAlign) char g_empty_block[kAlign];

}  // namespace

void* cached_alloc(size_t nbytes) {
  if (nbytes == 0) return g_empty_block;
  const size_t bytes = class_bytes(nbytes);
  if (bytes <= kSmallLimit) {
    if (ThreadCache* cache = thread_cache()) {
      const int c = small_class(bytes);
      if (cache->count[c] > 0) return cache->blocks[c][--cache->count[c]];
    }
  }
  if (void* p = shared_pool().take(bytes)) return p;
  return system_alloc(bytes);
}

void cached_free(void* ptr, size_t nbytes) {
  if (nbytes == 0 || ptr == nullptr) return;
  const size_t bytes = class_bytes(nbytes);
  if (bytes <= kSmallLimit) {
    if (ThreadCache* cache = thread_cache()) {
      const int c = small_class(bytes);
      if (cache->count[c] < kThreadCacheDepth) {
        cache->blocks[c][cache->count[c]++] = ptr;
        return;
      }
    }
  }
  shared_pool().give(ptr, bytes);
}

void release_cached_memory() {
  if (ThreadCache* cache = thread_cache()) {
    for (int c = 0; c < kNumSmallClasses; ++c) {
      for (int i = 0; i < cache->count[c]; ++i) std::free(cache->blocks[c][i]);
      cache->count[c] = 0;
    }
  }
  shared_pool().clear();
}

AllocatorStats allocator_stats() {
  AllocatorStats s;
  s.system_allocations = g_system_allocations.load();
  std::lock_guard<std::mutex> lock(shared_pool().mutex);
  s.cached_bytes = shared_pool().cached_bytes;
  return s;
}

}  // namespace wick::cpu
