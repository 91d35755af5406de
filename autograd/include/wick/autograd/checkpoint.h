// Gradient checkpointing, as torch.utils.checkpoint.checkpoint (its reentrant form): fn runs without recording and
// only its inputs are kept; backward runs fn again with recording on, from the same random-generator position (so
// dropout draws the same masks), and back-propagates through that second run. Memory for fn's intermediate
// activations is traded for one more forward.
//
//   wick::Tensor y = wick::utils::checkpoint([&](const wick::Tensor& h) { return block->forward(h); }, x);
//
// Parameters fn uses get their gradients accumulated into .grad during that second run, as in PyTorch; so, as
// there, a checkpointed graph is for backward(), not for autograd::grad(). Unlike PyTorch's reentrant form, a
// call none of whose inputs requires grad runs fn recorded, without checkpointing: the parameters inside still
// get their gradients (PyTorch would leave them none and warn). A second derivative (create_graph=true) through a
// checkpointed call is refused with an error, as PyTorch's reentrant form cannot give one either.
#pragma once

#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "wick/tensor.h"

namespace wick::utils {

using CheckpointFunction = std::function<std::vector<Tensor>(const std::vector<Tensor>& inputs)>;

// Any number of tensor inputs and outputs.
std::vector<Tensor> checkpoint(const CheckpointFunction& fn, const std::vector<Tensor>& inputs,
                               bool preserve_rng_state = true);

// fn(inputs...) returning one tensor.
template <class F, class... Ts>
requires(sizeof...(Ts) > 0 && (std::is_convertible_v<const Ts&, const Tensor&> && ...) &&
         std::is_invocable_r_v<Tensor, F&, const Ts&...>) Tensor checkpoint(F fn, const Ts&... inputs) {
  auto call = [fn = std::move(fn)](const std::vector<Tensor>& xs) mutable {
    return [&]<size_t... I>(std::index_sequence<I...>) { return std::vector<Tensor>{fn(xs[I]...)}; }
    (std::index_sequence_for<Ts...>{});
  };
  return checkpoint(CheckpointFunction(std::move(call)), std::vector<Tensor>{Tensor(inputs)...})[0];
}

}  // namespace wick::utils
