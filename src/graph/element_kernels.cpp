#include "graph/element_kernels.hpp"

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "graph/linearize.hpp"
#include "graph/lowering.hpp"

namespace psst::graph {

namespace {

// Assigns input slots by name, in first-use order.
class SlotTable {
 public:
  explicit SlotTable(std::vector<std::string>& names) : names_(names) {
    for (std::size_t i = 0; i < names_.size(); ++i) index_[names_[i]] = static_cast<int>(i);
  }
  int operator()(const std::string& name) {
    auto [it, inserted] = index_.try_emplace(name, static_cast<int>(names_.size()));
    if (inserted) names_.push_back(name);
    return it->second;
  }

 private:
  std::vector<std::string>& names_;
  std::map<std::string, int> index_;
};

// An empty graph whose constants fold in the system's precision.
StageGraph new_stage_graph(const EquationSystem& system, std::string name) {
  StageGraph g;
  g.name = std::move(name);
  g.graph = ExprGraph(system.precision(), system.math());
  return g;
}

// Leaves shared by every kernel: parameters, inputs, externals and built-ins read their slots.
NodeId common_leaf(const KernelSpec& spec, ExprGraph& graph, SlotTable& slots, const std::string& name) {
  const EquationSystem& system = *spec.system;
  for (const auto& p : system.parameters())
    if (p == name) return graph.input(slots("param." + name));
  for (const auto& in : system.inputs())
    if (in == name) return graph.input(slots("input." + name));
  if (system.is_external(name)) return graph.input(slots(spec.external_slot(name)));
  return graph.input(slots(name));  // built-ins: t, dt, lastspike, i, N
}

// The state at the end of a step (x) is flushed: magnitudes below the smallest
// normal number become zeros of the same sign (docs/model-files.md, "Subnormal
// numbers"), so that a geometric decay ends at 0. Stage derivatives and sums
// (k, acc) are not: a derivative -x/tau of an x just above the smallest normal
// is subnormal, and flushed to 0 it would hold x there for ever, computing that
// subnormal in every step.
NodeId flushed(ExprGraph& graph, NodeId value) { return graph.unary(Op::FlushSubnormal, value); }

void add_output(StageGraph& g, const std::string& name, NodeId node) {
  g.outputs.emplace_back(node, static_cast<int>(g.output_names.size()));
  g.output_names.push_back(name);
}

// Stage s of a Runge-Kutta scheme over nodes already in the graph: the stage state
// x + (a_s dt) k_{s-1}, each variable's derivative f there, and the running sum
// sum_{p<=s} b_p k_p. k(v) and acc(v) give the previous stage's derivative and sum
// (inputs of a stage kernel, or nodes of the same graph in a fused step).
struct RungeKuttaStage {
  std::map<std::string, NodeId> derivative, sum;  // sum: no_node while every weight so far is 0
  std::unique_ptr<EquationSystem::Builder> builder;
};

RungeKuttaStage emit_runge_kutta_stage(const KernelSpec& spec, std::size_t s, ExprGraph& graph, SlotTable& slots,
                                       NodeId dt, const std::map<std::string, NodeId>& x,
                                       const std::function<NodeId(const std::string&)>& k,
                                       const std::function<NodeId(const std::string&)>& acc) {
  const EquationSystem& system = *spec.system;
  const Scheme& scheme = *spec.scheme;
  const Scheme::Stage& stage = scheme.stages[s];
  // Stage state x_n + a_s dt k_{s-1}, with a_s dt computed once.
  NodeId step = s == 0 || stage.previous_weight == 0.0
                    ? no_node
                    : graph.binary(Op::Mul, graph.constant(stage.previous_weight), dt);
  auto stage_state = std::make_shared<std::map<std::string, NodeId>>();
  for (const auto& v : system.state_variables())
    (*stage_state)[v] = step == no_node ? x.at(v) : graph.binary(Op::Add, x.at(v), graph.binary(Op::Mul, step, k(v)));
  RungeKuttaStage result;
  result.builder = std::make_unique<EquationSystem::Builder>(system, graph, [&spec, &graph, &slots, stage_state](const std::string& name) {
    if (auto it = stage_state->find(name); it != stage_state->end()) return it->second;
    return common_leaf(spec, graph, slots, name);
  });
  bool any_weight_before = false;
  for (std::size_t p = 0; p < s; ++p) any_weight_before |= scheme.stages[p].weight != 0.0;
  NodeId weight = graph.constant(stage.weight);
  for (const auto& v : system.state_variables()) {
    NodeId f = result.builder->derivative(v);
    NodeId weighted = graph.binary(Op::Mul, weight, f);
    NodeId previous = any_weight_before ? acc(v) : no_node;
    result.derivative[v] = f;
    result.sum[v] = stage.weight == 0.0 ? previous : (previous == no_node ? weighted : graph.binary(Op::Add, previous, weighted));
  }
  return result;
}

// x_{n+1} = x_n + (dt / denominator) * sum
NodeId runge_kutta_update(const Scheme& scheme, ExprGraph& graph, NodeId dt, NodeId x, NodeId sum) {
  NodeId factor = scheme.denominator == 1.0 ? dt : graph.binary(Op::Div, dt, graph.constant(scheme.denominator));
  return flushed(graph, graph.binary(Op::Add, x, graph.binary(Op::Mul, factor, sum)));
}

StageGraph runge_kutta_stage(const KernelSpec& spec, std::size_t s) {
  const EquationSystem& system = *spec.system;
  const Scheme& scheme = *spec.scheme;
  const bool last = s + 1 == scheme.stages.size();
  StageGraph g = new_stage_graph(system, fmt::format("{}_{}_stage{}", system.population(), scheme.name, s + 1));
  ExprGraph& graph = g.graph;
  SlotTable slots(g.slots);
  NodeId dt = graph.input(slots("dt"));
  std::map<std::string, NodeId> x;
  for (const auto& v : system.state_variables()) x[v] = graph.input(slots("x." + v));
  auto stage = emit_runge_kutta_stage(
      spec, s, graph, slots, dt, x, [&](const std::string& v) { return graph.input(slots("k." + v)); },
      [&](const std::string& v) { return graph.input(slots("acc." + v)); });
  for (const auto& v : system.state_variables()) {
    if (last) {
      add_output(g, "x." + v, runge_kutta_update(scheme, graph, dt, x.at(v), stage.sum.at(v)));
    } else {
      add_output(g, "k." + v, stage.derivative.at(v));
      if (stage.sum.at(v) != no_node) add_output(g, "acc." + v, stage.sum.at(v));
    }
  }
  for (const auto& [name, expr] : spec.stage_outputs) add_output(g, name, stage.builder->expression(*expr));
  return g;
}

// Every stage of one step in one graph: the stage derivatives and sums stay in
// registers instead of k.* and acc.* arrays. The operations are those of the
// stage kernels one by one, so the result is bitwise the same; where a stage
// derivative is a constant, the fused graph folds what the stage kernels
// compute at run time, in the same precision (ExprGraph), to the same bits.
StageGraph runge_kutta_step(const KernelSpec& spec) {
  const EquationSystem& system = *spec.system;
  const Scheme& scheme = *spec.scheme;
  StageGraph g = new_stage_graph(system, fmt::format("{}_{}_step", system.population(), scheme.name));
  ExprGraph& graph = g.graph;
  SlotTable slots(g.slots);
  NodeId dt = graph.input(slots("dt"));
  std::map<std::string, NodeId> x, k, acc;
  for (const auto& v : system.state_variables()) x[v] = graph.input(slots("x." + v));
  for (std::size_t s = 0; s < scheme.stages.size(); ++s) {
    auto stage = emit_runge_kutta_stage(
        spec, s, graph, slots, dt, x, [&](const std::string& v) { return k.at(v); },
        [&](const std::string& v) { return acc.at(v); });
    k = stage.derivative;
    acc = stage.sum;
  }
  for (const auto& v : system.state_variables())
    add_output(g, "x." + v, runge_kutta_update(scheme, graph, dt, x.at(v), acc.at(v)));
  return g;
}

StageGraph exponential_euler(const KernelSpec& spec) {
  const EquationSystem& system = *spec.system;
  StageGraph g = new_stage_graph(system, fmt::format("{}_exponential_euler", system.population()));
  ExprGraph& graph = g.graph;
  SlotTable slots(g.slots);
  NodeId dt = graph.input(slots("dt"));
  std::map<std::string, NodeId> state;
  for (const auto& v : system.state_variables()) state[v] = graph.input(slots("x." + v));
  EquationSystem::Builder builder(system, graph, [&](const std::string& name) {
    if (auto it = state.find(name); it != state.end()) return it->second;
    return common_leaf(spec, graph, slots, name);
  });
  for (const auto& v : system.state_variables()) {
    NodeId x = state[v];
    NodeId f = builder.derivative(v);
    std::string why;
    auto linear = split_linear(graph, f, x, &why);
    if (!linear) {
      const auto& eq = system.derivative_equation(v);
      throw UserError(eq.where, fmt::format("exponential Euler cannot integrate d{}/dt of '{}': it must be linear in "
                                            "{} (dx/dt = A + B*x with A, B independent of x), but {} {}; use method "
                                            "= \"rk4\" or \"rk2\" for this model",
                                            v, system.population(), v, v, why));
    }
    // f evaluated as A + B x; x <- x + f phi with phi = (exp(B dt) - 1) / B, or dt where B = 0.
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
    add_output(g, "x." + v, flushed(graph, update));
  }
  for (const auto& [name, expr] : spec.stage_outputs) add_output(g, name, builder.expression(*expr));
  return g;
}

// Copies the nodes reachable from `id` into another graph, replacing some by new inputs.
NodeId copy_node(const ExprGraph& from, NodeId id, ExprGraph& to, std::map<NodeId, NodeId>& memo) {
  if (auto it = memo.find(id); it != memo.end()) return it->second;
  const Node& n = from.node(id);
  NodeId result;
  if (is_random(n.op)) {  // key, step counter and the optional site; the draw number is the node's value
    const NodeId key = copy_node(from, n.args[0], to, memo);
    const NodeId step = copy_node(from, n.args[1], to, memo);
    const NodeId site = n.args[2] == no_node ? no_node : copy_node(from, n.args[2], to, memo);
    result = to.random(n.op, key, step, static_cast<std::uint32_t>(n.value), site);
    memo[id] = result;
    return result;
  }
  switch (arity(n.op)) {
    case 0: result = n.op == Op::Constant ? to.constant(n.value) : to.input(n.slot); break;
    case 1: result = to.unary(n.op, copy_node(from, n.args[0], to, memo)); break;
    case 2: {
      NodeId a = copy_node(from, n.args[0], to, memo);
      result = to.binary(n.op, a, copy_node(from, n.args[1], to, memo));
      break;
    }
    default: {  // Select or Fma
      NodeId first = copy_node(from, n.args[0], to, memo);
      NodeId second = copy_node(from, n.args[1], to, memo);
      NodeId third = copy_node(from, n.args[2], to, memo);
      result = n.op == Op::Fma ? to.fma(first, second, third) : to.select(first, second, third);
    }
  }
  memo[id] = result;
  return result;
}

SynapseStagePrograms hoist_presynaptic(const StageGraph& g, const KernelSpec& spec) {
  const ExprGraph& graph = g.graph;
  // presynaptic_only: depends on nothing per synapse (pre slots, uniforms, constants);
  // reads_pre: depends on at least one presynaptic slot.
  std::vector<char> presynaptic_only(graph.size()), reads_pre(graph.size());
  auto uniform = [&](const std::string& slot) {
    return slot == "t" || slot == "dt" || (spec.uniform_slot && spec.uniform_slot(slot));
  };
  for (std::size_t id = 0; id < graph.size(); ++id) {  // nodes are created after their operands
    const Node& n = graph.node(static_cast<NodeId>(id));
    if (n.op == Op::Constant) {
      presynaptic_only[id] = 1;
    } else if (n.op == Op::Input) {
      const std::string& slot = g.slots[static_cast<std::size_t>(n.slot)];
      reads_pre[id] = slot.rfind("pre.", 0) == 0;
      presynaptic_only[id] = reads_pre[id] || uniform(slot);
    } else {
      presynaptic_only[id] = 1;
      for (int a = 0; a < operand_count(n); ++a) {
        auto arg = static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)]);
        presynaptic_only[id] &= presynaptic_only[arg];
        reads_pre[id] |= reads_pre[arg];
      }
    }
  }
  // Hoist the largest presynaptic-only computations: those used by per-synapse nodes or outputs.
  std::vector<char> hoist(graph.size());
  auto candidate = [&](NodeId id) {
    const Node& n = graph.node(id);
    return presynaptic_only[static_cast<std::size_t>(id)] && reads_pre[static_cast<std::size_t>(id)] &&
           n.op != Op::Input;
  };
  for (std::size_t id = 0; id < graph.size(); ++id) {
    const Node& n = graph.node(static_cast<NodeId>(id));
    if (presynaptic_only[id]) continue;
    for (int a = 0; a < operand_count(n); ++a)
      if (candidate(n.args[static_cast<std::size_t>(a)])) hoist[static_cast<std::size_t>(n.args[static_cast<std::size_t>(a)])] = 1;
  }
  for (const auto& [node, slot] : g.outputs)
    if (candidate(node)) hoist[static_cast<std::size_t>(node)] = 1;

  SynapseStagePrograms programs;
  // Presynaptic program: the hoisted nodes, over presynaptic neurons (its pre.* slots are read directly).
  std::vector<std::string> pre_outputs;
  std::vector<std::pair<NodeId, int>> pre_nodes;
  std::map<NodeId, NodeId> memo;
  ExprGraph synaptic(graph.precision(), graph.math());
  std::vector<std::string> synaptic_slots = g.slots;
  for (std::size_t id = 0; id < graph.size(); ++id) {
    if (!hoist[id]) continue;
    std::string name = fmt::format("hoisted.{}", pre_outputs.size());
    pre_nodes.emplace_back(static_cast<NodeId>(id), static_cast<int>(pre_outputs.size()));
    pre_outputs.push_back(name);
    synaptic_slots.push_back("pre." + name);
    memo[static_cast<NodeId>(id)] = synaptic.input(static_cast<int>(synaptic_slots.size() - 1));
  }
  if (!pre_nodes.empty())
    programs.presynaptic = lower(graph, g.name + "_presynaptic", g.slots, pre_outputs, pre_nodes);
  programs.presynaptic.name = g.name + "_presynaptic";
  std::vector<std::pair<NodeId, int>> outputs;
  for (const auto& [node, slot] : g.outputs) outputs.emplace_back(copy_node(graph, node, synaptic, memo), slot);
  programs.synaptic = lower(synaptic, g.name, synaptic_slots, g.output_names, outputs);
  return programs;
}

}  // namespace

