// The backend object, its memory primitives, and host <-> device transfers through pinned staging buffers.
//
// Transfers from pageable host memory go through two pinned buffers per thread and device: host -> device
// copies the data into one, queues the DMA on the thread's stream and returns at once (the caller may free
// its memory), while the other buffer is being filled; device -> host alternates the two so the DMA of one
// chunk overlaps the host copy of the previous one.
#include <unistd.h>

#include <cstring>

#include "allocator.h"
#include "backend_impl.h"
#include "common.cuh"
#include "cuda_backend.h"

namespace wick::cuda {
namespace {

constexpr size_t kStagingChunk = size_t(8) << 20;
constexpr size_t kStagingMin = size_t(64) << 10;

struct StagingSlot {
  char* host = nullptr;
  size_t capacity = 0;
  cudaEvent_t done = nullptr;  // recorded after the last DMA that touches `host`
  bool used = false;

  char* get(size_t n) {
    wait();
    if (n > capacity) {
      if (host) WICK_CUDA_CHECK("to", cudaFreeHost(host));
      host = nullptr;
      size_t want = capacity ? capacity : kStagingMin;
      while (want < n) want *= 2;
      WICK_CUDA_CHECK("to", cudaHostAlloc(reinterpret_cast<void**>(&host), want, cudaHostAllocPortable));
      capacity = want;
    }
    if (!done) WICK_CUDA_CHECK("to", cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
    return host;
  }
  void record(cudaStream_t s) {
    WICK_CUDA_CHECK("to", cudaEventRecord(done, s));
    used = true;
  }
  void wait() {
    if (used) WICK_CUDA_CHECK("to", cudaEventSynchronize(done));
    used = false;
  }
};

struct Staging {
  StagingSlot slots[2];
  int next = 0;
  ~Staging() {
    for (StagingSlot& s : slots) {
      if (s.used && cudaEventSynchronize(s.done) != cudaSuccess) (void)cudaGetLastError();
      if (s.host && cudaFreeHost(s.host) != cudaSuccess) (void)cudaGetLastError();
      if (s.done && cudaEventDestroy(s.done) != cudaSuccess) (void)cudaGetLastError();
    }
  }
};

struct StagingHolder {            // by pointer: thread-locals stay small (initial-exec TLS)
  Staging* per_device = nullptr;  // kMaxDevices of them; buffers are allocated on first use
  ~StagingHolder() {
    delete[] per_device;
    per_device = nullptr;
  }
};
thread_local StagingHolder t_staging;

Staging& staging(int device) {
  if (!t_staging.per_device) t_staging.per_device = new Staging[kMaxDevices];
  return t_staging.per_device[device];
}

// Makes `device` current for a scope.
struct DeviceScope {
  int previous;
  explicit DeviceScope(int device) : previous(current_device()) { set_current_device(device); }
  ~DeviceScope() {
    try {
      set_current_device(previous);
    } catch (...) {}
  }
};

}  // namespace

CudaBackend& backend() {
  static CudaBackend instance;
  return instance;
}

// Registration runs at a program's first op, CPU ops included, and initialising the CUDA driver to count
// devices takes ~0.2 s on a GPU machine. So where a driver is visible the backend registers at once and
// counts devices on first use (no device then reads "cuda:0 does not exist (0 devices)"); elsewhere it
// asks the runtime, which answers in well under a millisecond without a driver.
Backend* cuda_backend_if_available() {
  const bool driver_visible = access("/dev/nvidiactl", F_OK) == 0 || access("/dev/dxg", F_OK) == 0;  // dxg: WSL2
  if (driver_visible) return &backend();
  return device_count() > 0 ? &backend() : nullptr;
}

int CudaBackend::device_count() const { return cuda::device_count(); }

void* CudaBackend::allocate(size_t nbytes, int device_index) { return cached_malloc(nbytes, device_index); }

void CudaBackend::deallocate(void* ptr, size_t, int device_index) { cached_free(ptr, device_index); }

void CudaBackend::empty_cache() { release_cached_blocks(); }

void CudaBackend::synchronize(int device_index) { cuda::synchronize(device_index); }

void CudaBackend::copy_from_host(void* dst, const void* src, size_t nbytes, int device_index) {
  if (nbytes == 0) return;
  DeviceScope scope(device_index);
  const cudaStream_t s = stream_for(device_index);
  Staging& st = staging(device_index);
  for (size_t off = 0; off < nbytes; off += kStagingChunk) {
    const size_t n = nbytes - off < kStagingChunk ? nbytes - off : kStagingChunk;
    StagingSlot& slot = st.slots[st.next];
    st.next ^= 1;
    char* buf = slot.get(n);  // waits until the slot's previous DMA is done
    std::memcpy(buf, static_cast<const char*>(src) + off, n);
    WICK_CUDA_CHECK("to", cudaMemcpyAsync(static_cast<char*>(dst) + off, buf, n, cudaMemcpyHostToDevice, s));
    slot.record(s);
  }
}

void CudaBackend::copy_to_host(void* dst, const void* src, size_t nbytes, int device_index) {
  if (nbytes == 0) return;
  DeviceScope scope(device_index);
  const cudaStream_t s = stream_for(device_index);
  Staging& st = staging(device_index);
  const size_t chunks = (nbytes + kStagingChunk - 1) / kStagingChunk;
  auto chunk_bytes = [&](size_t k) { return k + 1 < chunks ? kStagingChunk : nbytes - k * kStagingChunk; };
  auto issue = [&](size_t k) {
    StagingSlot& slot = st.slots[k & 1];
    char* buf = slot.get(chunk_bytes(k));
    WICK_CUDA_CHECK("to", cudaMemcpyAsync(buf, static_cast<const char*>(src) + k * kStagingChunk, chunk_bytes(k),
                                          cudaMemcpyDeviceToHost, s));
    slot.record(s);
  };
  issue(0);
  if (chunks > 1) issue(1);
  for (size_t k = 0; k < chunks; ++k) {
    StagingSlot& slot = st.slots[k & 1];
    slot.wait();
    std::memcpy(static_cast<char*>(dst) + k * kStagingChunk, slot.host, chunk_bytes(k));
    if (k + 2 < chunks) issue(k + 2);
  }
  st.next = int(chunks & 1);
  raise_pending_fault(device_index);
}

}  // namespace wick::cuda
