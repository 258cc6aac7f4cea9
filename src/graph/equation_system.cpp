#include "graph/equation_system.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "model/functions.hpp"

namespace psst::graph {

using model::Equation;
using model::Expr;

bool is_builtin(const std::string& name) {
  return std::any_of(std::begin(builtin_names), std::end(builtin_names), [&](const char* b) { return name == b; });
}

bool is_noise_name(const std::string& name) { return name == "xi" || (name.starts_with("xi_") && name.size() > 3); }

namespace {

// The calls of rand() and randn() in an expression, in reading order.
void collect_random_calls(const Expr& expr, std::vector<const Expr*>& calls) {
  if (expr.kind == Expr::Kind::Call && (expr.name == "rand" || expr.name == "randn")) calls.push_back(&expr);
  for (const auto& arg : expr.args) collect_random_calls(*arg, calls);
}

const char* builtin_meaning(const std::string& name) {
  if (name == "t") return "the time in ms";
  if (name == "dt") return "the time step in ms";
  if (name == "lastspike") return "the neuron's last spike time";
  if (name == "i") return "the neuron index";
  return "the population size";
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// Levels of an expression tree (bounded by the parser's limit on tokens per equation).
std::size_t tree_depth(const Expr& expr) {
  std::size_t deepest = 0;
  for (const auto& arg : expr.args) deepest = std::max(deepest, tree_depth(*arg));
  return deepest + 1;
}

// Definitions are inlined into the equations that read them; past this depth the
// recursive passes that build kernels would run out of stack.
constexpr std::size_t max_inlined_depth = 5000;

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "(none)" : s;
}

}  // namespace

EquationSystem::EquationSystem(const model::PopulationSpec& spec, SystemOptions options)
    : population_(spec.name), options_(std::move(options)), equations_(spec.equations) {
  const std::string where_pop = fmt::format("{} '{}'", options_.kind, spec.name);
  std::map<std::string, const Equation*> seen;
  for (const Equation& eq : equations_) {
    if (is_builtin(eq.name))
      throw UserError(eq.where, fmt::format("'{}' is a built-in name ({}) and cannot be given an equation", eq.name,
                                            builtin_meaning(eq.name)));
    if (model::find_function(eq.name))
      throw UserError(eq.where, fmt::format("'{}' is the name of a function and cannot be given an equation", eq.name));
    if (auto it = seen.find(eq.name); it != seen.end())
      throw UserError(eq.where, fmt::format("duplicate definition of '{}' in {}: it is already defined at line {}",
                                            eq.name, where_pop, it->second->where.line));
    seen[eq.name] = &eq;
    if (spec.parameters.count(eq.name))
      throw UserError(eq.where,
                      fmt::format("'{}' is a parameter of {} and cannot also have {}; remove one of the two",
                                  eq.name, where_pop,
                                  eq.kind == Equation::Kind::Derivative ? "a differential equation" : "an equation"));
    if (eq.kind == Equation::Kind::Derivative) {
      state_.push_back(eq.name);
      derivatives_[eq.name] = &eq;
    } else {
      definition_names_.push_back(eq.name);
      definitions_[eq.name] = &eq;
    }
  }
  for (const Equation& eq : equations_)
    if (is_external(eq.name))
      throw UserError(eq.where, fmt::format("'{}' is {} and cannot be given an equation in {}", eq.name,
                                            options_.kind == "population" ? "summed from incoming synapses"
                                                                          : "a pre- or postsynaptic variable",
                                            where_pop));
  if (spec.spike_times) inputs_.push_back("spike_due");  // 1 in the steps of the neuron's spikes
  if (state_.empty() && options_.require_state && !spec.poisson && !spec.spike_times)
    throw UserError(spec.where, fmt::format("{} has no differential equation ('dX/dt = ...'); every population needs "
                                            "at least one state variable", where_pop));
  for (const auto& [name, value] : spec.parameters) {
    if (is_builtin(name))
      throw UserError(value.where, fmt::format("'{}' is a built-in name ({}) and cannot be a parameter", name,
                                               builtin_meaning(name)));
    parameters_.push_back(name);
  }
  for (const auto& input : spec.inputs) {
    if (seen.count(input.name) || spec.parameters.count(input.name) || is_builtin(input.name))
      throw UserError(input.where, fmt::format("input '{}' of {} has the name of another variable or parameter",
                                               input.name, where_pop));
    inputs_.push_back(input.name);
  }
  if (spec.has_refractoriness()) {  // the built-in not_refractory: 1, or 0 while refractory
    if (seen.count("not_refractory") || spec.parameters.count("not_refractory"))
      throw UserError(spec.where, fmt::format("'not_refractory' is a built-in name of {} (1, or 0 while the neuron "
                                              "is refractory) and cannot be given an equation or be a parameter",
                                              where_pop));
    inputs_.push_back("not_refractory");
  }
  // Every name that an equation reads must be known.
  for (const Equation& eq : equations_)
    check_names(eq.rhs, fmt::format("the equation of '{}'", eq.name), true, options_.kind == "population");
  check_cycles();
  // Initial values: one for each state variable, none for anything else.
  for (const auto& [name, value] : spec.initial) {
    if (!is_state(name))
      throw UserError(value.where, fmt::format("initial value given for '{}', which is not a state variable of {} "
                                               "(state variables: {})", name, where_pop, join(state_)));
  }
  for (const auto& name : state_) {
    if (!spec.initial.count(name))
      throw UserError(derivatives_.at(name)->where,
                      fmt::format("state variable '{}' of {} has no initial value; give one in the population's "
                                  "'initial' table (e.g. {} = 0)", name, where_pop, name));
  }
  if (spec.threshold) check_names(spec.threshold, "the threshold", true);
  check_spike_handling(spec);
  number_random_draws(spec);
}

void EquationSystem::number_event_draws(const std::vector<model::EventStatement>& statements) {
  std::vector<const Expr*> calls;
  for (const auto& statement : statements) {
    held_.push_back(statement.value);
    collect_random_calls(*statement.value, calls);
  }
  if (calls.size() >= noise_draw_base)
    throw UserError(calls.back()->where, fmt::format("on_pre of {} '{}' calls rand() and randn() {} times; at most {}",
                                                     options_.kind, population_, calls.size(), noise_draw_base - 1));
  event_draw_numbers_.clear();
  for (std::size_t k = 0; k < calls.size(); ++k) event_draw_numbers_[calls[k]] = static_cast<std::uint32_t>(k);
}

void EquationSystem::number_random_draws(const model::PopulationSpec& spec) {
  std::vector<const Expr*> calls;
  for (const Equation& eq : equations_) collect_random_calls(*eq.rhs, calls);
  if (spec.threshold) held_.push_back(spec.threshold);
  for (const auto& statement : spec.reset) held_.push_back(statement.value);
  if (spec.refractory_condition) held_.push_back(spec.refractory_condition);
  for (const auto& expr : held_) collect_random_calls(*expr, calls);
  if (!calls.empty() && options_.kind != "population")
    throw UserError(calls.front()->where, fmt::format("{}() in {} '{}': a projection draws random numbers in "
                                                      "on_pre only, not yet in its equations or summed "
                                                      "contributions", calls.front()->name, options_.kind,
                                                      population_));
  if (calls.size() >= noise_draw_base)
    throw UserError(calls.back()->where, fmt::format("population '{}' calls rand() and randn() {} times; at most {}",
                                                     population_, calls.size(), noise_draw_base - 1));
  for (std::size_t k = 0; k < calls.size(); ++k) draw_numbers_[calls[k]] = static_cast<std::uint32_t>(k);
  // Noise sources: the names xi, xi_NAME the equations read that are nothing else.
  for (const Equation& eq : equations_) {
    std::vector<const Expr*> names;
    model::collect_names(eq.rhs, names);
    for (const Expr* n : names) {
      if (!is_noise_name(n->name) || definitions_.count(n->name) || is_state(n->name) ||
          std::count(parameters_.begin(), parameters_.end(), n->name) ||
          std::count(inputs_.begin(), inputs_.end(), n->name) || is_external(n->name))
        continue;
      if (noise_sources_.empty()) noise_where_ = n->where;
      if (std::find(noise_sources_.begin(), noise_sources_.end(), n->name) == noise_sources_.end())
        noise_sources_.push_back(n->name);
    }
  }
  std::sort(noise_sources_.begin(), noise_sources_.end());
}

void EquationSystem::check_spike_handling(const model::PopulationSpec& spec) const {
  if (!spec.threshold && (!spec.reset.empty() || spec.has_refractoriness()))
    throw UserError(spec.where, fmt::format("population '{}' has a {} but no threshold; give a threshold (e.g. "
                                            "threshold = \"V > -50\"), since a reset and refractoriness follow spikes",
                                            population_, spec.reset.empty() ? "refractory period" : "reset"));
  for (const auto& statement : spec.reset) {
    if (!is_state(statement.target))
      throw UserError(statement.where, fmt::format("the reset of population '{}' assigns to '{}', which is not one of "
                                                   "its state variables ({})",
                                                   population_, statement.target, join(state_)));
    check_names(statement.value, "the reset", true);
  }
  if (spec.refractory_condition) check_names(spec.refractory_condition, "the refractory condition", true);
}

bool EquationSystem::is_state(const std::string& name) const { return derivatives_.count(name) > 0; }

bool EquationSystem::is_external(const std::string& name) const {
  return std::find(options_.external_names.begin(), options_.external_names.end(), name) !=
         options_.external_names.end();
}

const model::Equation& EquationSystem::derivative_equation(const std::string& variable) const {
  return *derivatives_.at(variable);
}

std::string EquationSystem::known_names() const {
  std::vector<std::string> builtins(std::begin(builtin_names), std::end(builtin_names));
  std::string externals = options_.external_names.empty()
                              ? std::string()
                              : fmt::format("; {}: {}", options_.kind == "population" ? "synaptic inputs" : "pre/post variables",
                                            join(options_.external_names));
  return fmt::format("state variables: {}; definitions: {}; parameters: {}; inputs: {}; built-ins: {}{}", join(state_),
                     join(definition_names_), join(parameters_), join(inputs_), join(builtins), externals);
}

void EquationSystem::check_names(const model::ExprPtr& expr, const std::string& context, bool allow_state,
                                 bool allow_noise) const {
  std::vector<const Expr*> names;
  model::collect_names(expr, names);
  for (const Expr* n : names) {
    const std::string& s = n->name;
    bool known = definitions_.count(s) || std::count(parameters_.begin(), parameters_.end(), s) ||
                 std::count(inputs_.begin(), inputs_.end(), s) || is_builtin(s) || (allow_state && is_state(s)) ||
                 is_external(s);
    if (known) continue;
    if (is_noise_name(s) && allow_noise) continue;
    if (is_noise_name(s))
      throw UserError(n->where, fmt::format("'{}' (white noise) in {} of {} '{}': noise is a term of a population's "
                                            "differential equations (dX/dt = ... + sigma*{}) or of the definitions "
                                            "they read; use randn() for one normal number per step elsewhere",
                                            s, context, options_.kind, population_, s));
    if (!allow_state && is_state(s))
      throw UserError(n->where, fmt::format("{} cannot read the state variable '{}'", context, s));
    std::vector<std::string> all = state_;
    all.insert(all.end(), definition_names_.begin(), definition_names_.end());
    all.insert(all.end(), parameters_.begin(), parameters_.end());
    all.insert(all.end(), inputs_.begin(), inputs_.end());
    std::string suggestion;
    std::size_t best = 3;
    for (const auto& candidate : all) {
      std::size_t d = edit_distance(s, candidate);
      if (d < best) {
        best = d;
        suggestion = candidate;
      }
    }
    throw UserError(n->where, fmt::format("unknown name '{}' in {} of {} '{}'{}; known names are {}", s,
                                          context, options_.kind, population_,
                                          suggestion.empty() ? "" : fmt::format(" (did you mean '{}'?)", suggestion),
                                          known_names()));
  }
}

void EquationSystem::check_cycles() const {
  // Depth-first search over definitions; a back edge is a cycle, reported in order.
  std::map<std::string, int> state;  // 0 new, 1 on path, 2 done
  std::map<std::string, std::size_t> inlined;  // tree depth of a definition with what it reads inlined (at most)
  std::vector<std::string> path;
  auto too_deep = [&](const std::string& name, std::size_t depth) {
    return UserError(definitions_.at(name)->where,
                     fmt::format("the definition of '{}' in population '{}' nests too deeply: with the definitions "
                                 "it reads put in, its expression is {}{} levels deep (at most {}); write the chain "
                                 "of definitions with fewer steps",
                                 name, population_, depth > max_inlined_depth ? "" : "more than ", depth,
                                 max_inlined_depth));
  };
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (path.size() >= max_inlined_depth) throw too_deep(path.front(), path.size());
    state[name] = 1;
    path.push_back(name);
    std::vector<const Expr*> names;
    model::collect_names(definitions_.at(name)->rhs, names);
    for (const Expr* n : names) {
      if (!definitions_.count(n->name)) continue;
      int s = state[n->name];
      if (s == 1) {
        auto start = std::find(path.begin(), path.end(), n->name);
        std::string cycle;
        for (auto it = start; it != path.end(); ++it) cycle += *it + " -> ";
        cycle += n->name;
        throw UserError(definitions_.at(n->name)->where,
                        fmt::format("the definitions of population '{}' form a cycle: {}", population_, cycle));
      }
      if (s == 0) visit(n->name);
    }
    std::size_t deepest = 0;
    for (const Expr* n : names)
      if (definitions_.count(n->name)) deepest = std::max(deepest, inlined[n->name]);
    inlined[name] = tree_depth(*definitions_.at(name)->rhs) + deepest;
    if (inlined[name] > max_inlined_depth) throw too_deep(name, inlined[name]);
    path.pop_back();
    state[name] = 2;
  };
  for (const auto& name : definition_names_)
    if (state[name] == 0) visit(name);
}

