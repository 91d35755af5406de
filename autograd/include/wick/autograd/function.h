// User-defined differentiable functions, shaped like LibTorch's torch::autograd::Function:
//
//   struct Cube : wick::autograd::Function<Cube> {
//     static wick::Tensor forward(wick::autograd::AutogradContext* ctx, wick::Tensor x) {
//       ctx->save_for_backward({x});
//       return x * x * x;
//     }
//     static wick::autograd::variable_list backward(wick::autograd::AutogradContext* ctx,
//                                                   wick::autograd::variable_list grads) {
//       wick::Tensor x = ctx->get_saved_variables()[0];
//       return {grads[0] * 3 * x * x};
//     }
//   };
//   wick::Tensor y = Cube::apply(x);
//
// forward runs with recording off; backward gets one gradient per output and returns one per forward
// argument (undefined for non-tensor arguments or inputs without a gradient).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "wick/detail/record.h"
#include "wick/grad_mode.h"
#include "wick/tensor.h"

namespace wick::autograd {

using variable_list = std::vector<Tensor>;

class AutogradContext {
 public:
  void save_for_backward(const variable_list& tensors) {
    saved_.clear();
    for (const Tensor& t : tensors) saved_.emplace_back(t);
  }
  // Throws if a saved tensor was modified in place after it was saved.
  variable_list get_saved_variables() const {
    variable_list out;
    for (const auto& s : saved_) out.push_back(s.get());
    return out;
  }
  bool needs_input_grad(size_t i) const { return i < needs_input_grad_.size() && needs_input_grad_[i]; }
  // Non-tensor values for backward (scalars, flags), as LibTorch's ctx->saved_data.
  std::map<std::string, Scalar> saved_data;

 private:
  template <class T>
  friend struct Function;
  std::vector<detail::SavedTensor> saved_;
  std::vector<bool> needs_input_grad_;
};

template <class T>
struct Function {
  template <class... Args>
  static auto apply(Args&&... args) {
    auto ctx = std::make_shared<AutogradContext>();
    // Which forward arguments are tensors, and whether each needs a gradient.
    // Copies of the tensor arguments (cheap handles), taken before forward may move from them.
    std::vector<Tensor> tensor_args;
    std::vector<int> arg_of_input;  // forward-argument position of each tensor input
    int position = 0;
    auto collect = [&](const auto& a) {
      if constexpr (std::is_same_v<std::decay_t<decltype(a)>, Tensor>) {
        tensor_args.push_back(a);
        arg_of_input.push_back(position);
      }
      ctx->needs_input_grad_.push_back(is_tensor_needing_grad(a));
      ++position;
    };
    (collect(args), ...);

    using Result = decltype(T::forward(ctx.get(), std::forward<Args>(args)...));
    Result result = [&] {
      NoGradGuard no_grad;
      return T::forward(ctx.get(), std::forward<Args>(args)...);
    }();

    bool any = false;
    for (const Tensor& t : tensor_args) any = any || (t.defined() && t.requires_grad());
    if (!any || !detail::grad_mode_enabled()) return result;
    std::vector<const Tensor*> inputs;
    for (const Tensor& t : tensor_args) inputs.push_back(&t);

    std::vector<Tensor*> outputs;
    if constexpr (std::is_same_v<Result, Tensor>)
      outputs.push_back(&result);
    else
      for (Tensor& t : result) outputs.push_back(&t);
    const size_t num_args = size_t(position);
    detail::record_list({name(), detail::kCustomFunction}, inputs, outputs,
                        [ctx, arg_of_input, num_args](detail::Grads g) {
                          const size_t num_outputs = detail::running_outputs();
                          variable_list grads(g.out, g.out + num_outputs);
                          variable_list per_arg = T::backward(ctx.get(), grads);
                          if (per_arg.size() != num_args)
                            fail(name(), "backward returned ", int64_t(per_arg.size()),
                                 " gradients, expected one per forward argument (", int64_t(num_args), ")");
                          for (size_t k = 0; k < arg_of_input.size(); ++k) g.in[k] = per_arg[size_t(arg_of_input[k])];
                        });
    return result;
  }

 private:
  template <class A>
  static bool is_tensor_needing_grad(const A& a) {
    if constexpr (std::is_same_v<std::decay_t<A>, Tensor>)
      return a.defined() && a.requires_grad();
    else
      return false;
  }
  static const char* name() {
    static const char* n = detail::type_name(typeid(T).name());
    return n;
  }
};

}  // namespace wick::autograd
