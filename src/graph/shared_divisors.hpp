#pragma once
// Fast mode (math = "fast"): a divisor used more than once is inverted once.
// Decided in the graph, before lowering, so every backend runs the same operations.
#include <utility>
#include <vector>

#include "graph/expr_graph.hpp"

namespace psst::graph {

// In the part of `graph` reachable from `outputs`, every division x / d whose divisor d
// (not a constant: those are multiplications in fast mode already) divides more than one
// node becomes x * r with r = 1 / d, one division for all of them (x / d and x * r differ by
// up to an ulp: two roundings). The rewritten nodes are added to `graph`; returns the
// outputs' new nodes, in the same order. Graphs without such divisors are left as they are.
std::vector<std::pair<NodeId, int>> invert_shared_divisors(ExprGraph& graph,
                                                           const std::vector<std::pair<NodeId, int>>& outputs);

}  // namespace psst::graph