// ---- building into a graph ---------------------------------------------------

EquationSystem::Builder::Builder(const EquationSystem& system, ExprGraph& graph, Leaf leaf)
    : system_(system), graph_(graph), leaf_(std::move(leaf)) {}

NodeId EquationSystem::Builder::derivative(const std::string& variable) {
  return expression(*system_.derivatives_.at(variable)->rhs);
}

NodeId EquationSystem::Builder::name(const Expr& expr) {
  if (auto it = built_.find(expr.name); it != built_.end()) return it->second;
  NodeId id;
  const auto& sources = system_.noise_sources_;
  if (auto def = system_.definitions_.find(expr.name); def != system_.definitions_.end())
    id = expression(*def->second->rhs);
  else if (std::find(sources.begin(), sources.end(), expr.name) != sources.end())
    id = noise(expr.name);
  else
    id = leaf_(expr.name);
  built_[expr.name] = id;
  return id;
}

// One draw per neuron and step, the same in every stage of the step (draw numbers
// are per call site, never per stage): a piecewise-constant input over the step.
// In on_pre, one draw per call site, synapse and event step (its site: the synapse).
NodeId EquationSystem::Builder::random(model::Function function, const Expr& call) {
  const Op op = function == model::Function::Rand ? Op::RandomUniform : Op::RandomNormal;
  if (auto it = system_.draw_numbers_.find(&call); it != system_.draw_numbers_.end())
    return graph_.random(op, leaf_("random.key"), leaf_("random.step"), it->second);
  if (auto it = system_.event_draw_numbers_.find(&call); it != system_.event_draw_numbers_.end())
    return graph_.random(op, leaf_("random.key"), leaf_("random.step"), it->second, leaf_("random.site"));
  throw UserError(call.where, fmt::format("{}() is available in a population's equations, threshold, reset and "
                                          "refractory condition and in a projection's on_pre only, not yet in a "
                                          "projection's equations or summed contributions, nor in initial values "
                                          "(for those use a distribution, e.g. {{ distribution = \"normal\", "
                                          "mean = 0, std = 1 }})",
                                          call.name));
}