Program StageGraph::lower() const { return graph::lower(graph, name, slots, output_names, outputs); }

std::size_t stage_count(const Scheme& scheme) {
  return scheme.kind == Scheme::Kind::ExponentialEuler ? 1 : scheme.stages.size();
}

StageGraph build_stage_graph(const KernelSpec& spec, std::size_t stage) {
  return spec.scheme->kind == Scheme::Kind::ExponentialEuler ? exponential_euler(spec) : runge_kutta_stage(spec, stage);
}

std::optional<Program> build_stage_state_program(const EquationSystem& system, const Scheme& scheme,
                                                 std::size_t stage, const std::vector<std::string>& variables) {
  if (scheme.kind == Scheme::Kind::ExponentialEuler || stage == 0 || scheme.stages[stage].previous_weight == 0.0)
    return std::nullopt;
  StageGraph g = new_stage_graph(system, fmt::format("{}_{}_stage{}_state", system.population(), scheme.name, stage + 1));
  SlotTable slots(g.slots);
  // Exactly the operations of the stage kernel, so both see the same bits.
  NodeId dt = g.graph.input(slots("dt"));
  NodeId step = g.graph.binary(Op::Mul, g.graph.constant(scheme.stages[stage].previous_weight), dt);
  for (const auto& v : variables) {
    NodeId x = g.graph.input(slots("x." + v));
    add_output(g, "xs." + v, g.graph.binary(Op::Add, x, g.graph.binary(Op::Mul, step, g.graph.input(slots("k." + v)))));
  }
  return g.lower();
}

