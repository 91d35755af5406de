// The backward walk. From the outputs, find every entry they depend on (and only those), visit them
// newest first (recording order is a topological order), hand each its output gradients, and route the
// input gradients it returns to earlier entries or into leaves' .grad.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "wick/autograd/autograd.h"
#include "wick/detail/op_scope.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick::detail {

namespace {

thread_local uint32_t t_walk_id = 0;

// autograd::queue_callback's callbacks, one list per backward running on this thread (a backward inside a hook or
// a checkpoint's recomputation nests): the innermost pass runs its own when its walk is done.
thread_local std::vector<std::vector<std::function<void()>>> t_callbacks;

struct CallbackFrame {
  CallbackFrame() { t_callbacks.emplace_back(); }
  ~CallbackFrame() { t_callbacks.pop_back(); }
  CallbackFrame(const CallbackFrame&) = delete;
  CallbackFrame& operator=(const CallbackFrame&) = delete;
  // Runs them in order; one may queue another, which runs in this loop too.
  void run() {
    for (size_t i = 0; i < t_callbacks.back().size(); ++i) {
      const std::function<void()> fn = std::move(t_callbacks.back()[i]);
      fn();
    }
  }
};

// The roots' nodes, held for one walk: the engine lets the root tensors go after seeding (see run_backward), and a
// root tensor is what keeps its node alive.
class RootNodes {
 public:
  explicit RootNodes(const std::vector<Tensor>& roots) {
    for (const Tensor& r : roots)
      if (Node* n = r.impl()->grad_fn) {
        n->incref();
        nodes_.push_back(n);
      }
  }
  ~RootNodes() {
    for (Node* n : nodes_) n->decref();
  }
  RootNodes(const RootNodes&) = delete;
  RootNodes& operator=(const RootNodes&) = delete;

 private:
  std::vector<Node*> nodes_;
};

// Sums a broadcast gradient back to the input's shape.
Tensor sum_to(const Tensor& grad, IntArrayRef shape) {
  if (IntArrayRef(grad.sizes()).equals(shape)) return grad;
  const int64_t lead = grad.dim() - int64_t(shape.size());
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < grad.dim(); ++d)
    if (d < lead || (shape[size_t(d - lead)] == 1 && grad.size(d) != 1)) dims.push_back(d);
  Tensor r = dims.empty() ? grad : grad.sum(dims, true);
  if (lead > 0 || !IntArrayRef(r.sizes()).equals(shape)) r = r.reshape(shape);
  return r;
}

// Takes the gradient by value: when it needs no reshaping or cast, the caller's buffer moves through, so a
// leaf can keep it as its .grad without a copy.
Tensor conform(Tensor g, const InputMeta& meta, const Node* node, int input) {
  if (!IntArrayRef(g.sizes()).equals(meta.sizes)) {
    WICK_CHECK(g.dim() >= int64_t(meta.sizes.size()), "backward", "the gradient of '", node->name, "' for input ",
               input, " has shape ", shape_str(g.sizes()), " but the input has shape ", shape_str(meta.sizes));
    g = sum_to(g, meta.sizes);
  }
  if (g.dtype() != meta.dtype || g.device() != meta.device) g = g.to(meta.device, meta.dtype);
  return g;
}

void check_finite(const Tensor& g, const Node* node, int input) {
  if (!g.defined() || !g.is_floating_point()) return;
  NoGradGuard no_grad;
  if (!isfinite(g).all().item<bool>()) {
    fail("autograd", "anomaly detected: the backward of '", node->name, "'",
         node->scope ? std::string(" (recorded in scope '") + node->scope + "')" : std::string(),
         " produced NaN or Inf in its gradient for input ", input);
  }
}

// A gradient hook sees `grad`; a hook that returns a tensor replaces it.
void apply_hook(const HookFn& hook, Tensor& grad) {
  Tensor replaced = hook.call(hook.object, grad);
  if (replaced.defined()) grad = replaced;
}

void run_tensor_hooks(TensorImpl* impl, Tensor& grad) {
  if (!impl->extras) return;
  for (auto& [id, hook] : impl->extras->hooks) apply_hook(hook, grad);
}

