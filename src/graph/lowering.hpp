#pragma once
#include <string>
#include <utility>
#include <vector>

#include "graph/expr_graph.hpp"
#include "graph/ir.hpp"

namespace psst::graph {

// Turns the part of the graph reachable from the outputs into a straight-line
// program: each node once, in dependency order, registers reused after their last
// use. outputs[i] = (node, output slot index). In fast mode, first a divisor used more
// than once is inverted once (shared_divisors.hpp).
Program lower(const ExprGraph& graph, std::string name, std::vector<std::string> input_names,
              std::vector<std::string> output_names, const std::vector<std::pair<NodeId, int>>& outputs);

}  // namespace psst::graph