PopulationKernels build_population_kernels(const EquationSystem& system, const Scheme& scheme,
                                           const model::ExprPtr& threshold) {
  if (system.has_noise() && !scheme.integrates_noise)
    throw UserError(system.noise_location(),
                    fmt::format("population '{}' reads white noise ('{}'), which method '{}' cannot integrate: its "
                                "stages would see a fraction of the step's noise increment ({}); use method = "
                                "\"euler\" (Euler-Maruyama) or method = \"heun\" (stochastic Heun)",
                                system.population(), system.noise_sources().front(), scheme.name,
                                scheme.kind == Scheme::Kind::ExponentialEuler
                                    ? "exponential Euler integrates a drift A + B x exactly, not a Wiener increment"
                                    : "a Runge-Kutta method for smooth equations converges to neither Ito nor "
                                      "Stratonovich calculus"));
  KernelSpec spec{&system, &scheme, [](const std::string& name) { return "syn." + name; }, {}, {}};
  PopulationKernels kernels;
  for (std::size_t s = 0; s < stage_count(scheme); ++s) kernels.stages.push_back(build_stage_graph(spec, s).lower());
  if (threshold) {
    StageGraph g = new_stage_graph(system, system.population() + "_threshold");
    SlotTable slots(g.slots);
    EquationSystem::Builder builder(system, g.graph, [&](const std::string& name) {
      if (system.is_state(name)) return g.graph.input(slots("x." + name));
      return common_leaf(spec, g.graph, slots, name);
    });
    add_output(g, "spiking", g.graph.binary(Op::NotEqual, builder.expression(*threshold), g.graph.constant(0.0)));
    kernels.threshold = g.lower();
    kernels.has_threshold = true;
  }
  if (scheme.kind == Scheme::Kind::RungeKutta && scheme.stages.size() > 1) {
    // A fused step needs kernels that see nothing change between stages but the
    // population's own state: no stage time, no input table, no synaptic input
    // (the threshold neither: a fused population samples no inputs and zeroes
    // no synaptic input).
    auto independent = [](const std::vector<std::string>& inputs, bool time_allowed) {
      return std::none_of(inputs.begin(), inputs.end(), [time_allowed](const std::string& slot) {
        return (slot == "t" && !time_allowed) || slot.rfind("input.", 0) == 0 || slot.rfind("syn.", 0) == 0;
      });
    };
    Program program = runge_kutta_step(spec).lower();
    if (independent(program.inputs, false) && (!kernels.has_threshold || independent(kernels.threshold.inputs, true)))
      kernels.step = std::move(program);
  }
  return kernels;
}

