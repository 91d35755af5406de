// A genome's network as wick tensors. NEAT networks are irregular graphs, but a feed-forward one falls into layers:
// a node's layer is one more than the deepest node feeding it. Each layer is then one matrix product over the
// values computed so far (inputs, bias, earlier layers), with zeros where the genome has no connection, so a batch
// of inputs (the four XOR cases, or every cart of the cart-pole test) runs through in a few tensor ops per layer.
#pragma once

#include <wick/wick.h>

#include <vector>

#include "genome.h"

namespace neat {

class Network {
 public:
  explicit Network(const Genome& genome);
  // inputs [B, number of inputs] -> outputs [B, number of outputs], each in (0, 1).
  wick::Tensor forward(const wick::Tensor& inputs) const;

 private:
  std::vector<wick::Tensor> layers_;  // layer k: [columns before it, its nodes]
  wick::Tensor output_columns_;       // int64: where the output nodes' values sit
};

}  // namespace neat
