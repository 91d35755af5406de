// Devices, per-thread streams, errors found inside kernels, and the public wick::cuda functions.
//
// Every thread gets its own stream on each device it uses (taken from a pool and given back, synchronised,
// when the thread ends), so two threads training two models never wait on each other's kernels.
#include <mutex>
#include <string>
#include <vector>

#include "allocator.h"
#include "blas.h"
#include "common.cuh"
#include "wick/cuda.h"
#include "wick/cuda_stream.h"

namespace wick::cuda {

void throw_cuda_error(const char* op, const char* call, cudaError_t err) {
  fail(op, call, " failed: ", cudaGetErrorString(err), " (", cudaGetErrorName(err), ")");
}

// ---- devices ----------------------------------------------------------------------------------------
namespace {

struct DeviceTable {
  int count = 0;
  int sm_count[kMaxDevices] = {};
  std::string names[kMaxDevices];
};

const DeviceTable& devices() {
  static const DeviceTable table = [] {
    DeviceTable t;
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
      (void)cudaGetLastError();  // no driver or no device: a CPU-only machine, not an error
      n = 0;
    }
    t.count = n < kMaxDevices ? n : kMaxDevices;
    for (int d = 0; d < t.count; ++d) {
      cudaDeviceProp p{};
      if (cudaGetDeviceProperties(&p, d) == cudaSuccess) {
        t.sm_count[d] = p.multiProcessorCount;
        t.names[d] = p.name;
      } else {
        (void)cudaGetLastError();
        t.sm_count[d] = 1;
      }
    }
    return t;
  }();
  return table;
}

// ---- per-thread streams -----------------------------------------------------------------------------
struct StreamPool {
  std::mutex mutex;
  std::vector<cudaStream_t> free[kMaxDevices];
};
StreamPool& stream_pool() {
  static StreamPool* pool = new StreamPool;  // never destroyed: threads hand streams back during exit
  return *pool;
}

struct ThreadState {
  int device = 0;
  cudaStream_t streams[kMaxDevices] = {};
  ~ThreadState() {
    // Work still queued must finish before another thread may reuse the stream (and the memory blocks
    // the allocator keyed to it). Errors are ignored: at process exit the runtime may already be gone.
    StreamPool& pool = stream_pool();
    for (int d = 0; d < kMaxDevices; ++d) {
      if (!streams[d]) continue;
      if (cudaStreamSynchronize(streams[d]) != cudaSuccess) {
        (void)cudaGetLastError();
        continue;
      }
      std::lock_guard<std::mutex> lock(pool.mutex);
      pool.free[d].push_back(streams[d]);
      streams[d] = nullptr;
    }
  }
};
// Held by pointer: the library's thread-locals stay a few bytes (it uses the initial-exec TLS model).
struct ThreadStateHolder {
  ThreadState* state = nullptr;
  ~ThreadStateHolder() {
    delete state;
    state = nullptr;
  }
};
thread_local ThreadStateHolder t_holder;

ThreadState& thread_state() {
  ThreadState* s = t_holder.state;
  if (__builtin_expect(s == nullptr, 0)) s = t_holder.state = new ThreadState;
  return *s;
}

cudaStream_t acquire_stream(int device) {
  StreamPool& pool = stream_pool();
  {
    std::lock_guard<std::mutex> lock(pool.mutex);
    if (!pool.free[device].empty()) {
      cudaStream_t s = pool.free[device].back();
      pool.free[device].pop_back();
      return s;
    }
  }
  // A blocking stream (it orders with the legacy default stream), so code that mixes in plain CUDA calls
  // on stream 0 stays correct.
  cudaStream_t s = nullptr;
  WICK_CUDA_CHECK("cuda", cudaStreamCreate(&s));
  return s;
}

void check_device(const char* op, int device) {
  WICK_CHECK(device >= 0 && device < devices().count, op, "CUDA device ", device, " does not exist (", devices().count,
             " device(s) present)");
}

}  // namespace

int device_count() { return devices().count; }
int sm_count(int device) { return devices().sm_count[device]; }

int current_device() {
  const ThreadState* s = t_holder.state;
  return s ? s->device : 0;
}

void set_current_device(int device) {
  ThreadState& st = thread_state();
  if (device == st.device) return;
  check_device("cuda", device);
  WICK_CUDA_CHECK("cuda", cudaSetDevice(device));
  st.device = device;
}

cudaStream_t stream_for(int device) {
  ThreadState& st = thread_state();
  cudaStream_t s = st.streams[device];
  if (__builtin_expect(s != nullptr, 1)) return s;
  check_device("cuda", device);
  const int previous = st.device;
  set_current_device(device);
  s = acquire_stream(device);
  st.streams[device] = s;
  set_current_device(previous);
  return s;
}

