// Making tensors and handing their memory to a backend: the few functions every op file uses.
#pragma once

#include "backend_registry.h"
#include "wick/detail/op_scope.h"
#include "wick/memory_stats.h"
#include "wick/tensor.h"

namespace wick {

// Throws, naming `op`, for a negative size or a shape with more elements than int64 counts (a zero-sized dim
// makes any shape empty). Returns the element count. Ops that make tensors call it with their own name.
int64_t check_sizes(const char* op, IntArrayRef sizes);
// A new contiguous tensor with uninitialised memory from the device's caching allocator.
Tensor make_empty(IntArrayRef sizes, ScalarType dtype, Device device);
// Storage of `delta` bytes came to life (> 0) or was released (< 0): the two counters that watch tensor memory,
// the memory statistics (wick/memory_stats.h) and the profiler's CPU Mem column, each a relaxed load when off.
inline void note_storage_bytes(Device device, int64_t delta) {
  detail::count_tensor_memory(device, delta);
  if (profiler::detail::profiling() && device.is_cpu()) profiler::detail::count_cpu_bytes(delta);
}
// A tensor that shares `base`'s storage with other sizes, strides and offset (no autograd).
Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);

// The kernel-facing view of a tensor (valid while the tensor lives).
inline View view_of(const Tensor& t) {
  TensorImpl* i = t.impl();
  return View{i->byte_ptr(), i->dtype, int(i->sizes.size()), i->sizes.data(), i->strides.data()};
}
// The tensor seen through other sizes/strides, e.g. broadcast to an output shape.
inline View view_of(const Tensor& t, const SizeVec& sizes, const SizeVec& strides) {
  TensorImpl* i = t.impl();
  return View{i->byte_ptr(), i->dtype, int(sizes.size()), sizes.data(), strides.data()};
}

// Strides that present `t` as `shape` (numpy broadcasting: stride 0 on expanded dims). The caller has
// checked that the shapes are broadcast-compatible.
SizeVec broadcast_strides(const Tensor& t, IntArrayRef shape);

// Bumps the version counter shared by every view of t's storage (after an in-place write).
inline void bump_version(const Tensor& t) { ++t.impl()->storage->version; }

}  // namespace wick