Program build_expression_program(const EquationSystem& system, const model::Expr& expr, const std::string& name) {
  KernelSpec spec{&system, nullptr, [](const std::string& n) { return "syn." + n; }, {}, {}};
  StageGraph g = new_stage_graph(system, name);
  SlotTable slots(g.slots);
  EquationSystem::Builder builder(system, g.graph, [&](const std::string& leaf) {
    if (system.is_state(leaf)) return g.graph.input(slots("x." + leaf));
    return common_leaf(spec, g.graph, slots, leaf);
  });
  add_output(g, "value", builder.expression(expr));
  return g.lower();
}

Program build_definition_program(const EquationSystem& system, const std::vector<std::string>& definitions) {
  KernelSpec spec{&system, nullptr, [](const std::string& n) { return "syn." + n; }, {}, {}};
  StageGraph g = new_stage_graph(system, system.population() + "_observe");
  SlotTable slots(g.slots);
  // The leaves of the first stage of a step (stage state = x), so the same nodes.
  EquationSystem::Builder builder(system, g.graph, [&](const std::string& leaf) {
    if (system.is_state(leaf)) return g.graph.input(slots("x." + leaf));
    return common_leaf(spec, g.graph, slots, leaf);
  });
  for (const auto& name : definitions)
    add_output(g, "observe." + name, builder.expression(*model::Expr::make_name(name, {})));
  return g.lower();
}

