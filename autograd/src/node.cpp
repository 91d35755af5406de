// Tensor::grad_fn() and the Node handles it returns (node.h): a read-only view of the tape entries, holding a
// reference to the entry (or to the leaf of an AccumulateGrad node) for as long as the handle lives.
#include "wick/autograd/node.h"

#include "wick/detail/record.h"

namespace wick {

namespace autograd {

NodePtr::NodePtr(const NodePtr& other) : NodePtr() {
  node_.entry_ = other.node_.entry_;
  node_.leaf_ = other.node_.leaf_;
  if (node_.entry_) node_.entry_->incref();
  if (node_.leaf_) node_.leaf_->incref();
}

NodePtr::NodePtr(NodePtr&& other) noexcept : NodePtr() {
  std::swap(node_.entry_, other.node_.entry_);
  std::swap(node_.leaf_, other.node_.leaf_);
}

NodePtr& NodePtr::operator=(NodePtr other) noexcept {
  std::swap(node_.entry_, other.node_.entry_);
  std::swap(node_.leaf_, other.node_.leaf_);
  return *this;
}

NodePtr::~NodePtr() {
  if (node_.entry_) node_.entry_->decref();
  if (node_.leaf_) node_.leaf_->decref();
}

NodePtr NodePtr::of_entry(detail::Node* entry) {
  NodePtr p;
  if (entry) {
    entry->incref();
    p.node_.entry_ = entry;
  }
  return p;
}

NodePtr NodePtr::accumulate_grad(TensorImpl* leaf) {
  NodePtr p;
  if (leaf && leaf->try_incref()) p.node_.leaf_ = leaf;  // a leaf that has died has no AccumulateGrad
  return p;
}

NodePtr::operator std::shared_ptr<Node>() const {
  if (!*this) return nullptr;
  auto holder = std::make_shared<NodePtr>(*this);
  return std::shared_ptr<Node>(holder, &holder->node_);
}

std::string Node::name() const {
  return entry_ ? detail::node_name(entry_) : std::string("wick::autograd::AccumulateGrad");
}

Edge Node::next_edge(size_t i) const {
  WICK_CHECK(i < num_outputs(), "autograd::Node::next_edge", "edge ", i, " of a node with ", num_outputs(), " edges");
  const detail::Edge& e = entry_->edges[i];
  if (e.node) return {NodePtr::of_entry(e.node), e.output_nr};
  if (e.leaf) return {NodePtr::accumulate_grad(e.leaf), 0};
  return {};
}

edge_list Node::next_edges() const {
  edge_list edges;
  for (uint32_t i = 0; i < num_outputs(); ++i) edges.push_back(next_edge(i));
  return edges;
}

uint32_t Node::num_outputs() const { return entry_ ? entry_->num_inputs : 0; }
uint32_t Node::num_inputs() const { return entry_ ? entry_->num_outputs : 1; }
uint64_t Node::sequence_nr() const { return entry_ ? entry_->sequence : 0; }

}  // namespace autograd

autograd::NodePtr Tensor::grad_fn() const { return autograd::NodePtr::of_entry(checked()->grad_fn); }

}  // namespace wick
