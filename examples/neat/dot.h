// A genome as a Graphviz graph (render: dot -Tpng genome.dot -o genome.png): inputs at the top, outputs at the
// bottom, one arrow per enabled connection labelled with its weight (red for negative). Disabled genes are left out:
// they no longer take part in the network.
#pragma once

#include <string>
#include <vector>

#include "genome.h"

namespace neat {

std::string to_dot(const Genome& genome, const std::vector<std::string>& input_names,
                   const std::vector<std::string>& output_names);

}  // namespace neat
