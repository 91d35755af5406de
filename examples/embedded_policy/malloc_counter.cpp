// Replaces the C library's allocation functions with ones that count, then call glibc's own implementation.
// Every C++ allocation reaches one of these (libstdc++'s operator new calls malloc), so an allocation-free loop
// is one that leaves the count at zero. Frees are not counted: freeing is not what a real-time loop must avoid.
#include "malloc_counter.h"

#include <atomic>
#include <cerrno>
#include <cstddef>

#if defined(__GLIBC__)
extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void __libc_free(void*);
}

namespace {
std::atomic<bool> counting{false};
std::atomic<uint64_t> count{0};
inline void note() {
  if (counting.load(std::memory_order_relaxed)) count.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(size_t n) {
  note();
  return __libc_malloc(n);
}
void* calloc(size_t n, size_t size) {
  note();
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t n) {
  note();
  return __libc_realloc(p, n);
}
void free(void* p) { __libc_free(p); }
void* memalign(size_t alignment, size_t n) {
  note();
  return __libc_memalign(alignment, n);
}
void* aligned_alloc(size_t alignment, size_t n) {
  note();
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, size_t alignment, size_t n) {
  note();
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, n);
  if (!p && n) return ENOMEM;
  *out = p;
  return 0;
}
}

namespace wick_example {
bool malloc_counter_available() { return true; }
void start_counting_mallocs() {
  count.store(0);
  counting.store(true);
}
uint64_t stop_counting_mallocs() {
  counting.store(false);
  return count.load();
}
}  // namespace wick_example

#else
namespace wick_example {
bool malloc_counter_available() { return false; }
void start_counting_mallocs() {}
uint64_t stop_counting_mallocs() { return 0; }
}  // namespace wick_example
#endif
