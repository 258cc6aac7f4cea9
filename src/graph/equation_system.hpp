#pragma once
// The checked equations of one population: which names are state variables,
// definitions (named subexpressions, in any order), parameters, inputs and
// built-ins; all user errors (unknown names, duplicates, cycles, missing
// initial values) are found here, with file, line and column. Building
// inlines definitions into an ExprGraph, where sharing makes each computed once.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "graph/expr_graph.hpp"
#include "model/error.hpp"
#include "model/functions.hpp"
#include "model/network.hpp"

namespace psst::graph {

// Names every population can read.
inline constexpr const char* builtin_names[] = {"t", "dt", "lastspike", "i", "N"};
bool is_builtin(const std::string& name);

// Gaussian white noise: "xi", or "xi_NAME" for an independent source (Brian2's names).
bool is_noise_name(const std::string& name);

// Draw numbers of a population's random draws (math/random.hpp: draw = step + number 2^40):
// rand() and randn() call sites 0, 1, ... in the order equations, threshold, reset,
// refractory condition; noise source k (names sorted) noise_draw_base + k.
inline constexpr std::uint32_t noise_draw_base = 1u << 15;

// What else, beyond its own equations, a system may read.
struct SystemOptions {
  std::string kind = "population";          // "population" or "projection", for messages
  std::vector<std::string> external_names;  // e.g. synaptic inputs I_gaba, or V_pre, V_post
  bool require_state = true;                // a projection may have no ODEs (event-driven only)
  Precision precision = Precision::Double;  // the kernels' arithmetic, in which the graphs fold constants
  MathMode math = MathMode::Exact;          // which rewrites the graphs make (math = "fast")
};

class EquationSystem {
 public:
  explicit EquationSystem(const model::PopulationSpec& spec, SystemOptions options = {});

  const std::string& population() const { return population_; }
  const std::vector<std::string>& state_variables() const { return state_; }
  const std::vector<std::string>& parameters() const { return parameters_; }
  const std::vector<std::string>& inputs() const { return inputs_; }
  const std::vector<std::string>& definitions() const { return definition_names_; }
  const model::Equation& derivative_equation(const std::string& variable) const;
  bool is_state(const std::string& name) const;
  bool is_external(const std::string& name) const;
  const std::vector<std::string>& external_names() const { return options_.external_names; }
  Precision precision() const { return options_.precision; }
  // Whether the equations read white noise (xi, xi_NAME), where the first is, and the sources.
  bool has_noise() const { return !noise_sources_.empty(); }
  const SourceLocation& noise_location() const { return noise_where_; }
  const std::vector<std::string>& noise_sources() const { return noise_sources_; }
  // Whether any kernel of the population draws random numbers (noise, rand(), randn()).
  bool draws_random() const { return has_noise() || !draw_numbers_.empty(); }
  // A projection's on_pre: its rand() and randn() calls numbered 0, 1, ... in statement
  // order; each draws at its event's synapse (the input "random.site", Slot::RandomSite)
  // rather than at the element index. Whether the statements so numbered draw any.
  void number_event_draws(const std::vector<model::EventStatement>& statements);
  bool event_draws_random() const { return !event_draw_numbers_.empty(); }
  MathMode math() const { return options_.math; }

  // How leaves become graph nodes: the caller decides what a state variable,
  // a parameter or t means in the kernel being built (e.g. an RK stage value).
  using Leaf = std::function<NodeId(const std::string& name)>;

  // One builder per graph; definitions are memoised so each is built once.
  class Builder {
   public:
    Builder(const EquationSystem& system, ExprGraph& graph, Leaf leaf);
    NodeId derivative(const std::string& variable);
    NodeId expression(const model::Expr& expr);

   private:
    NodeId name(const model::Expr& expr);
    NodeId random(model::Function function, const model::Expr& call);
    NodeId noise(const std::string& source);
    const EquationSystem& system_;
    ExprGraph& graph_;
    Leaf leaf_;
    std::map<std::string, NodeId> built_;
  };

  // Checks an extra expression (threshold, initial-value expression) against these names.
  void check_names(const model::ExprPtr& expr, const std::string& context, bool allow_state,
                   bool allow_noise = false) const;

 private:
  void check_cycles() const;
  void check_spike_handling(const model::PopulationSpec& spec) const;
  std::string known_names() const;
  void number_random_draws(const model::PopulationSpec& spec);

  std::string population_;
  SystemOptions options_;
  std::vector<std::string> state_;
  std::vector<std::string> parameters_;
  std::vector<std::string> inputs_;
  std::vector<std::string> definition_names_;
  std::vector<model::Equation> equations_;  // owned copy; the maps point into it
  std::map<std::string, const model::Equation*> derivatives_;
  std::map<std::string, const model::Equation*> definitions_;
  // Random draws: the draw number of each rand()/randn() call (held_ keeps the
  // threshold's and reset's expressions alive), the noise sources and the first one's place.
  std::vector<model::ExprPtr> held_;
  std::map<const model::Expr*, std::uint32_t> draw_numbers_;
  std::map<const model::Expr*, std::uint32_t> event_draw_numbers_;  // on_pre's calls (number_event_draws)
  std::vector<std::string> noise_sources_;
  SourceLocation noise_where_;
};

}  // namespace psst::graph
