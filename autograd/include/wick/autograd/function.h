// User-defined differentiable functions, shaped like LibTorch's torch::autograd::Function, so that LibTorch's
// tutorial code ports by the namespace change:
//
//   struct MulConstant : wick::autograd::Function<MulConstant> {
//     static wick::Tensor forward(wick::autograd::AutogradContext* ctx, wick::Tensor tensor, double constant) {
//       ctx->saved_data["constant"] = constant;
//       return tensor * constant;
//     }
//     static wick::autograd::tensor_list backward(wick::autograd::AutogradContext* ctx,
//                                                 wick::autograd::tensor_list grad_outputs) {
//       return {grad_outputs[0] * ctx->saved_data["constant"].toDouble(), wick::Tensor()};
//     }
//   };
//   wick::Tensor y = MulConstant::apply(x, 5.5);
//
// forward runs with recording off and returns a Tensor or a tensor_list. backward gets one gradient per output
// (zeros for an output that got none, unless ctx->set_materialize_grads(false)) and returns one per forward
// argument, as LibTorch's: undefined for a non-tensor argument (a defined one there is an error) and for an input
// without a gradient. Gradients past the last argument are allowed if undefined, as for a defaulted argument the
// call left out (LinearFunction's bias); any other count is an error naming the function. Arguments that are
// tensors are the node's inputs (std::optional<Tensor> too, when it holds a defined tensor): needs_input_grad(i)
// counts those only, as LibTorch's does. The node is named "wick::autograd::CppNode<Class>", as LibTorch names it
// "torch::autograd::CppNode<Class>".
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <vector>

#include "wick/autograd/ivalue.h"
#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/tensor.h"

namespace wick::autograd {

using variable_list = std::vector<Tensor>;
using tensor_list = std::vector<Tensor>;

class AutogradContext {
 public:
  AutogradContext() = default;
  AutogradContext(const AutogradContext&) = delete;
  AutogradContext& operator=(const AutogradContext&) = delete;

  // Tensors for backward, checked on the way out: get_saved_variables() throws if one was modified in place since.
  // An undefined tensor (an argument left out) stays undefined.
  void save_for_backward(const variable_list& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) saved_.emplace_back(t);
  }
  variable_list get_saved_variables() const {
    variable_list out;
    for (const auto& s : saved_) out.push_back(s.get());
    return out;
  }
  // Inputs forward modified in place: the outputs that are those inputs take their history over, as an in-place
  // op's output does.
  void mark_dirty(const variable_list& inputs) {
    for (const Tensor& t : inputs)
      if (t.defined()) dirty_.insert(t.impl());
  }
  // Outputs that get no gradient (indices, masks): they do not require grad, and backward sees zeros for them.
  void mark_non_differentiable(const variable_list& outputs) {
    for (const Tensor& t : outputs)
      if (t.defined()) non_differentiable_.insert(t.impl());
  }
  // Whether backward gets zeros (true, the default) or an undefined tensor for an output that got no gradient.
  void set_materialize_grads(bool value) { materialize_grads_ = value; }
  // Whether the i-th tensor input needs a gradient (tensor arguments only, as LibTorch counts them).
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }

  // Non-tensor values for backward (scalars, flags, shapes), as LibTorch's ctx->saved_data.
  std::map<std::string, IValue> saved_data;

 private:
  template <class T>
  friend struct Function;
  std::vector<detail::SavedTensor> saved_;
  std::vector<bool> needs_input_grad_;
  std::unordered_set<const TensorImpl*> dirty_;
  std::unordered_set<const TensorImpl*> non_differentiable_;
  bool materialize_grads_ = true;
};

namespace detail_function {

// The node's checks of what backward returned (autograd/src/function.cpp): `is_tensor[k]` says whether forward
// argument k is an input of the node. Returns the gradients of those inputs, in order.
variable_list check_backward_gradients(const char* function, variable_list grads, const std::vector<bool>& is_tensor);

// What backward gets for an output: its gradient, or zeros shaped like it when it got none and grads materialize.
struct OutputInfo {
  SizeVec sizes;
  TensorOptions options;
  bool defined = false;
};
Tensor zeros_for(const OutputInfo& info);

// The readable name of a custom function's class; its node is "wick::autograd::CppNode<name>".
const char* class_name(const std::type_info& type);

// The tensor a forward argument gives the node as an input, or null. A Tensor is an input even when undefined (its
// gradient slot then stays undefined), as in LibTorch; a std::optional<Tensor> when it holds a defined tensor.
template <class A>
const Tensor* tensor_input(const A& a) {
  using D = std::decay_t<A>;
  if constexpr (std::is_same_v<D, Tensor>)
    return &a;
  else if constexpr (std::is_same_v<D, std::optional<Tensor>>)
    return a.has_value() && a->defined() ? &*a : nullptr;
  else
    return nullptr;
}

}  // namespace detail_function

