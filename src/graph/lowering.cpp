#include "graph/lowering.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "graph/shared_divisors.hpp"
#include "model/error.hpp"

namespace psst::graph {

int Program::input_index(const std::string& slot_name) const {
  auto it = std::find(inputs.begin(), inputs.end(), slot_name);
  return it == inputs.end() ? -1 : static_cast<int>(it - inputs.begin());
}

std::string Program::to_string() const {
  std::string s = fmt::format("program {} ({} registers)\n", name, register_count);
  for (const auto& in : code) {
    switch (in.op) {
      case Op::Constant: s += fmt::format("  r{} = {}\n", in.dst, in.constant); break;
      case Op::Input: s += fmt::format("  r{} = load {}\n", in.dst, inputs[static_cast<std::size_t>(in.slot)]); break;
      case Op::Store: s += fmt::format("  store {} = r{}\n", outputs[static_cast<std::size_t>(in.slot)], in.a); break;
      case Op::RandomUniform: case Op::RandomNormal:
        s += fmt::format("  r{} = {} key {}, step {}, draw {}", in.dst, graph::name(in.op),
                         inputs[static_cast<std::size_t>(in.slot)], inputs[static_cast<std::size_t>(in.step_slot)],
                         in.constant);
        if (in.site_slot >= 0) s += fmt::format(", site {}", inputs[static_cast<std::size_t>(in.site_slot)]);
        s += "\n";
        break;
      default: {
        s += fmt::format("  r{} = {} r{}", in.dst, graph::name(in.op), in.a);
        if (in.b >= 0) s += fmt::format(", r{}", in.b);
        if (in.c >= 0) s += fmt::format(", r{}", in.c);
        s += "\n";
      }
    }
  }
  return s;
}

namespace {

Program lower_as_built(const ExprGraph& graph, std::string name, std::vector<std::string> input_names,
                       std::vector<std::string> output_names, const std::vector<std::pair<NodeId, int>>& outputs) {
  // 1. Dependency order of the reachable nodes (iterative DFS, post-order).
  std::vector<NodeId> order;
  std::vector<char> state(graph.size(), 0);  // 0 unseen, 1 on stack, 2 done
  for (const auto& [root, slot] : outputs) {
    std::vector<std::pair<NodeId, int>> stack{{root, 0}};
    while (!stack.empty()) {
      auto& [id, next_arg] = stack.back();
      auto idx = static_cast<std::size_t>(id);
      if (state[idx] == 2) {
        stack.pop_back();
        continue;
      }
      state[idx] = 1;
      const Node& n = graph.node(id);
      if (next_arg < operand_count(n)) {
        NodeId child = n.args[static_cast<std::size_t>(next_arg++)];
        if (state[static_cast<std::size_t>(child)] == 0) stack.emplace_back(child, 0);
        continue;
      }
      state[idx] = 2;
      order.push_back(id);
      stack.pop_back();
    }
  }
  // Loads first (so outputs may alias inputs), then constants, then the rest in dependency order.
  std::stable_partition(order.begin(), order.end(), [&](NodeId id) { return graph.node(id).op == Op::Input; });

  // 2. Last use of each node, then registers with reuse after the last use.
  std::vector<std::size_t> last_use(graph.size(), 0);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Node& n = graph.node(order[i]);
    for (int a = 0; a < operand_count(n); ++a) last_use[static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)])] = i;
  }
  const std::size_t at_end = order.size();
  for (const auto& [root, slot] : outputs) last_use[static_cast<std::size_t>(root)] = at_end;

  // Only the inputs the program reads become its arguments, in their original order.
  std::vector<int> slot_remap(input_names.size(), -1);
  for (NodeId id : order)
    if (graph.node(id).op == Op::Input) slot_remap.at(static_cast<std::size_t>(graph.node(id).slot)) = 0;
  Program program;
  program.name = std::move(name);
  for (std::size_t s = 0; s < input_names.size(); ++s) {
    if (slot_remap[s] < 0) continue;
    slot_remap[s] = static_cast<int>(program.inputs.size());
    program.inputs.push_back(input_names[s]);
  }
  program.outputs = std::move(output_names);
  std::vector<int> reg(graph.size(), -1);
  std::vector<int> free_registers;
  for (std::size_t i = 0; i < order.size(); ++i) {
    NodeId id = order[i];
    const Node& n = graph.node(id);
    Instruction in;
    in.op = n.op;
    in.constant = n.value;
    in.slot = n.op == Op::Input ? slot_remap[static_cast<std::size_t>(n.slot)] : n.slot;
    if (is_random(n.op)) {  // the key table's and the step counter's input slots, read raw
      in.slot = slot_remap[static_cast<std::size_t>(graph.node(n.args[0]).slot)];
      in.step_slot = slot_remap[static_cast<std::size_t>(graph.node(n.args[1]).slot)];
      if (n.args[2] != no_node) in.site_slot = slot_remap[static_cast<std::size_t>(graph.node(n.args[2]).slot)];
    }
    int* operands[3] = {&in.a, &in.b, &in.c};
    for (int a = 0; a < operand_count(n); ++a) *operands[a] = reg[static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)])];
    // Operands whose last use is this instruction free their registers, so dst may reuse one.
    for (int a = 0; a < operand_count(n); ++a) {
      auto arg = static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)]);
      if (last_use[arg] == i && reg[arg] >= 0) {
        free_registers.push_back(reg[arg]);
        reg[arg] = -1;  // freed (guards against double free when an operand repeats)
      }
    }
    if (free_registers.empty()) {
      in.dst = program.register_count++;
    } else {
      in.dst = free_registers.back();
      free_registers.pop_back();
    }
    reg[static_cast<std::size_t>(id)] = in.dst;
    program.code.push_back(in);
  }
  for (const auto& [root, slot] : outputs) {
    Instruction store;
    store.op = Op::Store;
    store.a = reg[static_cast<std::size_t>(root)];
    store.slot = slot;
    if (store.a < 0) throw InternalError(fmt::format("output {} of program {} has no register", slot, program.name));
    program.code.push_back(store);
  }
  return program;
}

}  // namespace

Program lower(const ExprGraph& graph, std::string name, std::vector<std::string> input_names,
              std::vector<std::string> output_names, const std::vector<std::pair<NodeId, int>>& outputs) {
  if (graph.math() != MathMode::Fast)
    return lower_as_built(graph, std::move(name), std::move(input_names), std::move(output_names), outputs);
  // Fast mode: shared divisors inverted once, in a copy (the caller's graph stays as built).
  ExprGraph rewritten = graph;
  const auto rewritten_outputs = invert_shared_divisors(rewritten, outputs);
  return lower_as_built(rewritten, std::move(name), std::move(input_names), std::move(output_names),
                        rewritten_outputs);
}

}  // namespace psst::graph
