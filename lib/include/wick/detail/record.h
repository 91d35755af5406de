// The one meeting point of ops (lib/) and autograd (autograd/): how an op records itself on the calling
// thread's tape. An op computes its result, then, if record_needed(...), calls
//
//   record("mul", {a, b}, {out}, [sa = save(a), sb = save(b)](Grads g) {
//     if (g.needed(0)) g.in[0] = g.out[0] * sb.get();
//     if (g.needed(1)) g.in[1] = g.out[0] * sa.get();
//   });
//
// The lambda is the derivative, written with public ops so that create_graph=true differentiates it again.
// The engine sums each input gradient back over broadcast dims and casts it to the input's dtype, so rules
// never do. A tape entry (Node) is one pooled allocation holding the lambda and its captures.
//
// An entry is named as LibTorch names its node (node_name): "mul" records MulBackward0; an overload LibTorch
// numbers differently says so, record({"mul", 1}, ...) for mul(Tensor, Scalar), MulBackward1; and a composite op
// (mean is sum then div) renames the entry its last step recorded with named(), so the node is MeanBackward0.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <new>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "wick/grad_mode.h"
#include "wick/tensor.h"

namespace wick::detail {

// ---- whether an op records: an input requires grad and grad mode is on ----------------------------
inline bool record_needed(const Tensor& a) { return a.impl()->requires_grad && grad_mode_enabled(); }
inline bool record_needed(const Tensor& a, const Tensor& b) {
  return (a.impl()->requires_grad || (b.defined() && b.impl()->requires_grad)) && grad_mode_enabled();
}
inline bool record_needed(std::initializer_list<const Tensor*> ts) {
  if (!grad_mode_enabled()) return false;
  for (const Tensor* t : ts)
    if (t->defined() && t->impl()->requires_grad) return true;
  return false;
}

// ---- tape entries ---------------------------------------------------------------------------------
struct Node;

// What an op records as: its name in wick's messages ("mul"), and the overload number LibTorch's node name ends
// in (add(Tensor, Tensor) is AddBackward0, add(Tensor, Scalar) AddBackward1). A user's autograd::Function records
// its class name with kCustomFunction.
struct OpName {
  OpName(const char* name, uint8_t overload = 0) : name(name), overload(overload) {}
  const char* name;
  uint8_t overload;
};
inline constexpr uint8_t kCustomFunction = 0xff;

// Where an input's gradient goes: into another entry's output slot, or into a leaf's .grad.
struct Edge {
  Node* node = nullptr;        // owned reference
  TensorImpl* leaf = nullptr;  // weak reference (the leaf's .grad may own this entry); see lock_leaf
  uint32_t output_nr = 0;
  bool defined() const { return node || leaf; }
};

// Per-input facts the engine needs to reshape and cast that input's gradient.
struct InputMeta {
  SizeVec sizes;
  ScalarType dtype = ScalarType::Float;
  Device device;
};

struct Grads {
  const Tensor* out;    // d(loss)/d(output i); an undefined tensor means zero
  Tensor* in;           // to fill: d(loss)/d(input i); leave undefined for zero
  const bool* needed_;  // whether input i needs a gradient at all
  bool needed(int i) const { return needed_[i]; }
};

// Non-leaf outputs that retain their grad or carry hooks register here, so the engine can find them
// when this entry's output gradients are complete. The tensors unregister when they die, and their hooks stay
// here: LibTorch keeps a tensor's hooks with its graph, so a hook on an intermediate that went out of scope before
// backward still runs.
struct OutputHooks {
  std::vector<TensorImpl*> tensors;                   // not owned
  std::vector<std::pair<uint32_t, HookFn>> orphaned;  // (output number, hook) of outputs that died; owned
  OutputHooks() = default;
  OutputHooks(const OutputHooks&) = delete;
  OutputHooks& operator=(const OutputHooks&) = delete;
  ~OutputHooks();
};

// Rarely used per-tensor autograd state.
struct AutogradExtras {
  Tensor grad;
  std::vector<std::pair<unsigned, HookFn>> hooks;
  std::vector<std::pair<unsigned, HookFn>> post_accumulate_hooks;  // leaves only; called with the leaf
  unsigned next_hook_id = 1;
  std::string name;
  ~AutogradExtras();
};
AutogradExtras& extras_of(TensorImpl* impl);  // creates on first use
// Whether any leaf of the process has ever had a hook (a gradient hook or a post-accumulate-grad one): until then
// the backward walk skips the bookkeeping those hooks need (one pass over the graph's edges).
bool leaf_hooks_used();

struct Node {
  int32_t refs = 1;
  uint16_t num_inputs = 0;
  uint16_t num_outputs = 0;
  bool released = false;       // saved values were freed by a backward without retain_graph
  uint8_t overload = 0;        // LibTorch's overload number of the op (OpName), or kCustomFunction
  uint64_t sequence = 0;       // recording order on the owning tape: newer entries have larger numbers
  const void* tape = nullptr;  // the recording thread's tape
  const char* name = nullptr;  // op name, e.g. "mul"
  const char* scope = nullptr;
  OutputHooks* hooks = nullptr;
  uint32_t scratch = 0;  // engine bookkeeping during one backward walk
  uint32_t walk = 0;     // id of the last walk that visited this entry
  // Per-input arrays: inline for up to kInline inputs (nearly every op), heap beyond (cat, stack).
  static constexpr int kInline = 3;
  Edge* edges = inline_edges;
  InputMeta* inputs = inline_inputs;
  bool* needed = inline_needed;
  Edge inline_edges[kInline];
  InputMeta inline_inputs[kInline];
  bool inline_needed[kInline] = {};