template <class T>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    auto ctx = std::make_shared<AutogradContext>();
    // Which forward arguments are the node's inputs. Copies of them (cheap handles), taken before forward may
    // move from them.
    std::vector<Tensor> inputs_held;
    std::vector<bool> is_tensor;
    auto collect = [&](const auto& a) {
      const Tensor* t = detail_function::tensor_input(a);
      if (t) inputs_held.push_back(*t);
      is_tensor.push_back(t != nullptr);
    };
    (collect(args), ...);
    bool any = false;
    for (const Tensor& t : inputs_held) {
      const bool needs = t.defined() && t.requires_grad();
      ctx->needs_input_grad_.push_back(needs);
      any = any || needs;
    }

    using Result = decltype(T::forward(ctx.get(), std::forward<Args>(args)...));
    static_assert(std::is_same_v<Result, Tensor> || std::is_same_v<Result, variable_list>,
                  "forward must return a Tensor or a tensor_list");
    Result result = [&] {
      NoGradGuard no_grad;
      return T::forward(ctx.get(), std::forward<Args>(args)...);
    }();
    if (!any || !detail::grad_mode_enabled()) return result;

    std::vector<Tensor*> results;
    if constexpr (std::is_same_v<Result, Tensor>)
      results.push_back(&result);
    else
      for (Tensor& t : result) results.push_back(&t);

    // The outputs the node records: defined and differentiable ones. An input returned as it is (and not marked
    // dirty) becomes a new tensor sharing its data, so that the input keeps its own history.
    std::vector<Tensor*> recorded;
    std::vector<int> slot;  // which recorded output each result is, or -1: backward gets one gradient per result
    std::vector<detail_function::OutputInfo> infos;
    for (Tensor* out : results) {
      slot.push_back(-1);
      infos.emplace_back();
      if (!out->defined()) continue;
      infos.back() = {SizeVec(out->sizes()), out->options(), true};
      const TensorImpl* impl = out->impl();
      const bool dirty = ctx->dirty_.count(impl) > 0;
      if (dirty) {
        WICK_CHECK(!(out->is_leaf() && out->requires_grad()), "autograd::Function", "function wick::autograd::CppNode<",
                   name(), "> marked a leaf tensor that requires grad dirty: a leaf that requires grad cannot be ",
                   "modified in place");
        // The base of a view would keep its old history (LibTorch rebases it): refuse rather than lose gradients.
        WICK_CHECK(!impl->view_base, "autograd::Function", "function wick::autograd::CppNode<", name(),
                   "> marked a view dirty, which is not supported: modify and mark the base tensor instead");
      }
      bool is_input = false;
      for (const Tensor& in : inputs_held) is_input = is_input || (in.defined() && in.impl() == impl);
      if (is_input && !dirty) *out = out->detach();
      if (!ctx->non_differentiable_.count(impl)) {
        slot.back() = int(recorded.size());
        recorded.push_back(out);
      }
    }
    if (recorded.empty()) return result;

    std::vector<const Tensor*> inputs;
    for (const Tensor& t : inputs_held) inputs.push_back(&t);
    detail::record_list(
        {name(), detail::kCustomFunction}, inputs, recorded, [ctx, is_tensor, slot, infos](detail::Grads g) {
          variable_list grads;
          for (size_t k = 0; k < slot.size(); ++k) {
            Tensor gk = slot[k] >= 0 ? g.out[slot[k]] : Tensor();
            if (!gk.defined() && ctx->materialize_grads_ && infos[k].defined) gk = detail_function::zeros_for(infos[k]);
            grads.push_back(std::move(gk));
          }
          variable_list per_input =
              detail_function::check_backward_gradients(name(), T::backward(ctx.get(), std::move(grads)), is_tensor);
          for (size_t k = 0; k < per_input.size(); ++k) g.in[k] = std::move(per_input[k]);
        });
    return result;
  }

 private:
  static const char* name() {
    static const char* n = detail_function::class_name(typeid(T));
    return n;
  }
};

}  // namespace wick::autograd
