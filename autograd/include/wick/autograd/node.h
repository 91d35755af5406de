// The autograd graph as LibTorch's C++ API shows it: t.grad_fn() is the node that recorded t (null for a leaf),
// node->name() is LibTorch's name for it ("MulBackward0"), and node->next_edges() leads to the nodes of the op's
// inputs: another op's node, an AccumulateGrad node for a leaf that requires grad, or null for an input that needs
// no gradient.
//
//   wick::Tensor y = x * 2 + 1;                            // x a leaf that requires grad
//   y.grad_fn()->name();                                   // "AddBackward1"
//   y.grad_fn()->next_edges()[0].function->name();         // "MulBackward0"
//
// LibTorch hands out std::shared_ptr<Node>; wick's NodePtr is a counted reference to the tape entry itself, used the
// same way (->, bool, == nullptr, == another node) and convertible to std::shared_ptr<Node>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "wick/tensor.h"

namespace wick::detail {
struct Node;
}

namespace wick::autograd {

struct Edge;
using edge_list = std::vector<Edge>;

class Node {
 public:
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // LibTorch's name: "AddBackward0", "wick::autograd::AccumulateGrad", "wick::autograd::CppNode<MyFunction>".
  std::string name() const;
  // One edge per input of the recorded op, in order.
  edge_list next_edges() const;
  edge_list next_functions() const;  // the name PyTorch's Python API uses
  Edge next_edge(size_t i) const;
  // As LibTorch counts them from the node's side: outputs are the gradients it passes on (one per next edge),
  // inputs the gradients it takes (one per output of the recorded op).
  uint32_t num_outputs() const;
  uint32_t num_inputs() const;
  // Recording order on the thread's tape (0 for AccumulateGrad).
  uint64_t sequence_nr() const;

 private:
  friend class NodePtr;
  Node() = default;
  detail::Node* entry_ = nullptr;  // a tape entry, or
  TensorImpl* leaf_ = nullptr;     // the leaf this AccumulateGrad node accumulates into
};

class NodePtr {
 public:
  NodePtr() = default;
  NodePtr(std::nullptr_t) {}
  NodePtr(const NodePtr& other);
  NodePtr(NodePtr&& other) noexcept;
  NodePtr& operator=(NodePtr other) noexcept;
  ~NodePtr();

  const Node* operator->() const { return &node_; }
  const Node& operator*() const { return node_; }
  const Node* get() const { return *this ? &node_ : nullptr; }
  explicit operator bool() const { return node_.entry_ || node_.leaf_; }
  // Two handles to the same node compare equal, as LibTorch's shared pointers to one node do.
  friend bool operator==(const NodePtr& a, const NodePtr& b) { return a.same(b); }
  friend bool operator==(const NodePtr& a, std::nullptr_t) { return !a; }
  // For code written against LibTorch's std::shared_ptr<Node> (the pointer keeps the node alive).
  operator std::shared_ptr<Node>() const;

  static NodePtr of_entry(detail::Node* entry);  // takes a new reference; null stays null
  static NodePtr accumulate_grad(TensorImpl* leaf);

 private:
  bool same(const NodePtr& other) const {
    return node_.entry_ == other.node_.entry_ && node_.leaf_ == other.node_.leaf_;
  }
  Node node_;
};

// Where a gradient goes next, as LibTorch's torch::autograd::Edge: `function` receives it as its input number
// `input_nr`; an edge without a function (an input that needs no gradient) is not valid.
struct Edge {
  NodePtr function;
  uint32_t input_nr = 0;
  bool is_valid() const { return bool(function); }
};

// Defined here, where Edge is complete (a vector of an incomplete type cannot be destroyed).
inline edge_list Node::next_functions() const { return next_edges(); }

}  // namespace wick::autograd
