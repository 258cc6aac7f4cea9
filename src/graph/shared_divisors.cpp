#include "graph/shared_divisors.hpp"

#include "model/error.hpp"

namespace psst::graph {

namespace {

// Marks the nodes reachable from the outputs (operands have smaller ids than their users).
std::vector<char> reachable(const ExprGraph& graph, const std::vector<std::pair<NodeId, int>>& outputs) {
  std::vector<char> seen(graph.size(), 0);
  for (const auto& [root, slot] : outputs) seen[static_cast<std::size_t>(root)] = 1;
  for (std::size_t id = graph.size(); id-- > 0;) {
    if (!seen[id]) continue;
    const Node& n = graph.node(static_cast<NodeId>(id));
    for (int a = 0; a < operand_count(n); ++a) seen[static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)])] = 1;
  }
  return seen;
}

// The node `n` again, with new operands, through the graph's own constructors.
NodeId rebuild(ExprGraph& graph, const Node& n, const std::array<NodeId, 3>& args) {
  if (is_random(n.op)) return graph.random(n.op, args[0], args[1], static_cast<std::uint32_t>(n.value), args[2]);
  switch (arity(n.op)) {
    case 1: return graph.unary(n.op, args[0]);
    case 2: return graph.binary(n.op, args[0], args[1]);
    case 3: return n.op == Op::Fma ? graph.fma(args[0], args[1], args[2]) : graph.select(args[0], args[1], args[2]);
    default: break;
  }
  throw InternalError("invert_shared_divisors: a leaf with operands");
}

}  // namespace

std::vector<std::pair<NodeId, int>> invert_shared_divisors(ExprGraph& graph,
                                                           const std::vector<std::pair<NodeId, int>>& outputs) {
  const std::size_t original_size = graph.size();
  const std::vector<char> live = reachable(graph, outputs);
  std::vector<int> divisions(original_size, 0);  // how many live divisions each node divides
  bool any_shared = false;
  for (std::size_t id = 0; id < original_size; ++id) {
    const Node& n = graph.node(static_cast<NodeId>(id));
    if (!live[id] || n.op != Op::Div || graph.is_constant(n.args[1])) continue;
    any_shared |= ++divisions[static_cast<std::size_t>(n.args[1])] > 1;
  }
  if (!any_shared) return outputs;
  // Rebuild the live nodes in id order (a dependency order); a node whose operands are
  // unchanged is kept as it is.
  std::vector<NodeId> image(original_size, no_node);
  for (std::size_t id = 0; id < original_size; ++id) {
    if (!live[id]) continue;
    const Node n = graph.node(static_cast<NodeId>(id));  // a copy: rebuilding grows the graph
    std::array<NodeId, 3> args = n.args;
    bool changed = false;
    for (int a = 0; a < operand_count(n); ++a) {
      auto& arg = args[static_cast<std::size_t>(a)];
      const NodeId mapped = image[static_cast<std::size_t>(arg)];
      changed |= mapped != arg;
      arg = mapped;
    }
    NodeId result = static_cast<NodeId>(id);
    if (n.op == Op::Div && !graph.is_constant(n.args[1]) && divisions[static_cast<std::size_t>(n.args[1])] > 1) {
      // 1 / d (shared by structure) times x; 1 / d itself stays 1 / d (x * 1 is x).
      result = graph.binary(Op::Mul, args[0], graph.binary(Op::Div, graph.constant(1.0), args[1]));
    } else if (changed) {
      result = rebuild(graph, n, args);
    }
    image[id] = result;
  }
  std::vector<std::pair<NodeId, int>> rewritten;
  for (const auto& [root, slot] : outputs) rewritten.emplace_back(image[static_cast<std::size_t>(root)], slot);
  return rewritten;
}

}  // namespace psst::graph
