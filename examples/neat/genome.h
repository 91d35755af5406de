// A NEAT genome (Stanley & Miikkulainen 2002): node genes and connection genes, each connection stamped with a
// global innovation number. Evolution starts from the smallest network (every input wired to every output) and
// grows it by mutation; the innovation numbers let two genomes of different shapes be lined up gene by gene.
#pragma once

#include <map>
#include <random>
#include <utility>
#include <vector>

namespace neat {

using Rng = std::mt19937;

enum class NodeKind { kInput, kBias, kOutput, kHidden };

struct NodeGene {
  int id;
  NodeKind kind;
};

struct ConnectionGene {
  int innovation;
  int in, out;  // node ids
  float weight;
  bool enabled;
};

// Hands out innovation numbers and node ids for the whole run: the same structural change (a connection from A to
// B, or a node splitting connection 7) gets the same number in every genome that makes it, so crossover can align
// them.
class Innovations {
 public:
  explicit Innovations(int first_hidden_id) : next_node_(first_hidden_id) {}
  int connection(int in, int out);
  // The node that splits connection `innovation`; a fresh one if `taken` (the genome split it before).
  int split(int innovation, bool taken);

 private:
  std::map<std::pair<int, int>, int> connections_;
  std::map<int, int> splits_;
  int next_innovation_ = 0, next_node_;
};

struct Genome {
  // Inputs 0..inputs-1, the bias node, then the outputs; every input and the bias connected to every output.
  static Genome minimal(int inputs, int outputs, Innovations& innovations, Rng& rng);

  void mutate(Innovations& innovations, Rng& rng);
  int hidden_nodes() const;
  int enabled_connections() const;

  std::vector<NodeGene> nodes;              // inputs, bias, outputs, then hidden nodes
  std::vector<ConnectionGene> connections;  // by innovation number
  double fitness = 0;
};

// The child of two parents: genes that both have (same innovation number) come from either at random; the rest
// come from the fitter parent, which is passed first.
Genome crossover(const Genome& fitter, const Genome& other, Rng& rng);

// NEAT's compatibility distance: c1 * excess / N + c2 * disjoint / N + c3 * mean weight difference of the matching
// genes, N the larger genome's gene count. Speciation groups genomes closer than a threshold.
double distance(const Genome& a, const Genome& b);

}  // namespace neat
