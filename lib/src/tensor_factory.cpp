#include "tensor_factory.h"

#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"

namespace wick {

int64_t check_sizes(const char* op, IntArrayRef sizes) {
  int64_t numel = 1;
  bool overflow = false, has_zero = false;
  for (int64_t s : sizes) {
    WICK_CHECK(s >= 0, op, "negative dimension ", s, " in shape ", shape_str(sizes));
    // Signed overflow is UB, and a wrapped count can be anything (0 for [2^32, 2^32]): only a zero-sized dim
    // makes an overflowing shape allocatable.
    overflow = __builtin_mul_overflow(numel, s, &numel) || overflow;
    has_zero = has_zero || s == 0;
  }
  WICK_CHECK(!overflow || has_zero, op, "shape ", shape_str(sizes), " has more elements than int64 counts");
  return has_zero ? 0 : numel;
}

Tensor make_empty(IntArrayRef sizes, ScalarType dtype, Device device) {
  const int64_t numel = check_sizes("empty", sizes);
  size_t nbytes = 0;
  WICK_CHECK(!__builtin_mul_overflow(size_t(numel), size_t(element_size(dtype)), &nbytes), "empty", "shape ",
             shape_str(sizes), " has more elements than memory can hold");
  // Allocate before making the storage, so a failed allocation leaks nothing.
  void* data = backend_for(device).allocate(nbytes, device.index);
  note_storage_bytes(device, int64_t(nbytes));
  auto* storage = new StorageImpl;
  storage->device = device;
  storage->nbytes = nbytes;
  storage->data = data;
  auto* impl = new TensorImpl;
  impl->dtype = dtype;
  impl->device = device;
  impl->storage = storage;
  impl->sizes.assign(sizes);
  impl->strides = contiguous_strides(sizes);
  impl->is_inference = detail::grad_state().inference;
  return Tensor(impl);
}

Tensor make_alias(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  // Every view is made here: refuse one whose element count overflows int64 (expand/as_strided to huge sizes)
  // before any kernel loops over it.
  (void)product(sizes);
  TensorImpl* b = base.impl();
  auto* impl = new TensorImpl;
  impl->dtype = b->dtype;
  impl->device = b->device;
  impl->storage = b->storage;
  b->storage->incref();
  impl->offset = offset;
  impl->sizes.assign(sizes);
  impl->strides.assign(strides);
  impl->is_inference = b->is_inference;
  return Tensor(impl);
}

SizeVec broadcast_strides(const Tensor& t, IntArrayRef shape) {
  TensorImpl* i = t.impl();
  const size_t nd = shape.size(), td = i->sizes.size();
  SizeVec strides(nd, 0);
  for (size_t k = 0; k < td; ++k) {
    const size_t o = nd - td + k;
    strides[o] = (i->sizes[k] == 1 && shape[o] != 1) ? 0 : i->strides[k];
  }
  return strides;
}

}  // namespace wick