Program build_summed_program(const KernelSpec& spec, const std::string& name) {
  StageGraph g = build_stage_graph(spec, 0);
  // Only the summed outputs: lowering keeps just the nodes they reach.
  std::vector<std::pair<NodeId, int>> outputs;
  std::vector<std::string> names;
  for (const auto& [node, slot] : g.outputs) {
    const std::string& output = g.output_names[static_cast<std::size_t>(slot)];
    if (!output.starts_with("summed.")) continue;
    outputs.emplace_back(node, static_cast<int>(names.size()));
    names.push_back(output);
  }
  return lower(g.graph, name, g.slots, names, outputs);
}

std::vector<SynapseStagePrograms> build_synapse_kernels(const KernelSpec& spec) {
  std::vector<SynapseStagePrograms> stages;
  for (std::size_t s = 0; s < stage_count(*spec.scheme); ++s) stages.push_back(hoist_presynaptic(build_stage_graph(spec, s), spec));
  return stages;
}

Program build_event_program(const KernelSpec& spec, const std::vector<model::EventStatement>& statements,
                            const std::string& name) {
  const EquationSystem& system = *spec.system;
  StageGraph g = new_stage_graph(system, name);
  SlotTable slots(g.slots);
  EquationSystem::Builder builder(system, g.graph, [&](const std::string& leaf) {
    if (system.is_state(leaf)) return g.graph.input(slots("x." + leaf));
    return common_leaf(spec, g.graph, slots, leaf);
  });
  for (std::size_t k = 0; k < statements.size(); ++k)
    add_output(g, fmt::format("value.{}", k), builder.expression(*statements[k].value));
  return g.lower();
}

}  // namespace psst::graph
