#include "graph/population_kernels.hpp"

#include <map>

#include <fmt/format.h>

#include "graph/linearize.hpp"
#include "graph/lowering.hpp"

namespace psst::graph {

namespace {

// Assigns input slots by name, in first-use order.
class SlotTable {
 public:
  int operator()(const std::string& name) {
    auto [it, inserted] = index_.try_emplace(name, static_cast<int>(names_.size()));
    if (inserted) names_.push_back(name);
    return it->second;
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::map<std::string, int> index_;
  std::vector<std::string> names_;
};

// Leaves shared by every kernel: parameters, inputs and built-ins read their slots.
NodeId common_leaf(const EquationSystem& system, ExprGraph& graph, SlotTable& slots, const std::string& name) {
  for (const auto& p : system.parameters())
    if (p == name) return graph.input(slots("param." + name));
  for (const auto& in : system.inputs())
    if (in == name) return graph.input(slots("input." + name));
  return graph.input(slots(name));  // built-ins: t, dt, lastspike, i, N
}

struct Outputs {
  std::vector<std::string> names;
  std::vector<std::pair<NodeId, int>> nodes;
  void add(const std::string& name, NodeId node) {
    nodes.emplace_back(node, static_cast<int>(names.size()));
    names.push_back(name);
  }
};

Program runge_kutta_stage(const EquationSystem& system, const Scheme& scheme, std::size_t s) {
  const Scheme::Stage& stage = scheme.stages[s];
  const bool first = s == 0, last = s + 1 == scheme.stages.size();
  ExprGraph graph;
  SlotTable slots;
  NodeId dt = graph.input(slots("dt"));
  std::map<std::string, NodeId> stage_state;
  // Stage state x_n + a_s dt k_{s-1}, with a_s dt computed once (e.g. dt * 0.5).
  NodeId step = first || stage.previous_weight == 0.0 ? no_node
                                                       : graph.binary(Op::Mul, graph.constant(stage.previous_weight), dt);
  for (const auto& v : system.state_variables()) {
    NodeId x = graph.input(slots("x." + v));
    stage_state[v] = step == no_node ? x
                                     : graph.binary(Op::Add, x, graph.binary(Op::Mul, step, graph.input(slots("k." + v))));
  }
  EquationSystem::Builder builder(system, graph, [&](const std::string& name) {
    if (auto it = stage_state.find(name); it != stage_state.end()) return it->second;
    return common_leaf(system, graph, slots, name);
  });
  Outputs out;
  NodeId weight = graph.constant(stage.weight);
  for (const auto& v : system.state_variables()) {
    NodeId f = builder.derivative(v);
    NodeId weighted = graph.binary(Op::Mul, weight, f);
    NodeId acc = no_node;
    if (!first && scheme.stages.size() > 1) {
      bool any_weight_before = false;
      for (std::size_t p = 0; p < s; ++p) any_weight_before |= scheme.stages[p].weight != 0.0;
      if (any_weight_before) acc = graph.input(slots("acc." + v));
    }
    NodeId sum = stage.weight == 0.0 ? acc : (acc == no_node ? weighted : graph.binary(Op::Add, acc, weighted));
    if (last) {
      // x_{n+1} = x_n + (dt / denominator) * sum
      NodeId factor = scheme.denominator == 1.0 ? dt : graph.binary(Op::Div, dt, graph.constant(scheme.denominator));
      NodeId x = graph.input(slots("x." + v));
      out.add("x." + v, graph.binary(Op::Add, x, graph.binary(Op::Mul, factor, sum)));
    } else {
      out.add("k." + v, f);
      if (sum != no_node) out.add("acc." + v, sum);
    }
  }
  return lower(graph, fmt::format("{}_{}_stage{}", system.population(), scheme.name, s + 1), slots.names(), out.names,
               out.nodes);
}

Program exponential_euler(const EquationSystem& system) {
  ExprGraph graph;
  SlotTable slots;
  NodeId dt = graph.input(slots("dt"));
  std::map<std::string, NodeId> state;
  for (const auto& v : system.state_variables()) state[v] = graph.input(slots("x." + v));
  EquationSystem::Builder builder(system, graph, [&](const std::string& name) {
    if (auto it = state.find(name); it != state.end()) return it->second;
    return common_leaf(system, graph, slots, name);
  });
  Outputs out;
  for (const auto& v : system.state_variables()) {
    NodeId x = state[v];
    NodeId f = builder.derivative(v);
    std::string why;
    auto linear = split_linear(graph, f, x, &why);
    if (!linear) {
      const auto& eq = system.derivative_equation(v);
      throw UserError(eq.where, fmt::format("exponential Euler cannot integrate d{}/dt of population '{}': it must be "
                                            "linear in {} (dx/dt = A + B*x with A, B independent of x), but {} {}; "
                                            "use method = \"rk4\" or \"rk2\" for this model",
                                            v, system.population(), v, v, why));
    }
    // f evaluated as A + B x; the update x + f * phi with phi = (exp(B dt) - 1) / B, or dt where B = 0.
    NodeId update;
    if (linear->coefficient == no_node) {
      update = graph.binary(Op::Add, x, graph.binary(Op::Mul, dt, linear->constant));
    } else {
      NodeId b = linear->coefficient;
      NodeId slope = graph.binary(Op::Add, linear->constant, graph.binary(Op::Mul, b, x));
      NodeId phi = graph.select(graph.binary(Op::Equal, b, graph.constant(0.0)), dt,
                                graph.binary(Op::Div, graph.unary(Op::Expm1, graph.binary(Op::Mul, b, dt)), b));
      update = graph.binary(Op::Add, x, graph.binary(Op::Mul, slope, phi));
    }
    out.add("x." + v, update);
  }
  return lower(graph, fmt::format("{}_exponential_euler", system.population()), slots.names(), out.names, out.nodes);
}

}  // namespace

PopulationKernels build_population_kernels(const EquationSystem& system, const Scheme& scheme,
                                           const model::ExprPtr& threshold) {
  PopulationKernels kernels;
  if (scheme.kind == Scheme::Kind::ExponentialEuler) {
    kernels.stages.push_back(exponential_euler(system));
  } else {
    for (std::size_t s = 0; s < scheme.stages.size(); ++s) kernels.stages.push_back(runge_kutta_stage(system, scheme, s));
  }
  if (threshold) {
    ExprGraph graph;
    SlotTable slots;
    EquationSystem::Builder builder(system, graph, [&](const std::string& name) {
      if (system.is_state(name)) return graph.input(slots("x." + name));
      return common_leaf(system, graph, slots, name);
    });
    NodeId condition = graph.binary(Op::NotEqual, builder.expression(*threshold), graph.constant(0.0));
    kernels.threshold = lower(graph, system.population() + "_threshold", slots.names(), {"spiking"}, {{condition, 0}});
    kernels.has_threshold = true;
  }
  return kernels;
}

Program build_expression_program(const EquationSystem& system, const model::Expr& expr, const std::string& name) {
  ExprGraph graph;
  SlotTable slots;
  EquationSystem::Builder builder(system, graph, [&](const std::string& leaf) {
    if (system.is_state(leaf)) return graph.input(slots("x." + leaf));
    return common_leaf(system, graph, slots, leaf);
  });
  NodeId value = builder.expression(expr);
  return lower(graph, name, slots.names(), {"value"}, {{value, 0}});
}

}  // namespace psst::graph
