// The caching CPU allocator: alignment, reuse without new system allocations, and release.
#include <catch2/catch.hpp>

#include <cstdint>
#include <thread>
#include <vector>

#include "allocator.h"

using namespace wick::cpu;

TEST_CASE("allocator: blocks are 64-byte aligned and usable", "[kernels][allocator]") {
  for (size_t n : {size_t(1), size_t(63), size_t(64), size_t(65), size_t(4096), size_t(3) << 20}) {
    auto* p = static_cast<unsigned char*>(cached_alloc(n));
    CHECK(reinterpret_cast<uintptr_t>(p) % 64 == 0);
    for (size_t i = 0; i < n; ++i) p[i] = static_cast<unsigned char>(i);
    CHECK(p[n - 1] == static_cast<unsigned char>(n - 1));
    cached_free(p, n);
  }
  CHECK(cached_alloc(0) != nullptr);  // empty tensors still get a valid pointer
  cached_free(cached_alloc(0), 0);
}

TEST_CASE("allocator: a steady loop reuses blocks instead of asking the system", "[kernels][allocator]") {
  for (int i = 0; i < 10; ++i) cached_free(cached_alloc(1000), 1000);  // warm
  const size_t before = allocator_stats().system_allocations;
  for (int i = 0; i < 10000; ++i) {
    void* a = cached_alloc(1000);
    void* b = cached_alloc(5000000);  // large blocks go through the shared pool
    cached_free(a, 1000);
    cached_free(b, 5000000);
  }
  CHECK(allocator_stats().system_allocations - before <= 1);
}

TEST_CASE("allocator: blocks freed on another thread are reused safely", "[kernels][allocator][threads]") {
  std::vector<void*> blocks;
  for (int i = 0; i < 256; ++i) blocks.push_back(cached_alloc(size_t(64) << (i % 12)));
  std::thread t([&] {
    for (int i = 0; i < 256; ++i) cached_free(blocks[size_t(i)], size_t(64) << (i % 12));
  });
  t.join();  // the thread's cache returns its blocks to the shared pool when it exits
  for (int i = 0; i < 256; ++i) cached_free(cached_alloc(size_t(64) << (i % 12)), size_t(64) << (i % 12));
  release_cached_memory();
  CHECK(allocator_stats().cached_bytes == 0);
}

namespace {
// Frees its block when its thread's thread_locals are destroyed: after the allocator's own per-thread cache when
// it was constructed first, as a static or thread_local holding tensors is.
struct FreesAtThreadExit {
  void* block = nullptr;
  ~FreesAtThreadExit() { cached_free(block, 1000); }
};
}  // namespace

TEST_CASE("allocator: a block freed after its thread's cache is gone goes to the shared pool", "[kernels][allocator][threads]") {
  release_cached_memory();
  const size_t before = allocator_stats().cached_bytes;
  std::thread t([] {
    thread_local FreesAtThreadExit holder;  // constructed before the thread's cache, so destroyed after it
    holder.block = cached_alloc(1000);
  });
  t.join();
  // The cache's release ran (its blocks went to the shared pool) and the late free was not lost in freed memory.
  CHECK(allocator_stats().cached_bytes >= before + 1000);
  release_cached_memory();
}
