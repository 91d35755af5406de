// Per-thread free lists for the small objects created on every op (TensorImpl, StorageImpl): a steady
// loop reuses them instead of calling malloc. Blocks freed on another thread join that thread's list.
#pragma once

#include <cstdlib>
#include <new>

namespace wick::detail {

template <size_t kSize>
class ObjectPool {
 public:
  static void* allocate() {
    Holder& h = holder();
    if (h.count > 0) return h.blocks[--h.count];
    if (void* p = std::malloc(kSize)) return p;
    throw std::bad_alloc();
  }
  static void release(void* p) {
    Holder& h = holder();
    if (h.count < kDepth) {
      h.blocks[h.count++] = p;
      return;
    }
    std::free(p);
  }

 private:
  static constexpr int kDepth = 1024;
  struct Holder {
    void** blocks = nullptr;
    int count = 0;
    Holder() : blocks(static_cast<void**>(std::malloc(sizeof(void*) * kDepth))) {}
    ~Holder() {
      for (int i = 0; i < count; ++i) std::free(blocks[i]);
      std::free(blocks);
    }
  };
  static Holder& holder() {
    thread_local Holder h;
    return h;
  }
};

}  // namespace wick::detail
