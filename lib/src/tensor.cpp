// The Tensor handle's own members: layout queries, element access and lifetime.
#include "wick/tensor.h"

#include "compile/capture.h"
#include "compile/watch.h"
#include "object_pool.h"
#include "tensor_factory.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick {

void* StorageImpl::operator new(size_t size) {
  static_assert(sizeof(StorageImpl) <= 64);
  return size <= 64 ? detail::ObjectPool<64>::allocate() : ::operator new(size);
}
void StorageImpl::operator delete(void* p) { detail::ObjectPool<64>::release(p); }

void* TensorImpl::operator new(size_t size) {
  static_assert(sizeof(TensorImpl) <= 256);
  return size <= 256 ? detail::ObjectPool<256>::allocate() : ::operator new(size);
}
void TensorImpl::operator delete(void* p) { detail::ObjectPool<256>::release(p); }

void StorageImpl::release() {
  detail::compile::on_storage_release(data, nbytes);
  if (!external) {
    backend_for(device).deallocate(data, nbytes, device.index);
    note_storage_bytes(device, -int64_t(nbytes));
  } else if (deleter) {
    deleter(data, deleter_context);
  }
  delete this;
}

void TensorImpl::destroy() {
  if (extras) detail::destroy_autograd_extras(this);
  if (grad_fn) grad_fn->decref();
  if (view_base) view_base->decref();
  storage->decref();
  // A weak holder may still look at what is left: a dead tensor has no history, hooks or grad.
  grad_fn = nullptr;
  view_base = nullptr;
  storage = nullptr;
  requires_grad = false;
  weak_decref();
}

int64_t Tensor::size(int64_t d) const {
  TensorImpl* i = checked();
  // wrap_dim accepts dim 0 of a 0-dim tensor (ops treat it as one element); a 0-dim tensor has no size to read.
  WICK_CHECK(!i->sizes.empty(), "size", "dimension specified as ", d, " but the tensor has no dimensions");
  return i->sizes[size_t(wrap_dim("size", d, int64_t(i->sizes.size())))];
}

int64_t Tensor::stride(int64_t d) const {
  TensorImpl* i = checked();
  // wrap_dim accepts dim 0 of a 0-dim tensor (ops treat it as one element); a 0-dim tensor has no stride to read.
  WICK_CHECK(!i->sizes.empty(), "stride", "dimension specified as ", d, " but the tensor has no dimensions");
  return i->strides[size_t(wrap_dim("stride", d, int64_t(i->sizes.size())))];
}

bool Tensor::is_contiguous() const {
  TensorImpl* i = checked();
  int64_t expected = 1;
  for (size_t k = i->sizes.size(); k-- > 0;) {
    if (i->sizes[k] == 1) continue;
    if (i->strides[k] != expected) return false;
    expected *= i->sizes[k];
  }
  return true;
}

template <class T>
T* Tensor::data_ptr() const {
  TensorImpl* i = checked();
  WICK_CHECK(i->dtype == scalar_type_of<T>, "data_ptr", "expected a tensor of dtype ", dtype_name(scalar_type_of<T>),
             " but this one is ", dtype_name(i->dtype));
  // Typed access is how host code reads or writes values: a compiled step that does it cannot be replayed.
  detail::note_host_dependence("data_ptr<T>()");
  return reinterpret_cast<T*>(i->byte_ptr());
}

template <class T>
T Tensor::item() const {
  return item().to<T>();
}

Scalar Tensor::item() const {
  WICK_PROFILE_OP("item", *this);
  TensorImpl* i = checked();
  WICK_CHECK(i->numel() == 1, "item", "a tensor with ", i->numel(), " elements (shape ", shape_str(i->sizes),
             ") cannot be converted to a scalar");
  alignas(8) unsigned char buf[8];
  backend_for(i->device).copy_to_host(buf, i->byte_ptr(), size_t(wick::element_size(i->dtype)), i->device.index);
  switch (i->dtype) {
    case kBool: return Scalar(bool(buf[0]));
    case kUInt8: return Scalar(int64_t(buf[0]));
    case kInt8: return Scalar(int64_t(*reinterpret_cast<int8_t*>(buf)));
    case kInt32: return Scalar(int64_t(*reinterpret_cast<int32_t*>(buf)));
    case kInt64: return Scalar(*reinterpret_cast<int64_t*>(buf));
    case kHalf: return Scalar(double(float(*reinterpret_cast<Half*>(buf))));
    case kBFloat16: return Scalar(double(float(*reinterpret_cast<BFloat16*>(buf))));
    case kFloat: return Scalar(double(*reinterpret_cast<float*>(buf)));
    case kDouble: return Scalar(*reinterpret_cast<double*>(buf));
  }
  return Scalar();
}

#define WICK_INSTANTIATE_ACCESS(T)         \
  template T* Tensor::data_ptr<T>() const; \
  template T Tensor::item<T>() const;
WICK_INSTANTIATE_ACCESS(bool)
WICK_INSTANTIATE_ACCESS(uint8_t)
WICK_INSTANTIATE_ACCESS(int32_t)
WICK_INSTANTIATE_ACCESS(int64_t)
WICK_INSTANTIATE_ACCESS(Half)
WICK_INSTANTIATE_ACCESS(BFloat16)
WICK_INSTANTIATE_ACCESS(float)
WICK_INSTANTIATE_ACCESS(double)
#undef WICK_INSTANTIATE_ACCESS
template long long Tensor::item<long long>() const;  // LibTorch programs spell int64 both ways

Tensor& Tensor::operator=(const Tensor& o) && {
  copy_(o);
  return *this;
}

Tensor& Tensor::operator=(Scalar v) && {
  fill_(v);
  return *this;
}

TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  WICK_CHECK(std::string_view(s) == "...", "index", "the only string index is \"...\", got \"", s, "\"");
}

}  // namespace wick