  virtual ~Node();
  virtual void apply(Grads grads) = 0;
  virtual void release_saved() = 0;
  void incref() { __atomic_add_fetch(&refs, 1, __ATOMIC_RELAXED); }
  void decref() {
    if (__atomic_sub_fetch(&refs, 1, __ATOMIC_ACQ_REL) == 0) destroy();
  }
  void destroy();  // releases edges, runs the destructor, returns memory to the tape's pool

  static void* operator new(size_t size);  // from the thread's tape pool
  static void operator delete(void* p, size_t size);
};

template <class F>
struct LambdaNode final : Node {
  explicit LambdaNode(F&& f) : fn(std::move(f)) {}
  void apply(Grads grads) override { (*fn)(grads); }
  void release_saved() override { fn.reset(); }
  std::optional<F> fn;
};

// A strong handle to a leaf held weakly (an edge's, a saved leaf's), or an undefined tensor once it has died.
inline Tensor lock_leaf(TensorImpl* leaf) { return leaf && leaf->try_incref() ? Tensor(leaf) : Tensor(); }

// A weak reference to a leaf tensor, copyable (see TensorImpl::weak_refs).
class WeakLeaf {
 public:
  WeakLeaf() = default;
  explicit WeakLeaf(TensorImpl* leaf) : leaf_(leaf) {
    if (leaf_) leaf_->weak_incref();
  }
  WeakLeaf(const WeakLeaf& other) : WeakLeaf(other.leaf_) {}
  WeakLeaf(WeakLeaf&& other) noexcept : leaf_(std::exchange(other.leaf_, nullptr)) {}
  WeakLeaf& operator=(WeakLeaf other) noexcept {
    std::swap(leaf_, other.leaf_);
    return *this;
  }
  ~WeakLeaf() {
    if (leaf_) leaf_->weak_decref();
  }
  Tensor lock() const { return lock_leaf(leaf_); }

