// The calling thread's tape: where entries come from (a pooled allocator, no heap call per op in steady
// state), how an op's entry is wired to its inputs and outputs, and how entries die. An entry lives as
// long as a tensor or a later entry can reach it, so a forward loop that never calls backward frees its
// entries as its tensors go out of scope: memory stays bounded.
#include <cxxabi.h>

#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "tensor_factory.h"
#include "wick/detail/per_thread.h"
#include "wick/detail/record.h"

namespace wick::detail {
namespace {

// ---- pooled allocation ----------------------------------------------------------------------------
constexpr size_t kGranule = 64;
constexpr size_t kNumClasses = 32;  // entries up to 2 KiB are pooled
constexpr size_t kMaxPooled = 4096;

// This thread's pooled entries, and the worklist of destroy() (kept to reuse its capacity). Gone once the thread's
// TLS destructors ran: an entry freed after that (a thread_local tensor outliving them) is freed directly.
struct TapeThreadState {
  std::vector<void*> free_lists[kNumClasses];
  std::vector<Node*> doomed;
  ~TapeThreadState() {
    for (auto& list : free_lists)
      for (void* p : list) std::free(p);
  }
};
TapeThreadState* thread_state() { return PerThread<TapeThreadState>::get(); }

size_t size_class(size_t bytes) { return (bytes + kGranule - 1) / kGranule; }

// ---- tape identity and order ----------------------------------------------------------------------
thread_local char t_tape_marker;
thread_local uint64_t t_sequence = 0;

// Iterative destruction: freeing the head of a 100,000-entry chain must not recurse 100,000 deep.
thread_local std::vector<Node*>* t_doomed = nullptr;  // the running destroy()'s worklist
thread_local int64_t t_live_entries = 0;

}  // namespace

void* Node::operator new(size_t size) {
  const size_t c = size_class(size);
  TapeThreadState* state = thread_state();
  if (c < kNumClasses && state) {
    auto& list = state->free_lists[c];
    if (!list.empty()) {
      void* p = list.back();
      list.pop_back();
      return p;
    }
    if (void* p = std::malloc(c * kGranule)) return p;
    throw std::bad_alloc();
  }
  if (void* p = std::malloc(size)) return p;
  throw std::bad_alloc();
}

void Node::operator delete(void* p, size_t size) {
  const size_t c = size_class(size);
  if (TapeThreadState* state = thread_state(); c < kNumClasses && state && state->free_lists[c].size() < kMaxPooled) {
    state->free_lists[c].push_back(p);
    return;
  }
  std::free(p);
}

Node::~Node() = default;

void Node::destroy() {
  if (t_doomed) {  // inside a destroy() further up this thread's stack: its loop takes this entry
    t_doomed->push_back(this);
    return;
  }
  TapeThreadState* state = thread_state();
  std::vector<Node*> exiting;  // the worklist once this thread's state is gone
  std::vector<Node*>& doomed = state ? state->doomed : exiting;
  t_doomed = &doomed;
  doomed.push_back(this);
  while (!doomed.empty()) {
    Node* n = doomed.back();
    doomed.pop_back();
    for (int i = 0; i < n->num_inputs; ++i) {
      if (n->edges[i].node) n->edges[i].node->decref();  // may push onto doomed
      if (n->edges[i].leaf) n->edges[i].leaf->weak_decref();
    }
    if (n->edges != n->inline_edges) {
      delete[] n->edges;
      delete[] n->inputs;
      delete[] n->needed;
    }
    delete n->hooks;
    delete n;
    --t_live_entries;
  }
  t_doomed = nullptr;
}

void attach(Node* node, const Tensor* const* inputs, int num_inputs, Tensor* const* outputs, int num_outputs) {
  if (num_inputs > Node::kInline) {
    node->edges = new Edge[size_t(num_inputs)];
    node->inputs = new InputMeta[size_t(num_inputs)];
    node->needed = new bool[size_t(num_inputs)];
  }
  node->num_inputs = uint16_t(num_inputs);
  node->num_outputs = uint16_t(num_outputs);
  for (int i = 0; i < num_inputs; ++i) {
    const Tensor& t = *inputs[i];
    Edge& e = node->edges[i];
    node->needed[i] = false;
    if (!t.defined()) continue;
    TensorImpl* impl = t.impl();
    InputMeta& meta = node->inputs[i];
    meta.sizes = impl->sizes;
    meta.dtype = impl->dtype;
    meta.device = impl->device;
    if (impl->grad_fn) {
      e.node = impl->grad_fn;
      e.node->incref();
      e.output_nr = impl->output_nr;
      node->needed[i] = true;
    } else if (impl->requires_grad) {
      e.leaf = impl;
      impl->weak_incref();
      node->needed[i] = true;
    }
  }
  ++t_live_entries;
  node->sequence = ++t_sequence;
  node->tape = &t_tape_marker;
  node->scope = grad_state().scope;
  // The outputs own the entry: the creation reference passes to the first, each further one takes its own
  // (an atomic increment and decrement saved on every recorded op).
  for (int j = 0; j < num_outputs; ++j) {
    TensorImpl* impl = outputs[j]->impl();
    if (j > 0) node->incref();
    if (impl->grad_fn) impl->grad_fn->decref();  // an in-place op replaces the tensor's history
    impl->grad_fn = node;
    impl->output_nr = uint32_t(j);
    impl->requires_grad = true;
  }
  if (num_outputs == 0) node->decref();
}

const void* current_tape() { return &t_tape_marker; }
uint64_t tape_position() { return t_sequence; }
int64_t live_entries() { return t_live_entries; }

// ---- saved tensors ----------------------------------------------------------------------------------
namespace {
thread_local Node* t_running = nullptr;  // the entry whose backward is executing (set by the engine)
}

Node* running_node() { return t_running; }

const char* type_name(const char* mangled) {
  static std::mutex mutex;
  static std::set<std::string> names;
  int status = 0;
  char* readable = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string name = status == 0 && readable ? readable : mangled;
  std::free(readable);
  std::lock_guard<std::mutex> lock(mutex);
  return names.insert(name).first->c_str();
}
void set_running_node(Node* n) { t_running = n; }

SavedTensor::SavedTensor(const Tensor& t, bool is_output) : is_output_(is_output) {
  if (!t.defined()) return;
  version_ = t.impl()->storage->version;
  TensorImpl* impl = t.impl();
  if (is_output) {
    // An alias without history: the entry must not own a tensor that owns the entry.
    data_ = make_alias(t, t.sizes(), t.strides(), t.storage_offset());
    output_nr_ = impl->output_nr;
  } else if (impl->grad_fn || !impl->requires_grad) {
    // An alias holding t's history as it is now. Saving t itself would let a later in-place op move t onto a
    // new entry that depends on this one (y = x * 2; z = y * y; y.add_(z)): the entry would own a tensor that
    // owns the entry, and neither would ever be freed.
    data_ = make_alias(t, t.sizes(), t.strides(), t.storage_offset());
    TensorImpl* alias = data_.impl();
    if (impl->grad_fn) {
      impl->grad_fn->incref();
      alias->grad_fn = impl->grad_fn;
      alias->output_nr = impl->output_nr;
    }
    alias->requires_grad = impl->requires_grad;
  } else {
    // A leaf that requires grad: what is computed from the saved value must send its gradient to the leaf itself,
    // but the entry must not own it, for the leaf's .grad may own the entry (x.grad().mul_(x), or a create_graph
    // backward): the values are held here, the leaf weakly.
    data_ = make_alias(t, t.sizes(), t.strides(), t.storage_offset());
    leaf_ = WeakLeaf(impl);
  }
}

Tensor SavedTensor::get() const {
  if (!data_.defined()) return data_;
  const uint32_t now = data_.impl()->storage->version;
  if (now != version_) {
    const Node* n = t_running;
    fail("autograd", "one of the tensors needed to compute the gradient of '", n ? n->name : "?",
         "' (saved with shape ", shape_str(data_.sizes()), ") was modified by an in-place operation: it is at version ",
         now, ", expected version ", version_, ". Use clone() before the in-place op, or make it out-of-place.");
  }
  if (Tensor leaf = leaf_.lock(); leaf.defined()) return leaf;  // once the leaf has died, its values suffice
  if (is_output_ && grad_state().enabled && t_running) {
    // create_graph: the saved output must carry its history so the derivative is differentiable.
    Tensor with_history = make_alias(data_, data_.sizes(), data_.strides(), data_.storage_offset());
    TensorImpl* impl = with_history.impl();
    t_running->incref();
    impl->grad_fn = t_running;
    impl->output_nr = output_nr_;
    impl->requires_grad = true;
    return with_history;
  }
  return data_;
}

// ---- in-place ops -----------------------------------------------------------------------------------
bool prepare_inplace(const char* op, const Tensor& t) {
  TensorImpl* impl = t.impl();
  if (!impl->requires_grad || !grad_state().enabled) return false;
  WICK_CHECK(impl->grad_fn != nullptr, op, "a leaf tensor that requires grad (shape ", shape_str(impl->sizes),
             ") is being used in an in-place operation; wrap the update in wick::NoGradGuard");
  return true;
}

}  // namespace wick::detail
