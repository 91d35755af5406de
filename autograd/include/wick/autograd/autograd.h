// wick::autograd: gradients of outputs with respect to chosen inputs, anomaly detection, scope labels and
// graph export; node.h's grad_fn() nodes come with it.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "wick/autograd/node.h"
#include "wick/tensor.h"

namespace wick::autograd {

// torch::autograd::grad: d(outputs)/d(inputs), returned rather than accumulated into .grad.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

// torch::autograd::backward for several roots at once.
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              std::optional<bool> retain_graph = std::nullopt, bool create_graph = false);

// Runs fn once the backward pass running on this thread has finished its walk, after every gradient of that pass
// has been accumulated (PyTorch's Variable._execution_engine.queue_callback): for work that must wait for the whole
// pass, such as data-parallel training's gradient exchange. Callbacks run in the order queued and may queue more;
// a backward that throws drops them. Only from inside a backward (a hook): throws wick::Error otherwise.
void queue_callback(std::function<void()> fn);

// While alive, a NaN or Inf produced by any backward rule throws, naming the op and its scope label.
class DetectAnomalyGuard {
 public:
  DetectAnomalyGuard();
  ~DetectAnomalyGuard();
  DetectAnomalyGuard(const DetectAnomalyGuard&) = delete;
  DetectAnomalyGuard& operator=(const DetectAnomalyGuard&) = delete;

 private:
  bool previous_;
};

// Labels every op recorded in its scope (nested scopes join with '/'): shown by anomaly mode and to_dot.
class Scope {
 public:
  explicit Scope(const std::string& label);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  const char* previous_;
};

// The part of the tape `t` depends on, as Graphviz DOT: one box per op (name, output shape, scope), one
// ellipse per leaf (shape; parameters marked), edges from inputs to ops.
std::string to_dot(const Tensor& t);

// Number of live tape entries recorded on this thread and not yet freed (for memory tests).
int64_t live_entries();

}  // namespace wick::autograd
