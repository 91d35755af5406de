// The backward engine's entry points, used by Tensor::backward and autograd::grad.
#pragma once

#include <vector>

#include "wick/tensor.h"

namespace wick::detail {

// Back-propagates root_grads from roots. With `inputs`, gradients reaching those tensors are returned in
// `captured` (same order) and no .grad is touched, as torch.autograd.grad. The roots are taken by value and let go
// once they have seeded the walk: a caller that moves them in (checkpoint's recomputed outputs) frees their memory
// as soon as the nodes that saved them have run.
void run_backward(std::vector<Tensor> roots, std::vector<Tensor> root_grads, bool keep_graph, bool create_graph,
                  const std::vector<Tensor>* inputs, std::vector<Tensor>* captured);

void accumulate_into_leaf(TensorImpl* leaf, Tensor grad, bool create_graph);

}  // namespace wick::detail
