// The DOT printer for genomes.
#include "dot.h"

#include <cstdio>

namespace neat {

namespace {

std::string node_line(int id, const char* attributes, const std::string& label) {
  char line[160];
  std::snprintf(line, sizeof line, "  n%d [%slabel=\"%s\"];\n", id, attributes, label.c_str());
  return line;
}

}  // namespace

std::string to_dot(const Genome& genome, const std::vector<std::string>& input_names,
                   const std::vector<std::string>& output_names) {
  std::string dot = "digraph genome {\n  node [shape=circle, fontsize=10];\n";
  std::string top = "  { rank=source;", bottom = "  { rank=sink;";
  size_t input = 0, output = 0;
  for (const NodeGene& n : genome.nodes) {
    const std::string id = " n" + std::to_string(n.id) + ";";
    switch (n.kind) {
      case NodeKind::kInput: dot += node_line(n.id, "shape=box, ", input_names.at(input++)), top += id; break;
      case NodeKind::kBias: dot += node_line(n.id, "shape=box, ", "bias"), top += id; break;
      case NodeKind::kOutput:
        dot += node_line(n.id, "shape=doublecircle, ", output_names.at(output++)), bottom += id;
        break;
      case NodeKind::kHidden: dot += node_line(n.id, "", std::to_string(n.id)); break;
    }
  }
  dot += top + " }\n" + bottom + " }\n";
  for (const ConnectionGene& c : genome.connections) {
    if (!c.enabled) continue;
    char edge[96];
    std::snprintf(edge, sizeof edge, "  n%d -> n%d [label=\"%.2f\", color=\"%s\"];\n", c.in, c.out, c.weight,
                  c.weight < 0 ? "red" : "black");
    dot += edge;
  }
  return dot + "}\n";
}

}  // namespace neat