 private:
  TensorImpl* leaf_ = nullptr;
};

// ---- saved tensors --------------------------------------------------------------------------------
// A value a backward rule needs, with the version it had when saved: unpacking it after an in-place
// edit throws, naming the op that saved it.
class SavedTensor {
 public:
  SavedTensor() = default;
  explicit SavedTensor(const Tensor& t, bool is_output = false);
  Tensor get() const;
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;    // for outputs: an alias without grad_fn, so the entry does not keep itself alive
  WeakLeaf leaf_;  // a saved leaf that requires grad: data_ holds its values, this the leaf itself
  uint32_t version_ = 0;
  bool is_output_ = false;
  uint32_t output_nr_ = 0;
};

inline SavedTensor save(const Tensor& t) { return SavedTensor(t); }
inline SavedTensor save_output(const Tensor& t) { return SavedTensor(t, true); }
// Saves t only when `needed` (typically: the other operand requires grad, so a rule will read t).
inline SavedTensor save_if(bool needed, const Tensor& t) { return needed ? SavedTensor(t) : SavedTensor(); }

// ---- the tape as the backward engine (autograd/) sees it ------------------------------------------
const void* current_tape();                      // identity of the calling thread's tape
Node* running_node();                            // the entry whose backward is executing, if any
void set_running_node(Node* node);               // set by the engine around each backward rule
int64_t live_entries();                          // entries recorded on this thread and not yet freed
void destroy_autograd_extras(TensorImpl* impl);  // when a tensor dies

// ---- recording ------------------------------------------------------------------------------------
// A readable, interned name for a C++ type (custom autograd functions are named after their class).
const char* type_name(const char* mangled);

// LibTorch's name for the node: the ATen op wick's op corresponds to, title-cased word by word as LibTorch's code
// generator does ("max_pool2d_with_indices" -> "MaxPool2DWithIndices"), then "Backward" and the overload number;
// "wick::autograd::CppNode<Class>" for a custom function, as LibTorch's "torch::autograd::CppNode<Class>"
// (lib/src/tensor_autograd.cpp).
std::string node_name(const Node* node);

// The calling thread's tape position: entries recorded from now on have a larger sequence.
uint64_t tape_position();

// For a composite op: names the entry that recorded `out` as `op`, if that entry was recorded since `since` (the
// tape_position() when the op began), so that a composite that returns its input as it is leaves its input's
// entry alone.
inline Tensor named(Tensor out, OpName op, uint64_t since) {
  if (out.defined()) {
    Node* node = out.impl()->grad_fn;
    if (node && node->sequence > since) {
      node->name = op.name;
      node->overload = op.overload;
    }
  }
  return out;
}

// Fills in edges, metadata and sequence, and makes `outputs` non-leaves pointing at `node` (lib/src/tape.cpp).
void attach(Node* node, const Tensor* const* inputs, int num_inputs, Tensor* const* outputs, int num_outputs);

// Checks that `t` may be written in place under autograd, bumps its version, and returns true if the
// in-place op must be recorded (the caller then records with `t` as both input and output).
bool prepare_inplace(const char* op, const Tensor& t);

template <class F>
void record(OpName op, std::initializer_list<const Tensor*> inputs, std::initializer_list<Tensor*> outputs,
            F&& backward) {
  Node* node = new LambdaNode<std::decay_t<F>>(std::forward<F>(backward));
  node->name = op.name;
  node->overload = op.overload;
  attach(node, inputs.begin(), int(inputs.size()), outputs.begin(), int(outputs.size()));
}

// Convenience for the common one-output case.
template <class F>
void record(OpName op, std::initializer_list<const Tensor*> inputs, Tensor& output, F&& backward) {
  record(op, inputs, {&output}, std::forward<F>(backward));
}

// Variable-arity ops (cat, stack, custom functions) record through this one.
template <class F>
void record_list(OpName op, const std::vector<const Tensor*>& inputs, const std::vector<Tensor*>& outputs,
                 F&& backward) {
  Node* node = new LambdaNode<std::decay_t<F>>(std::forward<F>(backward));
  node->name = op.name;
  node->overload = op.overload;
  attach(node, inputs.data(), int(inputs.size()), outputs.data(), int(outputs.size()));
}

}  // namespace wick::detail