cudaStream_t peek_stream(int device) {
  const ThreadState* s = t_holder.state;
  return s ? s->streams[device] : nullptr;
}

int device_of_pointer(const void* p) {
  cudaPointerAttributes attr{};
  WICK_CUDA_CHECK("cuda", cudaPointerGetAttributes(&attr, p));
  return attr.device;
}

// ---- faults recorded by kernels ---------------------------------------------------------------------
namespace {

FaultRecord* g_fault_records[kMaxDevices] = {};  // device-side pointers (what kernels get)
FaultRecord* g_fault_hosts[kMaxDevices] = {};    // the same memory as the host sees it
std::mutex g_fault_mutex;

const char* fault_op_name(int op) {
  switch (FaultOp(op)) {
    case FaultOp::IndexSelect: return "index_select";
    case FaultOp::IndexAdd: return "index_add";
    case FaultOp::Gather: return "gather";
    case FaultOp::Scatter: return "scatter";
    case FaultOp::ScatterAdd: return "scatter_add";
    case FaultOp::Div: return "div";
    case FaultOp::Remainder: return "remainder";
    case FaultOp::Pow: return "pow";
    default: return "cuda";
  }
}

}  // namespace

FaultRecord* fault_record(int device) {
  FaultRecord* rec = __atomic_load_n(&g_fault_records[device], __ATOMIC_ACQUIRE);
  if (__builtin_expect(rec != nullptr, 1)) return rec;
  std::lock_guard<std::mutex> lock(g_fault_mutex);
  if (!g_fault_records[device]) {
    // Mapped, portable host memory: kernels on any device write it directly, the host reads it after a sync.
    void* host = nullptr;
    WICK_CUDA_CHECK("cuda", cudaHostAlloc(&host, sizeof(FaultRecord), cudaHostAllocMapped | cudaHostAllocPortable));
    __builtin_memset(host, 0, sizeof(FaultRecord));
    void* dev = nullptr;
    WICK_CUDA_CHECK("cuda", cudaHostGetDevicePointer(&dev, host, 0));
    g_fault_hosts[device] = static_cast<FaultRecord*>(host);
    __atomic_store_n(&g_fault_records[device], static_cast<FaultRecord*>(dev), __ATOMIC_RELEASE);
  }
  return g_fault_records[device];
}

void raise_pending_fault(int device) {
  if (!__atomic_load_n(&g_fault_records[device], __ATOMIC_ACQUIRE)) return;
  volatile FaultRecord* v = g_fault_hosts[device];
  const int code = v->code;
  if (code <= 0) return;
  const FaultRecord copy{code, v->op, v->dim, 0, v->value, v->size};
  v->code = 0;
  const char* op = fault_op_name(copy.op);
  const char* when = " (found by a CUDA kernel, reported at the next synchronisation)";
  switch (KernelFault(copy.code)) {
    case KernelFault::IndexOutOfRange:
      fail(op, "index ", copy.value, " is out of bounds for dim ", copy.dim, " with size ", copy.size, when);
    case KernelFault::IntegerDivisionByZero: fail(op, "integer division by zero", when);
    case KernelFault::NegativeIntegerPower:
      fail(op, "integers to negative integer powers are not allowed (exponent ", copy.value, ")", when);
    default: fail(op, "a CUDA kernel reported fault ", copy.code);
  }
}

// ---- the public API (wick/cuda.h) ---------------------------------------------------------------------
bool is_available() { return devices().count > 0; }

std::string device_name(int device) {
  if (device < 0 || device >= devices().count) return {};
  return devices().names[device];
}

void synchronize(int device) {
  if (!is_available()) return;
  if (device < 0) device = current_device();
  check_device("cuda::synchronize", device);
  const int previous = current_device();
  set_current_device(device);
  const cudaError_t err = cudaDeviceSynchronize();
  set_current_device(previous);
  if (err != cudaSuccess) throw_cuda_error("cuda::synchronize", "cudaDeviceSynchronize()", err);
  raise_pending_fault(device);
}

void empty_cache() {
  if (is_available()) release_cached_blocks();
}

void* current_stream(int device) {
  check_device("cuda::current_stream", device);
  return stream_for(device);
}

MemoryStats memory_stats(int device) {
  if (device < 0 || device >= device_count()) return {};
  return allocator_stats(device);
}
size_t memory_allocated(int device) { return memory_stats(device).allocated_bytes; }
size_t memory_reserved(int device) { return memory_stats(device).reserved_bytes; }
size_t max_memory_allocated(int device) { return memory_stats(device).peak_allocated_bytes; }
void reset_peak_memory_stats(int device) {
  if (device >= 0 && device < device_count()) reset_allocator_peaks(device);
}

void set_allow_tf32(bool allow) { set_tf32(allow); }
bool allow_tf32() { return tf32_allowed(); }

}  // namespace wick::cuda
