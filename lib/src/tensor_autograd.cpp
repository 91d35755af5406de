// The autograd members of Tensor that read or write what the tape recorded: requires_grad_, grad, retain_grad,
// detach, hooks, names. backward() needs the engine and lives above, in autograd/src/tensor_backward.cpp.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>
#include <string_view>

#include "tensor_factory.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/ops.h"

namespace wick {

namespace detail {

AutogradExtras::~AutogradExtras() {
  for (auto& [id, hook] : hooks) hook.destroy(hook.object);
  for (auto& [id, hook] : post_accumulate_hooks) hook.destroy(hook.object);
}

OutputHooks::~OutputHooks() {
  for (auto& [output_nr, hook] : orphaned) hook.destroy(hook.object);
}

namespace {
std::atomic<bool> g_leaf_hooks_used{false};
}
bool leaf_hooks_used() { return g_leaf_hooks_used.load(std::memory_order_relaxed); }

AutogradExtras& extras_of(TensorImpl* impl) {
  if (!impl->extras) impl->extras = new AutogradExtras;
  return *impl->extras;
}

namespace {
void unregister_output(TensorImpl* impl) {
  if (!impl->grad_fn || !impl->grad_fn->hooks) return;
  auto& ts = impl->grad_fn->hooks->tensors;
  ts.erase(std::remove(ts.begin(), ts.end(), impl), ts.end());
}
void register_output(TensorImpl* impl) {
  Node* n = impl->grad_fn;
  if (!n) return;
  if (!n->hooks) n->hooks = new OutputHooks;
  auto& ts = n->hooks->tensors;
  if (std::find(ts.begin(), ts.end(), impl) == ts.end()) ts.push_back(impl);
}
}  // namespace

void destroy_autograd_extras(TensorImpl* impl) {
  unregister_output(impl);
  if (Node* n = impl->grad_fn; n && !impl->extras->hooks.empty()) {  // the graph keeps them (see OutputHooks)
    if (!n->hooks) n->hooks = new OutputHooks;
    for (const auto& [id, hook] : impl->extras->hooks) n->hooks->orphaned.emplace_back(impl->output_nr, hook);
    impl->extras->hooks.clear();
  }
  delete impl->extras;
  impl->extras = nullptr;
}

namespace {
// The ATen op LibTorch records where wick's op has another name. The hand-written nodes LibTorch names after their
// C++ class map to that class, in wick's namespace as the port's torch:: -> wick:: would have it.
struct NodeRename {
  std::string_view op;
  const char* aten;
  bool full = false;  // `aten` is the whole node name
};
constexpr NodeRename kNodeRenames[] = {
    {"to", "_to_copy"},
    {"copy_", "wick::autograd::CopyBackwards", true},
    {"as_strided_scatter", "wick::autograd::CopySlices", true},
    {"reshape", "_reshape_alias"},
    {"relu6", "hardtanh"},
    {"conv1d", "convolution"},
    {"conv2d", "convolution"},
    {"conv_transpose1d", "convolution"},
    {"conv_transpose2d", "convolution"},
    {"conv3d", "convolution"},
    {"conv_transpose3d", "convolution"},
    {"conv2d_backward_input", "convolution_backward"},
    {"conv2d_backward_weight", "convolution_backward"},
    {"conv3d_backward_input", "convolution_backward"},
    {"conv3d_backward_weight", "convolution_backward"},
    {"max_pool2d", "max_pool2d_with_indices"},
    {"max_pool2d_backward", "max_pool2d_with_indices_backward"},
    {"max_pool3d", "max_pool3d_with_indices"},
    {"batch_norm", "native_batch_norm"},
    {"layer_norm", "native_layer_norm"},
    {"group_norm", "native_group_norm"},
    {"fused_lstm_cell", "_thnn_fused_lstm_cell"},
    {"fused_gru_cell", "_thnn_fused_gru_cell"},
};
}  // namespace

std::string node_name(const Node* node) {
  if (node->overload == kCustomFunction) return std::string("wick::autograd::CppNode<") + node->name + ">";
  std::string_view op = node->name;
  for (const NodeRename& r : kNodeRenames) {
    if (r.op != op) continue;
    if (r.full) return r.aten;
    op = r.aten;
    break;
  }
  // As LibTorch's code generator: each '_'-separated word title-cased (a letter after a digit is capitalised too:
  // log1p -> Log1P, upsample_nearest2d -> UpsampleNearest2D), then "Backward" and the overload number.
  std::string out;
  bool upper = true;
  for (char c : op) {
    if (c == '_') {
      upper = true;
      continue;
    }
    const bool letter = std::isalpha(static_cast<unsigned char>(c)) != 0;
    out += upper && letter ? char(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = !letter;
  }
  return out + "Backward" + std::to_string(node->overload);
}

}  // namespace detail

Tensor& Tensor::requires_grad_(bool r) const {
  TensorImpl* i = checked();
  WICK_CHECK(!r || wick::is_floating_point(i->dtype), "requires_grad_",
             "only tensors of floating point dtype can require gradients, got ", dtype_name(i->dtype));
  WICK_CHECK(i->grad_fn == nullptr || r, "requires_grad_",
             "you can only change requires_grad of leaf tensors; use detach() for a non-leaf");
  i->requires_grad = r;
  return const_cast<Tensor&>(*this);
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  TensorImpl* i = checked();
  return i->extras ? i->extras->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return detail::extras_of(checked()).grad; }

void Tensor::retain_grad() {
  TensorImpl* i = checked();
  WICK_CHECK(i->requires_grad, "retain_grad", "can't retain_grad on a tensor that doesn't require grad");
  if (!i->grad_fn) return;  // leaves always keep their grad
  i->retains_grad = true;
  detail::extras_of(i);
  detail::register_output(i);
}

Tensor Tensor::detach() const {
  TensorImpl* i = checked();
  return make_alias(*this, i->sizes, i->strides, i->offset);
}

Tensor& Tensor::detach_() const {
  TensorImpl* i = checked();
  if (i->extras) detail::destroy_autograd_extras(i);
  if (i->grad_fn) i->grad_fn->decref();
  i->grad_fn = nullptr;
  i->requires_grad = false;
  return const_cast<Tensor&>(*this);
}

std::string Tensor::grad_fn_name() const {
  TensorImpl* i = checked();
  return i->grad_fn ? detail::node_name(i->grad_fn) : "";
}

unsigned Tensor::register_hook_impl(detail::HookFn hook) const {
  TensorImpl* i = checked();
  if (!i->requires_grad) {
    hook.destroy(hook.object);
    fail("register_hook", "cannot register a hook on a tensor that doesn't require gradient");
  }
  auto& ex = detail::extras_of(i);
  const unsigned id = ex.next_hook_id++;
  ex.hooks.emplace_back(id, hook);
  if (i->grad_fn)
    detail::register_output(i);
  else
    detail::g_leaf_hooks_used.store(true, std::memory_order_relaxed);
  return id;
}

unsigned Tensor::register_post_accumulate_grad_hook_impl(detail::HookFn hook) const {
  TensorImpl* i = checked();
  if (!i->requires_grad || i->grad_fn) {
    hook.destroy(hook.object);
    fail("register_post_accumulate_grad_hook", "only a leaf tensor that requires grad accumulates a gradient; this ",
         i->grad_fn ? "tensor is not a leaf" : "tensor doesn't require grad");
  }
  auto& ex = detail::extras_of(i);
  const unsigned id = ex.next_hook_id++;
  ex.post_accumulate_hooks.emplace_back(id, hook);
  detail::g_leaf_hooks_used.store(true, std::memory_order_relaxed);
  return id;
}

void Tensor::remove_hook(unsigned handle) const {
  TensorImpl* i = checked();
  WICK_CHECK(i->extras, "remove_hook", "no hook with handle ", handle);
  for (auto* hooks : {&i->extras->hooks, &i->extras->post_accumulate_hooks}) {
    auto it = std::find_if(hooks->begin(), hooks->end(), [&](const auto& h) { return h.first == handle; });
    if (it == hooks->end()) continue;
    it->second.destroy(it->second.object);
    hooks->erase(it);
    return;
  }
  fail("remove_hook", "no hook with handle ", handle);
}

Tensor& Tensor::set_name(const std::string& name) const {
  detail::extras_of(checked()).name = name;
  return const_cast<Tensor&>(*this);
}

}  // namespace wick
