#pragma once
// A network as the user described it, before anything is resolved: the data
// that a model file or the C++ API (psst::ModelBuilder) produces. Nothing here
// is evaluated; the graph layer compiles equations, the run layer resolves
// values (lists, files, random draws) into arrays.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/equation.hpp"

namespace psst::model {

// How a per-neuron quantity (a parameter or an initial value) is given.
struct ValueSpec {
  enum class Kind { Constant, List, File, Normal, Uniform, Expression };
  Kind kind = Kind::Constant;
  double value = 0.0;            // Constant
  std::vector<double> values;    // List: one per neuron
  std::string file;              // File: .npy/.csv with one value per neuron
  double mean = 0.0, std = 0.0;  // Normal (seeded)
  double low = 0.0, high = 0.0;  // Uniform [low, high) (seeded)
  ExprPtr expression;            // Expression: of parameters, i (neuron index), N
  SourceLocation where;

  static ValueSpec constant(double v, SourceLocation where = {}) {
    ValueSpec s;
    s.value = v;
    s.where = std::move(where);
    return s;
  }
};

// A time-varying input, piecewise constant per time step (PSST's I[neuron, step]):
// inside the stages of the step from t_n the value of step n is used, except at
// stage time t_n + dt, which uses step n + 1 (psst-models.md section 3).
struct InputSpec {
  struct Segment {
    double start = 0.0, end = 0.0, value = 0.0;  // [start, end) in ms
    std::vector<std::size_t> neurons;            // empty: every neuron
  };
  std::string name;
  std::string file;               // table: (neurons x steps) or (steps,) for all neurons
  std::vector<Segment> segments;  // or piecewise-constant segments
  double default_value = 0.0;     // outside segments
  SourceLocation where;
};

// One statement run when a presynaptic spike arrives: target op expression,
// e.g. "ge_post += w". Targets: synapse variables or postsynaptic variables (X_post).
struct EventStatement {
  enum class Operation { Assign, Add, Subtract, Multiply };
  std::string target;
  Operation operation = Operation::Add;
  ExprPtr value;
  SourceLocation where;
};

struct PopulationSpec {
  std::string name;
  std::size_t size = 1;
  std::vector<Equation> equations;
  std::map<std::string, ValueSpec> parameters;
  std::map<std::string, ValueSpec> initial;
  double jitter = 0.0;   // PSST's initial jitter: every initial value times (1 + jitter N(0,1))
  ExprPtr threshold;     // spike when this becomes true (upward crossing); null: no spikes
  std::vector<InputSpec> inputs;
  // Statements applied to a neuron right after the step in which it crossed the
  // threshold, in order, each reading the state the previous ones left (Brian2's
  // reset), e.g. "V = V_r; w += b". Targets are state variables.
  std::vector<EventStatement> reset;
  // Refractoriness: a time in ms (any per-neuron value form), or a condition
  // (refractory from a spike for as long as it holds); at most one of the two.
  std::optional<ValueSpec> refractory;
  ExprPtr refractory_condition;
  // A Poisson population: no equations; parameter `poisson_rate` (Hz) per neuron, and
  // the threshold rand() < poisson_rate dt / 1000 on a fresh uniform each step.
  bool poisson = false;
  // A spike-time population (Brian2's SpikeGeneratorGroup): no equations; neuron
  // indices[k] spikes at times[k] ms, or the rows (index, time in ms) of `file`.
  // Checked against the size, the step grid and the order when the run is set up.
  struct SpikeTimes {
    std::vector<double> indices, times;
    std::string file;
    SourceLocation where;
  };
  std::optional<SpikeTimes> spike_times;
  SourceLocation where;
  bool has_refractoriness() const { return refractory.has_value() || refractory_condition != nullptr; }
};

// Which pairs (pre, post) a projection connects. Synapses are always stored
// sorted by postsynaptic then presynaptic neuron (row-major order of PSST's
// post x pre matrices).
struct ConnectSpec {
  enum class Rule { AllToAll, OneToOne, Probability, FixedInDegree, Matrix, List };
  Rule rule = Rule::AllToAll;
  double probability = 0.0;          // Probability
  std::size_t in_degree = 0;         // FixedInDegree
  bool allow_self = true;            // pre == post pairs, when both sides are the same population
  std::string file;                  // Matrix: .npy/.csv, rows = post, columns = pre, nonzero = synapse
  std::string matrix_values;         // Matrix: per-synapse parameter that takes the nonzero entries ("" = none)
  std::vector<std::size_t> pre, post;  // List: pairs
  SourceLocation where;
};

// A contribution summed over every incoming synapse into a postsynaptic
// variable, e.g. I_ach = g * o * (V_post - E).
struct SummedOutput {
  std::string target;  // name read by the postsynaptic equations
  ExprPtr value;
  SourceLocation where;
};

struct ProjectionSpec {
  std::string name;
  std::string pre, post;                   // population names
  std::size_t pre_begin = 0, pre_end = 0;  // slice [begin, end); end 0 means the whole population
  std::size_t post_begin = 0, post_end = 0;
  ConnectSpec connect;
  std::vector<Equation> equations;         // synapse ODEs and definitions (continuous coupling)
  std::map<std::string, ValueSpec> parameters;  // per projection or per synapse
  std::map<std::string, ValueSpec> initial;
  std::vector<SummedOutput> summed;
  std::vector<EventStatement> on_pre;      // event-driven coupling
  ValueSpec delay = ValueSpec::constant(0.0);  // ms, per projection or per synapse; rounded to whole steps (at least one)
  SourceLocation where;
};

// What to record of one population.
struct RecordSpec {
  std::string population;
  std::vector<std::string> variables;
  std::optional<std::vector<std::size_t>> neurons;  // nullopt: all
  bool spikes = true;
  double rate_bin = 0.0;  // ms: spike counts per bin of this width; 0: none
  SourceLocation where;
};

struct SimulationSpec {
  double duration = 100.0;      // ms
  double dt = 0.01;             // ms
  std::string method = "rk4";   // euler | rk2 | rk4 | exponential_euler
  std::uint64_t seed = 0;
  double record_every = 0.0;    // ms; 0 means every step
  double lastspike_initial = -1e9;  // ms; PSST uses -(duration + 1) or -9999999
  std::string precision = "double";  // the kernels' arithmetic: "double" (float64) or "single" (float32)
  std::string math = "exact";        // "exact" (as written) or "fast" (graph rewrites, graph::MathMode)
  std::size_t instances = 0;    // an ensemble of this many copies of the network (0: not given, one; or the sweep's)
  SourceLocation where;
};

// [sweep]: values per instance of an ensemble. Each entry names a parameter
// ("POP.NAME" or "PROJECTION.NAME") and gives one value per instance, or, with
// grid = true, the values of one axis of a Cartesian product (the last entry varies fastest).
struct SweepSpec {
  struct Entry {
    std::string owner, name;  // population or projection, parameter
    std::vector<double> values;
    SourceLocation where;
  };
  std::vector<Entry> entries;  // in the order of the file
  bool grid = false;
  SourceLocation where;
};

struct NetworkSpec {
  SimulationSpec simulation;
  std::vector<PopulationSpec> populations;
  std::vector<ProjectionSpec> projections;
  std::vector<RecordSpec> records;
  SweepSpec sweep;
  std::string source_file;  // model file path, or "<api>"
  std::string source_text;  // full model text, stored in the output file

  const PopulationSpec* find_population(const std::string& name) const;
};

}  // namespace psst::model
