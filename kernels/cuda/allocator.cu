// Caching device allocator. cudaMalloc/cudaFree synchronise the device and cost tens of microseconds, so
// memory is taken from the driver in segments and handed out as blocks:
//   - requests round up to 512 bytes; up to 1 MiB they come from 2 MiB segments (the small pool), larger
//     ones from 20 MiB segments or their own segment rounded to 2 MiB (the large pool);
//   - a free block bigger than the request is split, and a freed block merges with free neighbours;
//   - free blocks are kept per stream, best fit first: work queued on a stream runs in order, so a block
//     freed by one thread is immediately reusable by that thread's later kernels and never handed to
//     another stream while its last use may still be running.
// When cudaMalloc fails, every unused cached segment is released and the request retried once.
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "allocator.h"
#include "common.cuh"

namespace wick::cuda {
namespace {

constexpr size_t kMinBlock = 512;
constexpr size_t kSmallRequest = size_t(1) << 20;   // <= 1 MiB: small pool
constexpr size_t kSmallSegment = size_t(2) << 20;   // small pool segments
constexpr size_t kLargeSegment = size_t(20) << 20;  // large requests below kMinLargeAlloc share these
constexpr size_t kMinLargeAlloc = size_t(10) << 20;
constexpr size_t kLargeRound = size_t(2) << 20;

size_t round_request(size_t n) { return n < kMinBlock ? kMinBlock : (n + kMinBlock - 1) / kMinBlock * kMinBlock; }
size_t segment_size(size_t n) {
  if (n <= kSmallRequest) return kSmallSegment;
  if (n < kMinLargeAlloc) return kLargeSegment;
  return (n + kLargeRound - 1) / kLargeRound * kLargeRound;
}

struct Block {
  char* ptr;
  size_t size;
  cudaStream_t stream;  // the stream of the thread that allocated it
  bool small;
  bool allocated = false;
  Block* prev = nullptr;  // neighbours within one segment
  Block* next = nullptr;
};

struct BlockOrder {  // by stream, then size (best fit), then address
  bool operator()(const Block* a, const Block* b) const {
    if (a->stream != b->stream) return uintptr_t(a->stream) < uintptr_t(b->stream);
    if (a->size != b->size) return a->size < b->size;
    return uintptr_t(a->ptr) < uintptr_t(b->ptr);
  }
};

class DeviceCache {
 public:
  explicit DeviceCache(int device) : device_(device) {}

  void* malloc(size_t nbytes, cudaStream_t stream) {
    const size_t size = round_request(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    process_pending_frees();
    ++stats_.allocations;
    std::set<Block*, BlockOrder>& pool = size <= kSmallRequest ? small_ : large_;
    Block key{nullptr, size, stream, false};
    Block* block = nullptr;
    auto it = pool.lower_bound(&key);
    if (it != pool.end() && (*it)->stream == stream) {
      block = *it;
      pool.erase(it);
      ++stats_.cache_hits;
    } else {
      block = new_segment(size, stream);
    }
    // Split off the rest when it is worth keeping as a block of its own.
    const size_t rest = block->size - size;
    if ((block->small && rest >= kMinBlock) || (!block->small && rest > kSmallRequest)) {
      Block* tail = new Block{block->ptr + size, rest, stream, block->small};
      tail->prev = block;
      tail->next = block->next;
      if (block->next) block->next->prev = tail;
      block->next = tail;
      block->size = size;
      pool.insert(tail);
    }
    block->allocated = true;
    live_.emplace(block->ptr, block);
    stats_.allocated_bytes += block->size;
    if (stats_.allocated_bytes > stats_.peak_allocated_bytes) stats_.peak_allocated_bytes = stats_.allocated_bytes;
    return block->ptr;
  }

  void free(void* ptr) noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(ptr);
    if (it == live_.end()) return;  // not ours (a bug elsewhere): leaking beats corrupting the pool
    Block* block = it->second;
    live_.erase(it);
    stats_.allocated_bytes -= block->size;
    // Freed by a thread whose stream is not the block's: the block waits until that thread's queued work
    // (which may still read it) has run.
    cudaStream_t mine = peek_stream(device_);
    if (mine != nullptr && mine != block->stream) {
      cudaEvent_t ev = take_event();
      if (ev && cudaEventRecord(ev, mine) == cudaSuccess) {
        pending_.push_back({ev, block});
        return;
      }
      (void)cudaGetLastError();
      if (ev) events_.push_back(ev);
      if (cudaStreamSynchronize(mine) != cudaSuccess) (void)cudaGetLastError();
    }
    release_block(block);
  }

  // Frees whole unused segments back to the driver. The caller holds no lock.
  void release_cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_cached_locked();
  }

  MemoryStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }
  void reset_peaks() {
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.peak_allocated_bytes = stats_.allocated_bytes;
    stats_.peak_reserved_bytes = stats_.reserved_bytes;
  }

