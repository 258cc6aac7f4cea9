#pragma once
// Conditional linearity, for exponential Euler: writes f as A + B x where
// neither A nor B depends on x (they may depend on every other variable).
#include <optional>
#include <string>

#include "graph/expr_graph.hpp"

namespace psst::graph {

struct LinearForm {
  NodeId constant = no_node;     // A
  NodeId coefficient = no_node;  // B; no_node means B = 0 exactly
};

// Returns nullopt, and in *why a reason such as "x appears inside exp()",
// when f is not linear in the variable whose graph node is x.
std::optional<LinearForm> split_linear(ExprGraph& graph, NodeId f, NodeId x, std::string* why);

}  // namespace psst::graph
