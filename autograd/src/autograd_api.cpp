// wick::autograd free functions: grad, backward, anomaly mode, scopes, graph export.
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "engine.h"
#include "wick/autograd/autograd.h"
#include "wick/detail/record.h"
#include "wick/ops.h"

namespace wick::autograd {

namespace {
std::vector<Tensor> default_grads(const std::vector<Tensor>& outputs, const std::vector<Tensor>& given,
                                  const char* op) {
  WICK_CHECK(given.empty() || given.size() == outputs.size(), op, "got ", int64_t(given.size()), " gradients for ",
             int64_t(outputs.size()), " outputs");
  std::vector<Tensor> grads;
  for (size_t k = 0; k < outputs.size(); ++k) {
    const Tensor& o = outputs[k];
    WICK_CHECK(o.defined() && o.requires_grad(), op, "output ", int64_t(k),
               " does not require grad and does not have a grad_fn");
    if (k < given.size() && given[k].defined()) {
      WICK_CHECK(IntArrayRef(given[k].sizes()).equals(o.sizes()), op, "gradient ", int64_t(k), " has shape ",
                 shape_str(given[k].sizes()), " but output has shape ", shape_str(o.sizes()));
      grads.push_back(given[k]);
    } else {
      WICK_CHECK(o.numel() == 1, op, "grad can be implicitly created only for scalar outputs (output ", int64_t(k),
                 " has shape ", shape_str(o.sizes()), ")");
      grads.push_back(ones_like(o));
    }
  }
  return grads;
}
}  // namespace

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused) {
  for (size_t k = 0; k < inputs.size(); ++k)
    WICK_CHECK(inputs[k].defined() && inputs[k].requires_grad(), "autograd::grad", "input ", int64_t(k),
               " does not require grad");
  const std::vector<Tensor> grads = default_grads(outputs, grad_outputs, "autograd::grad");
  std::vector<Tensor> captured(inputs.size());
  detail::run_backward(outputs, grads, retain_graph.value_or(create_graph), create_graph, &inputs, &captured);
  for (size_t k = 0; k < inputs.size(); ++k)
    WICK_CHECK(captured[k].defined() || allow_unused, "autograd::grad", "input ", int64_t(k),
               " was not used in the graph of the outputs; pass allow_unused=true if this is intended");
  return captured;
}

void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors,
              std::optional<bool> retain_graph, bool create_graph) {
  const std::vector<Tensor> grads = default_grads(tensors, grad_tensors, "autograd::backward");
  detail::run_backward(tensors, grads, retain_graph.value_or(create_graph), create_graph, nullptr, nullptr);
}

DetectAnomalyGuard::DetectAnomalyGuard() : previous_(detail::grad_state().anomaly) {
  detail::grad_state().anomaly = true;
}
DetectAnomalyGuard::~DetectAnomalyGuard() { detail::grad_state().anomaly = previous_; }

namespace {
// Scope labels live for the program's lifetime: entries keep a plain pointer to them.
const char* intern(const std::string& s) {
  static thread_local std::set<std::string> labels;
  return labels.insert(s).first->c_str();
}
}  // namespace

Scope::Scope(const std::string& label) : previous_(detail::grad_state().scope) {
  detail::grad_state().scope = intern(previous_ ? std::string(previous_) + "/" + label : label);
}
Scope::~Scope() { detail::grad_state().scope = previous_; }

std::string to_dot(const Tensor& t) {
  std::string dot = "digraph wick {\n  rankdir=BT;\n  node [fontname=\"Helvetica\", fontsize=10];\n";
  std::unordered_map<const void*, std::string> ids;
  auto id_of = [&](const void* p) {
    auto it = ids.find(p);
    if (it != ids.end()) return it->second;
    std::string id = std::to_string(ids.size());
    id.insert(0, 1, 'n');  // not "n" + ...: GCC 12 -O3 reports a false -Wrestrict there
    ids.emplace(p, id);
    return id;
  };
  auto leaf_label = [](TensorImpl* leaf) {
    std::string name = leaf->extras && !leaf->extras->name.empty() ? leaf->extras->name + "\\n" : "";
    return name + shape_str(leaf->sizes);
  };
  TensorImpl* root = t.impl();
  if (!root->grad_fn) {
    dot += "  " + id_of(root) + " [shape=ellipse, style=filled, fillcolor=lightblue, label=\"" + leaf_label(root) +
           "\"];\n}\n";
    return dot;
  }
  std::vector<detail::Node*> stack{root->grad_fn};
  std::unordered_set<const void*> seen;
  dot += "  out [shape=plaintext, label=\"output " + shape_str(root->sizes) + "\"];\n";
  dot += "  " + id_of(root->grad_fn) + " -> out;\n";
  while (!stack.empty()) {
    detail::Node* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    std::string label = n->name;
    if (n->scope) label += std::string("\\n[") + n->scope + "]";
    dot += "  " + id_of(n) + " [shape=box, style=filled, fillcolor=lightgrey, label=\"" + label + "\"];\n";
    for (int i = 0; i < n->num_inputs; ++i) {
      const detail::Edge& e = n->edges[i];
      const std::string shape = shape_str(n->inputs[i].sizes);
      if (e.node) {
        dot += "  " + id_of(e.node) + " -> " + id_of(n) + " [label=\"" + shape + "\"];\n";
        stack.push_back(e.node);
      } else if (e.leaf) {
        if (seen.insert(e.leaf).second)
          dot += "  " + id_of(e.leaf) + " [shape=ellipse, style=filled, fillcolor=lightblue, label=\"leaf " +
                 leaf_label(e.leaf) + "\"];\n";
        dot += "  " + id_of(e.leaf) + " -> " + id_of(n) + ";\n";
      }
    }
  }
  return dot + "}\n";
}

int64_t live_entries() { return detail::live_entries(); }

}  // namespace wick::autograd