 private:
  Block* new_segment(size_t size, cudaStream_t stream) {
    const size_t bytes = segment_size(size);
    void* p = nullptr;
    cudaError_t err = device_malloc(&p, bytes);
    if (err == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      ++stats_.out_of_memory_retries;
      release_cached_locked();
      err = device_malloc(&p, bytes);
    }
    if (err != cudaSuccess) {
      (void)cudaGetLastError();
      size_t free_bytes = 0, total_bytes = 0;
      if (cudaMemGetInfo(&free_bytes, &total_bytes) != cudaSuccess) (void)cudaGetLastError();
      constexpr double MiB = 1024.0 * 1024.0;
      fail("cuda", "out of memory: tried to allocate ", double(bytes) / MiB, " MiB on cuda:", device_, " (",
           double(stats_.allocated_bytes) / MiB, " MiB held by tensors, ",
           double(stats_.reserved_bytes - stats_.allocated_bytes) / MiB, " MiB cached, ", double(free_bytes) / MiB,
           " MiB free of ", double(total_bytes) / MiB, " MiB): ", cudaGetErrorString(err));
    }
    ++stats_.device_mallocs;
    stats_.reserved_bytes += bytes;
    if (stats_.reserved_bytes > stats_.peak_reserved_bytes) stats_.peak_reserved_bytes = stats_.reserved_bytes;
    return new Block{static_cast<char*>(p), bytes, stream, size <= kSmallRequest};
  }

  cudaError_t device_malloc(void** p, size_t bytes) {
    const int previous = current_device();
    if (previous != device_) set_current_device(device_);
    const cudaError_t err = cudaMalloc(p, bytes);
    if (previous != device_) set_current_device(previous);
    return err;
  }

  void release_block(Block* block) {
    block->allocated = false;
    std::set<Block*, BlockOrder>& pool = block->small ? small_ : large_;
    for (Block* n : {block->prev, block->next}) {
      if (!n || n->allocated) continue;
      pool.erase(n);
      if (n == block->prev) {
        block->ptr = n->ptr;
        block->prev = n->prev;
        if (n->prev) n->prev->next = block;
      } else {
        block->next = n->next;
        if (n->next) n->next->prev = block;
      }
      block->size += n->size;
      delete n;
    }
    pool.insert(block);
  }

  void process_pending_frees() {
    while (!pending_.empty()) {
      auto [ev, block] = pending_.front();
      const cudaError_t q = cudaEventQuery(ev);
      if (q == cudaErrorNotReady) return;
      if (q != cudaSuccess) (void)cudaGetLastError();
      pending_.pop_front();
      events_.push_back(ev);
      release_block(block);
    }
  }

  cudaEvent_t take_event() noexcept {
    if (!events_.empty()) {
      cudaEvent_t ev = events_.back();
      events_.pop_back();
      return ev;
    }
    cudaEvent_t ev = nullptr;
    if (cudaEventCreateWithFlags(&ev, cudaEventDisableTiming) != cudaSuccess) {
      (void)cudaGetLastError();
      return nullptr;
    }
    return ev;
  }

  void release_cached_locked() {
    // Blocks waiting on other streams must finish first; then no queued kernel can touch a free segment.
    const int previous = current_device();
    if (previous != device_) set_current_device(device_);
    if (cudaDeviceSynchronize() != cudaSuccess) (void)cudaGetLastError();
    while (!pending_.empty()) {
      events_.push_back(pending_.front().first);
      release_block(pending_.front().second);
      pending_.pop_front();
    }
    for (auto* pool : {&small_, &large_}) {
      for (auto it = pool->begin(); it != pool->end();) {
        Block* b = *it;
        if (b->prev || b->next) {
          ++it;
          continue;
        }
        if (cudaFree(b->ptr) != cudaSuccess) (void)cudaGetLastError();
        ++stats_.device_frees;
        stats_.reserved_bytes -= b->size;
        it = pool->erase(it);
        delete b;
      }
    }
    if (previous != device_) set_current_device(previous);
  }

  const int device_;
  std::mutex mutex_;
  std::set<Block*, BlockOrder> small_, large_;
  std::unordered_map<void*, Block*> live_;
  std::deque<std::pair<cudaEvent_t, Block*>> pending_;
  std::vector<cudaEvent_t> events_;
  MemoryStats stats_;
};

DeviceCache& cache(int device) {
  // Never destroyed: tensors may be freed during process exit, after static destructors have run.
  static DeviceCache* caches = [] {
    auto* c = static_cast<DeviceCache*>(::operator new(sizeof(DeviceCache) * kMaxDevices));
    for (int d = 0; d < kMaxDevices; ++d) new (&c[d]) DeviceCache(d);
    return c;
  }();
  return caches[device];
}

}  // namespace

void* cached_malloc(size_t nbytes, int device) { return cache(device).malloc(nbytes, stream_for(device)); }

void cached_free(void* ptr, int device) noexcept {
  if (ptr) cache(device).free(ptr);
}

void release_cached_blocks() {
  for (int d = 0; d < device_count(); ++d) cache(d).release_cached();
}

MemoryStats allocator_stats(int device) { return cache(device).stats(); }
void reset_allocator_peaks(int device) { cache(device).reset_peaks(); }

}  // namespace wick::cuda
