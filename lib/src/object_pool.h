// Per-thread free lists for the small objects created on every op (TensorImpl, StorageImpl): a steady
// loop reuses them instead of calling malloc. Blocks freed on another thread join that thread's list; blocks freed
// after the thread's list is gone (a tensor outliving its thread's TLS) go straight to free().
#pragma once

#include <cstdlib>
#include <new>

#include "wick/detail/per_thread.h"

namespace wick::detail {

template <size_t kSize>
class ObjectPool {
 public:
  static void* allocate() {
    if (FreeList* list = PerThread<FreeList>::get(); list && list->count > 0) return list->blocks[--list->count];
    if (void* p = std::malloc(kSize)) return p;
    throw std::bad_alloc();
  }
  static void release(void* p) {
    if (FreeList* list = PerThread<FreeList>::get(); list && list->count < kDepth) {
      list->blocks[list->count++] = p;
      return;
    }
    std::free(p);
  }

 private:
  static constexpr int kDepth = 1024;
  struct FreeList {
    void* blocks[kDepth];
    int count = 0;
    ~FreeList() {
      for (int i = 0; i < count; ++i) std::free(blocks[i]);
    }
  };
};

}  // namespace wick::detail
