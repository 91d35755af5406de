// summary(model, input_shape): runs one forward pass on zeros (without recording, in eval mode) and lists
// each layer that ran, with its output shape and parameter count, like torchinfo's table.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "wick/grad_mode.h"
#include "wick/nn/module.h"
#include "wick/ops.h"

namespace wick::nn {

struct SummaryRow {
  std::string name;  // "conv1" (qualified: "features.0")
  std::string type;  // "Conv2d"
  std::vector<int64_t> output_shape;
  int64_t num_parameters = 0;  // the layer's own (not its children's)
};

struct Summary {
  std::vector<SummaryRow> rows;
  std::vector<int64_t> input_shape, output_shape;
  int64_t total_parameters = 0, trainable_parameters = 0;
  std::string str() const;  // the table
};
std::ostream& operator<<(std::ostream& stream, const Summary& summary);

namespace detail {
// Starts collecting rows on this thread for `root` (and puts it in eval mode); finish() stops, restores
// the modes and fills in the totals.
class SummaryScope {
 public:
  SummaryScope(Module& root, IntArrayRef input_shape);
  ~SummaryScope();
  Summary finish(const Tensor& output);
  struct State;

 private:
  State* state_;
};
}  // namespace detail

// `model` is a module or a module holder whose forward takes one Tensor.
template <class ModelType>
Summary summary(ModelType& model, IntArrayRef input_shape, const TensorOptions& options = {}) {
  Module& root = [&]() -> Module& {
    if constexpr (requires { model.ptr(); })
      return *model.ptr();
    else
      return model;
  }();
  detail::SummaryScope scope(root, input_shape);
  NoGradGuard no_grad;
  const Tensor input = zeros(input_shape, options);
  Tensor output;
  if constexpr (requires { model.ptr(); })
    output = model->forward(input);
  else
    output = model.forward(input);
  return scope.finish(output);
}

}  // namespace wick::nn
