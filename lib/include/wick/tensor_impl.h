// The objects behind a Tensor handle: shared storage and the view that looks into it. Reference counts
// are intrusive (one allocation per tensor, atomic increments) so a handle copy costs one instruction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "wick/device.h"
#include "wick/dtype.h"
#include "wick/shape.h"

namespace wick {

namespace detail {
struct Node;
struct AutogradExtras;
}  // namespace detail

struct StorageImpl {
  int32_t refs = 1;
  // Bumped by every in-place write; shared by all views, so a saved tensor notices edits through any view.
  uint32_t version = 0;
  void* data = nullptr;
  size_t nbytes = 0;
  Device device;
  // Null: the memory came from the device's caching allocator and returns there. Otherwise a user's
  // from_blob deleter (or nothing to do when the user keeps ownership).
  void (*deleter)(void* data, void* context) = nullptr;
  void* deleter_context = nullptr;
  bool external = false;

  void incref() { __atomic_add_fetch(&refs, 1, __ATOMIC_RELAXED); }
  void decref() {
    if (__atomic_sub_fetch(&refs, 1, __ATOMIC_ACQ_REL) == 0) release();
  }
  void release();  // returns memory to its allocator or runs the deleter, then deletes this

  // From a per-thread free list: creating a tensor does not call malloc in steady state.
  static void* operator new(size_t size);
  static void operator delete(void* p);
};

struct TensorImpl {
  int32_t refs = 1;
  // Weak references (the tape's edges into leaves, saved leaves), plus one held by all strong references
  // together: a leaf's .grad may carry a history that points back at the leaf (an in-place op on .grad, a
  // create_graph backward), and a weak link there is what lets both be freed. The memory outlives the tensor until
  // the last weak reference goes, so a weak holder can still ask whether it is alive.
  int32_t weak_refs = 1;
  ScalarType dtype = ScalarType::Float;
  bool requires_grad = false;
  bool retains_grad = false;
  bool is_inference = false;
  Device device;
  uint32_t output_nr = 0;  // which output of grad_fn this tensor is
  StorageImpl* storage = nullptr;
  int64_t offset = 0;  // in elements
  SizeVec sizes;
  SizeVec strides;
  detail::Node* grad_fn = nullptr;           // owned reference; null for leaves and plain tensors
  detail::AutogradExtras* extras = nullptr;  // .grad, hooks, names: allocated on first use
  // For views made by view ops: the tensor whose memory they look into (owned reference; the root, never
  // itself a view). An in-place write through the view rewrites the base's history too.
  TensorImpl* view_base = nullptr;

  void incref() { __atomic_add_fetch(&refs, 1, __ATOMIC_RELAXED); }
  void decref() {
    if (__atomic_sub_fetch(&refs, 1, __ATOMIC_ACQ_REL) == 0) destroy();
  }
  void destroy();  // releases storage, history and extras; the memory waits for the weak references
  // A strong reference from a weak one: false (and nothing taken) once the tensor has died.
  bool try_incref() {
    int32_t n = __atomic_load_n(&refs, __ATOMIC_RELAXED);
    while (n > 0)
      if (__atomic_compare_exchange_n(&refs, &n, n + 1, true, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) return true;
    return false;
  }
  void weak_incref() { __atomic_add_fetch(&weak_refs, 1, __ATOMIC_RELAXED); }
  void weak_decref() {
    if (__atomic_sub_fetch(&weak_refs, 1, __ATOMIC_ACQ_REL) == 0) delete this;
  }
  int64_t numel() const { return product(sizes); }

  static void* operator new(size_t size);
  static void operator delete(void* p);
  char* byte_ptr() const { return static_cast<char*>(storage->data) + offset * element_size(dtype); }
};

}  // namespace wick
