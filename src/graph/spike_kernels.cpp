#include "graph/spike_kernels.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "graph/lowering.hpp"

namespace psst::graph {

namespace {

// One kernel's graph with its input slots, assigned in first-use order.
struct Kernel {
  std::string kernel_name;
  ExprGraph graph;
  std::vector<std::string> slots;
  std::vector<std::string> output_names;
  std::vector<std::pair<NodeId, int>> outputs;

  NodeId input(const std::string& slot) {
    auto it = std::find(slots.begin(), slots.end(), slot);
    if (it == slots.end()) it = slots.insert(slots.end(), slot);
    return graph.input(static_cast<int>(it - slots.begin()));
  }
  // A name of the population's equations: state from `state`, else a parameter, input, synaptic input or built-in.
  NodeId leaf(const EquationSystem& system, const std::map<std::string, NodeId>& state, const std::string& name) {
    if (auto it = state.find(name); it != state.end()) return it->second;
    if (system.is_state(name)) return input("x." + name);
    const auto& parameters = system.parameters();
    if (std::find(parameters.begin(), parameters.end(), name) != parameters.end()) return input("param." + name);
    const auto& inputs = system.inputs();
    if (std::find(inputs.begin(), inputs.end(), name) != inputs.end()) return input("input." + name);
    if (system.is_external(name)) return input("syn." + name);
    return input(name);  // built-ins: t, dt, lastspike, i, N
  }
  void output(const std::string& slot, NodeId node) {
    outputs.emplace_back(node, static_cast<int>(output_names.size()));
    output_names.push_back(slot);
  }
  Program lower() const { return graph::lower(graph, kernel_name, slots, output_names, outputs); }
};

Kernel new_kernel(const EquationSystem& system, const std::string& suffix) {
  return Kernel{system.population() + suffix, ExprGraph(system.precision(), system.math()), {}, {}, {}};
}

// Brian2's timestep(x, dt): whole steps in x, with a tolerance of 1e-3 dt for round-off.
NodeId timestep(ExprGraph& g, NodeId x, NodeId dt) {
  NodeId tolerance = g.binary(Op::Mul, g.constant(1e-3), dt);
  return g.unary(Op::Floor, g.divide(g.binary(Op::Add, x, tolerance), dt));
}

}  // namespace

Program build_refractory_program(const EquationSystem& system, const model::ExprPtr& condition) {
  Kernel k = new_kernel(system, "_refractory");
  ExprGraph& g = k.graph;
  NodeId value;
  if (condition) {
    std::map<std::string, NodeId> none;
    EquationSystem::Builder builder(system, g, [&](const std::string& name) { return k.leaf(system, none, name); });
    NodeId holds = g.binary(Op::NotEqual, builder.expression(*condition), g.constant(0.0));
    value = g.binary(Op::Or, k.input(std::string("input.") + not_refractory_name), g.unary(Op::Not, holds));
  } else {
    NodeId dt = k.input("dt");
    NodeId since = g.binary(Op::Sub, k.input("t"), k.input("lastspike"));
    value = g.binary(Op::GreaterEqual, timestep(g, since, dt), timestep(g, k.input(refractory_period_slot), dt));
  }
  k.output(std::string("input.") + not_refractory_name, value);
  return k.lower();
}

Program build_reset_program(const EquationSystem& system, const std::vector<model::EventStatement>& reset,
                            bool refractory) {
  Kernel k = new_kernel(system, "_reset");
  ExprGraph& g = k.graph;
  const NodeId just_spiked = g.binary(Op::Equal, k.input("lastspike"), k.input("t"));
  std::map<std::string, NodeId> state;  // each target's value after the statements so far
  std::vector<std::string> targets;
  for (const auto& statement : reset) {
    // A builder per statement: definitions read the state the statements before left.
    EquationSystem::Builder builder(system, g, [&](const std::string& name) { return k.leaf(system, state, name); });
    NodeId rhs = builder.expression(*statement.value);
    NodeId old = k.leaf(system, state, statement.target);
    using Operation = model::EventStatement::Operation;
    NodeId updated = statement.operation == Operation::Assign     ? rhs
                     : statement.operation == Operation::Add      ? g.binary(Op::Add, old, rhs)
                     : statement.operation == Operation::Subtract ? g.binary(Op::Sub, old, rhs)
                                                                  : g.binary(Op::Mul, old, rhs);
    state[statement.target] = g.select(just_spiked, updated, old);
    if (std::find(targets.begin(), targets.end(), statement.target) == targets.end())
      targets.push_back(statement.target);
  }
  for (const auto& target : targets) k.output("x." + target, g.unary(Op::FlushSubnormal, state[target]));
  if (refractory) {
    const std::string slot = std::string("input.") + not_refractory_name;
    k.output(slot, g.select(just_spiked, g.constant(0.0), k.input(slot)));
  }
  return k.lower();
}

model::ExprPtr refractory_threshold(const model::ExprPtr& threshold) {
  return model::Expr::make_binary(model::BinaryOp::And, threshold,
                                  model::Expr::make_name(not_refractory_name, threshold->where), threshold->where);
}

}  // namespace psst::graph
