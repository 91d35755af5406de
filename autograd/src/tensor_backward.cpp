// Tensor::backward, the one Tensor member that runs the engine. The core declares it so that `loss.backward()`
// reads as in LibTorch; nothing below this layer calls it (tools/check_layers.py checks that no core object
// references it).
#include "engine.h"
#include "wick/ops.h"

namespace wick {

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  TensorImpl* i = checked();
  WICK_CHECK(i->requires_grad, "backward",
             "element 0 of tensors does not require grad and does not have a grad_fn (shape ", shape_str(i->sizes),
             ")");
  Tensor g = gradient;
  if (!g.defined()) {
    WICK_CHECK(i->numel() == 1, "backward",
               "grad can be implicitly created only for scalar outputs; this output has shape ", shape_str(i->sizes),
               ", so pass a gradient of that shape");
    g = ones_like(*this);
  } else {
    WICK_CHECK(IntArrayRef(g.sizes()).equals(i->sizes), "backward", "gradient has shape ", shape_str(g.sizes()),
               " but the output has shape ", shape_str(i->sizes));
  }
  detail::run_backward({*this}, {g}, retain_graph.value_or(create_graph), create_graph, nullptr, nullptr);
}

}  // namespace wick
