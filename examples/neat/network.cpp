// Builds the per-layer weight matrices of a genome's network and runs it.
#include "network.h"

#include <algorithm>
#include <map>

namespace neat {

namespace {

// NEAT's steepened sigmoid, 1 / (1 + exp(-4.9 x)): nearly linear over [-0.5, 0.5], so small weights already give
// useful outputs. The factor is folded into the weight matrices.
constexpr float kSteepness = 4.9f;

// Inputs and the bias are layer 0; any other node is one past the deepest node feeding it (layer 1 if none does).
int layer_of(int node, const Genome& g, std::map<int, int>& layers) {
  if (const auto it = layers.find(node); it != layers.end()) return it->second;
  int layer = 1;
  for (const ConnectionGene& c : g.connections)
    if (c.enabled && c.out == node) layer = std::max(layer, layer_of(c.in, g, layers) + 1);
  return layers[node] = layer;
}

}  // namespace

Network::Network(const Genome& genome) {
  std::map<int, int> layers, columns;
  std::vector<int64_t> outputs;
  for (const NodeGene& n : genome.nodes)
    if (n.kind == NodeKind::kInput || n.kind == NodeKind::kBias) {
      layers[n.id] = 0;
      const int column = int(columns.size());
      columns[n.id] = column;
    }
  int deepest = 0;
  for (const NodeGene& n : genome.nodes) deepest = std::max(deepest, layer_of(n.id, genome, layers));

  for (int layer = 1; layer <= deepest; ++layer) {
    std::map<int, int64_t> position;  // node id -> its column within this layer
    for (const NodeGene& n : genome.nodes)
      if (layers[n.id] == layer) {
        const auto k = int64_t(position.size());
        position[n.id] = k;
      }
    const auto rows = int64_t(columns.size()), width = int64_t(position.size());
    std::vector<float> weights(size_t(rows * width), 0.f);
    for (const ConnectionGene& c : genome.connections)
      if (c.enabled && position.count(c.out))
        weights[size_t(columns.at(c.in) * width + position[c.out])] += kSteepness * c.weight;
    layers_.push_back(wick::tensor(weights).view({rows, width}));
    for (const auto& [node, k] : position) columns[node] = int(rows + k);
  }
  for (const NodeGene& n : genome.nodes)
    if (n.kind == NodeKind::kOutput) outputs.push_back(columns.at(n.id));
  output_columns_ = wick::tensor(outputs);
}

wick::Tensor Network::forward(const wick::Tensor& inputs) const {
  wick::Tensor values = wick::cat({inputs, wick::ones({inputs.size(0), 1})}, 1);  // the bias node is always 1
  for (const wick::Tensor& weights : layers_) values = wick::cat({values, wick::sigmoid(values.matmul(weights))}, 1);
  return values.index_select(1, output_columns_);
}

}  // namespace neat