// The hooked leaves one backward reaches. As in LibTorch, a leaf's gradient hooks see its whole gradient once (the
// sum of what every edge into it brings, not each contribution), and its post-accumulate-grad hooks run once,
// when the walk has processed every entry with an edge into it.
class HookedLeaves {
 public:
  // Counts the edges into hooked leaves from the entries the walk will visit.
  HookedLeaves(const std::vector<Node*>& order, bool create_graph) : create_graph_(create_graph) {
    for (const Node* n : order)
      for (int i = 0; i < n->num_inputs; ++i)
        if (TensorImpl* leaf = n->edges[i].leaf; leaf && hooked(leaf)) ++leaves_[leaf].pending;
  }
  // One contribution to `leaf`'s gradient (a root leaf's, which no edge brings, is complete at once).
  void deliver(TensorImpl* leaf, Tensor grad) {
    auto it = leaves_.find(leaf);
    if (it == leaves_.end() && hooked(leaf)) it = leaves_.emplace(leaf, Leaf{}).first;  // a root
    if (it == leaves_.end()) {
      accumulate_into_leaf(leaf, std::move(grad), create_graph_);
      return;
    }
    Leaf& state = it->second;
    state.received = true;
    if (!leaf->extras || leaf->extras->hooks.empty())  // hooks removed (or the leaf detached) since the count
      accumulate_into_leaf(leaf, std::move(grad), create_graph_);
    else
      state.sum = state.sum.defined() ? state.sum + grad : std::move(grad);
    if (state.pending == 0) complete(leaf, state);
  }
  // The walk is done with `n`: its edges will bring no more gradient.
  void done(const Node* n) {
    for (int i = 0; i < n->num_inputs; ++i) {
      TensorImpl* leaf = n->edges[i].leaf;
      if (!leaf) continue;
      auto it = leaves_.find(leaf);
      if (it != leaves_.end() && --it->second.pending == 0 && it->second.received) complete(leaf, it->second);
    }
  }

 private:
  struct Leaf {
    int pending = 0;
    bool received = false;
    Tensor sum;  // the contributions so far, for a leaf with gradient hooks
  };
  static bool hooked(const TensorImpl* leaf) {
    return leaf->extras && (!leaf->extras->hooks.empty() || !leaf->extras->post_accumulate_hooks.empty());
  }
  // The leaf's gradient is whole: its gradient hooks see it and it goes into .grad, then the post-accumulate hooks.
  void complete(TensorImpl* leaf, Leaf& state) {
    const Tensor handle = lock_leaf(leaf);
    if (!handle.defined() || !leaf->extras) return;  // the leaf died during the walk, and its hooks with it
    if (state.sum.defined()) accumulate_into_leaf(leaf, std::move(state.sum), create_graph_);
    // A hook may remove hooks (its own or a later one, whose object is then destroyed): walk the ids registered
    // now, and call each only if it is still registered.
    auto& hooks = leaf->extras->post_accumulate_hooks;
    std::vector<unsigned> ids;
    for (const auto& [id, hook] : hooks) ids.push_back(id);
    for (unsigned id : ids) {
      auto it = std::find_if(hooks.begin(), hooks.end(), [&](const auto& h) { return h.first == id; });
      if (it != hooks.end()) it->second.call(it->second.object, handle);
    }
  }
  bool create_graph_;
  std::unordered_map<TensorImpl*, Leaf> leaves_;
};

}  // namespace

void accumulate_into_leaf(TensorImpl* leaf, Tensor grad, bool create_graph) {
  const profiler::detail::OpScope profile(profiler::EventKind::Backward, "wick::autograd::AccumulateGrad", grad);
  run_tensor_hooks(leaf, grad);
  AutogradExtras& ex = extras_of(leaf);
  if (!ex.grad.defined()) {
    // Keep the incoming buffer when nobody else holds it; otherwise copy, so later accumulation in place
    // cannot write into another tensor.
    if (create_graph)
      ex.grad = grad;
    else if (grad.impl()->refs == 1 && grad.impl()->storage->refs == 1 && grad.is_leaf())
      ex.grad = grad;
    else
      ex.grad = grad.detach().clone();
  } else if (create_graph) {
    ex.grad = ex.grad + grad;
  } else {
    NoGradGuard no_grad;
    ex.grad.add_(grad);
  }
}