// White noise xi = N / sqrt(dt), N standard normal drawn once per neuron and step and
// held over the step's stages: under Euler, x += dt (f + g xi) = x + dt f + g sqrt(dt) N
// (Euler-Maruyama); under Heun both stages see the same increment (stochastic Heun).
NodeId EquationSystem::Builder::noise(const std::string& source) {
  const auto& sources = system_.noise_sources_;
  const auto k = static_cast<std::uint32_t>(std::find(sources.begin(), sources.end(), source) - sources.begin());
  NodeId normal = graph_.random(Op::RandomNormal, leaf_("random.key"), leaf_("random.step"), noise_draw_base + k);
  return graph_.binary(Op::Div, normal, graph_.unary(Op::Sqrt, leaf_("dt")));
}

NodeId EquationSystem::Builder::expression(const Expr& expr) {
  switch (expr.kind) {
    case Expr::Kind::Number: return graph_.constant(expr.number);
    case Expr::Kind::Name: return name(expr);
    case Expr::Kind::Unary: {
      NodeId a = expression(*expr.args[0]);
      return graph_.unary(expr.unary_op == model::UnaryOp::Negate ? Op::Neg : Op::Not, a);
    }
    case Expr::Kind::Binary: {
      NodeId a = expression(*expr.args[0]);
      NodeId b = expression(*expr.args[1]);
      switch (expr.binary_op) {
        case model::BinaryOp::Add: return graph_.binary(Op::Add, a, b);
        case model::BinaryOp::Sub: return graph_.binary(Op::Sub, a, b);
        case model::BinaryOp::Mul: return graph_.binary(Op::Mul, a, b);
        case model::BinaryOp::Div: return graph_.divide(a, b);
        case model::BinaryOp::Pow: return graph_.power(a, b);
        case model::BinaryOp::Less: return graph_.binary(Op::Less, a, b);
        case model::BinaryOp::LessEqual: return graph_.binary(Op::LessEqual, a, b);
        case model::BinaryOp::Greater: return graph_.binary(Op::Greater, a, b);
        case model::BinaryOp::GreaterEqual: return graph_.binary(Op::GreaterEqual, a, b);
        case model::BinaryOp::Equal: return graph_.binary(Op::Equal, a, b);
        case model::BinaryOp::NotEqual: return graph_.binary(Op::NotEqual, a, b);
        case model::BinaryOp::And: return graph_.binary(Op::And, a, b);
        case model::BinaryOp::Or: return graph_.binary(Op::Or, a, b);
      }
      break;
    }
    case Expr::Kind::Conditional: {
      NodeId c = expression(*expr.args[0]);
      return graph_.select(c, expression(*expr.args[1]), expression(*expr.args[2]));
    }
    case Expr::Kind::Call: {
      auto info = model::find_function(expr.name);
      std::vector<NodeId> a;
      for (const auto& arg : expr.args) a.push_back(expression(*arg));
      switch (info->function) {
        case model::Function::Exp: return graph_.unary(Op::Exp, a[0]);
        case model::Function::Expm1: return graph_.unary(Op::Expm1, a[0]);
        case model::Function::Log: return graph_.unary(Op::Log, a[0]);
        case model::Function::Sqrt: return graph_.unary(Op::Sqrt, a[0]);
        case model::Function::Pow: return graph_.power(a[0], a[1]);
        case model::Function::Abs: return graph_.unary(Op::Abs, a[0]);
        case model::Function::Min: return graph_.binary(Op::Min, a[0], a[1]);
        case model::Function::Max: return graph_.binary(Op::Max, a[0], a[1]);
        case model::Function::Tanh: return graph_.unary(Op::Tanh, a[0]);
        case model::Function::Sin: return graph_.unary(Op::Sin, a[0]);
        case model::Function::Cos: return graph_.unary(Op::Cos, a[0]);
        case model::Function::Floor: return graph_.unary(Op::Floor, a[0]);
        case model::Function::XOverExpm1: return graph_.unary(Op::XOverExpm1, a[0]);
        case model::Function::Where: return graph_.select(a[0], a[1], a[2]);
        case model::Function::Fma: return graph_.fma(a[0], a[1], a[2]);
        case model::Function::Rand: case model::Function::Randn: return random(info->function, expr);
      }
      break;
    }
  }
  throw InternalError("unhandled expression kind");
}

}  // namespace psst::graph