void run_backward(std::vector<Tensor> roots, std::vector<Tensor> root_grads, bool keep_graph, bool create_graph,
                  const std::vector<Tensor>* inputs, std::vector<Tensor>* captured) {
  AutoGradMode mode(create_graph);
  const uint32_t walk = ++t_walk_id;
  CallbackFrame callbacks;

  // 1. Every entry reachable from the roots, once.
  std::vector<Node*> order;
  std::vector<Node*> stack;
  for (const Tensor& r : roots)
    if (r.impl()->grad_fn) stack.push_back(r.impl()->grad_fn);
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    if (n->walk == walk) continue;
    n->walk = walk;
    WICK_CHECK(n->tape == current_tape(), "backward", "the graph through '", n->name,
               "' was recorded on another thread; each thread back-propagates ", "only what it recorded");
    WICK_CHECK(!n->released, "backward", "trying to backward through the graph a second time (through '", n->name,
               "'): its saved values were freed by the first backward; pass retain_graph=true to the first call");
    order.push_back(n);
    for (int i = 0; i < n->num_inputs; ++i)
      if (n->edges[i].node && n->edges[i].node->walk != walk) stack.push_back(n->edges[i].node);
  }
  // 2. Newest first.
  std::sort(order.begin(), order.end(), [](const Node* a, const Node* b) { return a->sequence > b->sequence; });
  size_t slots = 0;
  for (Node* n : order) {
    n->scratch = uint32_t(slots);
    slots += n->num_outputs;
  }
  std::vector<Tensor> pending(slots);
  // autograd::grad (inputs given) accumulates nothing, so it runs no leaf hooks.
  std::optional<HookedLeaves> hooked_leaves;
  if (!inputs && leaf_hooks_used()) hooked_leaves.emplace(order, create_graph);
  auto deliver = [&](TensorImpl* leaf, Tensor g) {
    if (hooked_leaves)
      hooked_leaves->deliver(leaf, std::move(g));
    else
      accumulate_into_leaf(leaf, std::move(g), create_graph);
  };

  // Which gradients autograd::grad wants back instead of accumulating into .grad.
  auto capture_index = [&](const Node* node, uint32_t output_nr, const TensorImpl* leaf) -> int {
    if (!inputs) return -1;
    for (size_t k = 0; k < inputs->size(); ++k) {
      TensorImpl* in = (*inputs)[k].impl();
      if (leaf ? in == leaf : (in->grad_fn == node && in->output_nr == output_nr)) return int(k);
    }
    return -1;
  };
  auto add_to = [](Tensor& slot, const Tensor& g) { slot = slot.defined() ? slot + g : g; };

  // 3. Seed.
  for (size_t k = 0; k < roots.size(); ++k) {
    TensorImpl* r = roots[k].impl();
    if (r->grad_fn) {
      add_to(pending[r->grad_fn->scratch + r->output_nr], root_grads[k]);
    } else if (r->requires_grad) {
      const int c = capture_index(nullptr, 0, r);
      if (c >= 0)
        add_to((*captured)[size_t(c)], root_grads[k]);
      else if (!inputs)
        deliver(r, root_grads[k]);
    }
  }

  // The seeds hold the gradients; the roots' own memory may go once the nodes that saved it have run.
  const RootNodes root_nodes(roots);
  roots.clear();
  root_grads.clear();

  // 4. Walk.
  const bool anomaly = grad_state().anomaly;
  std::vector<Tensor> grad_in;
  for (Node* n : order) {
    Tensor* outs = pending.data() + n->scratch;
    bool any = false;
    for (int j = 0; j < n->num_outputs; ++j) any = any || outs[j].defined();
    if (n->hooks) {  // retain_grad and hooks of non-leaf outputs see the completed gradient
      for (TensorImpl* t : n->hooks->tensors) {
        Tensor& g = outs[t->output_nr];
        if (!g.defined()) continue;
        run_tensor_hooks(t, g);
        if (t->retains_grad) {
          AutogradExtras& ex = extras_of(t);
          ex.grad = ex.grad.defined() ? ex.grad + g.detach() : g.detach().clone();
        }
      }
      // By index: a hook that lets another output of this entry die adds to the list.
      for (size_t k = 0; k < n->hooks->orphaned.size(); ++k) {
        const auto [output_nr, hook] = n->hooks->orphaned[k];
        if (outs[output_nr].defined()) apply_hook(hook, outs[output_nr]);
      }
    }
    if (inputs) {
      for (int j = 0; j < n->num_outputs; ++j) {
        const int c = outs[j].defined() ? capture_index(n, uint32_t(j), nullptr) : -1;
        if (c >= 0) add_to((*captured)[size_t(c)], outs[j]);
      }
    }
    if (any) {
      grad_in.assign(n->num_inputs, Tensor());
      Node* previous = running_node();
      set_running_node(n);
      try {
        const profiler::detail::OpScope profile(n, outs, n->num_outputs);
        n->apply(Grads{outs, grad_in.data(), n->needed});
      } catch (...) {
        set_running_node(previous);
        throw;
      }
      set_running_node(previous);
      for (int i = 0; i < n->num_inputs; ++i) {
        const Edge& e = n->edges[i];
        if (!e.defined() || !grad_in[size_t(i)].defined()) continue;
        Tensor g = conform(std::move(grad_in[size_t(i)]), n->inputs[i], n, i);
        if (anomaly) check_finite(g, n, i);
        if (e.node) {
          add_to(pending[e.node->scratch + e.output_nr], g);
        } else if (const Tensor leaf = lock_leaf(e.leaf); leaf.defined()) {  // a dead leaf's gradient has no reader
          const int c = capture_index(nullptr, 0, e.leaf);
          if (c >= 0)
            add_to((*captured)[size_t(c)], g);
          else if (!inputs)
            deliver(e.leaf, std::move(g));
        }
      }
    }
    if (hooked_leaves) hooked_leaves->done(n);
    for (int j = 0; j < n->num_outputs; ++j) outs[j] = Tensor();  // free as we go
    if (!keep_graph) {
      n->release_saved();
      n->released = true;
    }
  }
  callbacks.run();
}

}  // namespace wick::detail

namespace wick::autograd {

void queue_callback(std::function<void()> fn) {
  WICK_CHECK(!detail::t_callbacks.empty(), "autograd::queue_callback",
             "called outside a backward pass (call it from a hook that runs during backward)");
  WICK_CHECK(bool(fn), "autograd::queue_callback", "expected a callable, got an empty std::function");
  detail::t_callbacks.back().push_back(std::move(fn));
}

}  // namespace wick::autograd
