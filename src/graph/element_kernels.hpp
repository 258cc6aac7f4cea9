#pragma once
// Kernels of a group of elements (the neurons of a population, or the synapses
// of a projection) under an integration scheme, as IR programs. Slot names are
// the contract with the run layer, which binds each to an array, a broadcast
// value, or an array gathered through an index:
//   x.<var>      state at t_n (the last stage updates it in place)
//   k.<var>      derivative of the previous stage (in), of this stage (out)
//   acc.<var>    running weighted sum of the stage derivatives
//   xs.<var>     stage state x_n + a_s dt k (materialised for other groups to read)
//   param.<name>, input.<name>, t, dt, lastspike, i, N
//   syn.<name>   sum of incoming synaptic contributions (populations)
//   pre.<slot>, post.<slot>   a slot of the pre/postsynaptic neuron (synapses)
//   summed.<name>  per-synapse contribution to a postsynaptic sum (output)
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "graph/equation_system.hpp"
#include "graph/ir.hpp"
#include "graph/scheme.hpp"

namespace psst::graph {

struct KernelSpec {
  const EquationSystem* system = nullptr;
  const Scheme* scheme = nullptr;
  // Slot of an external name (EquationSystem::external_names), e.g. "V_pre" -> "pre.xs.V".
  std::function<std::string(const std::string&)> external_slot;
  // Extra outputs evaluated at the stage state, e.g. {"summed.I_ach", g * o * (V_post - E)}.
  std::vector<std::pair<std::string, model::ExprPtr>> stage_outputs;
  // Whether an input slot holds one value for all elements (besides t and dt,
  // always uniform), e.g. a projection parameter given as one number. Presynaptic
  // hoisting moves computations that read only presynaptic and uniform slots out
  // of the per-synapse loop. Null: only t and dt.
  std::function<bool(const std::string&)> uniform_slot;
};

// A stage before lowering, so that passes (hoisting) can still transform it.
struct StageGraph {
  std::string name;
  ExprGraph graph;
  std::vector<std::string> slots;  // input slot names by index
  std::vector<std::string> output_names;
  std::vector<std::pair<NodeId, int>> outputs;
  Program lower() const;
};

std::size_t stage_count(const Scheme& scheme);

// Stage `stage` of the scheme (exponential Euler has one). Throws UserError
// when the scheme cannot integrate an equation, naming it and saying why.
StageGraph build_stage_graph(const KernelSpec& spec, std::size_t stage);

// The stage state xs.<var> = x.<var> + a_s dt k.<var> of the given variables;
// nullopt when the stage state is x itself (first stage, exponential Euler).
std::optional<Program> build_stage_state_program(const EquationSystem& system, const Scheme& scheme,
                                                 std::size_t stage, const std::vector<std::string>& variables);

struct PopulationKernels {
  std::vector<Program> stages;  // run in order each step; the last writes x.<var>
  // Every stage of a step in one kernel (Runge-Kutta schemes with several stages),
  // when the equations read no stage time, input table or synaptic input; the
  // run loop uses it where no projection reads the population's stage state.
  std::optional<Program> step;
  Program threshold;            // output "spiking" (1 or 0) from x at time t
  bool has_threshold = false;
};

// Neuron kernels; external names are synaptic inputs, read from "syn.<name>".
PopulationKernels build_population_kernels(const EquationSystem& system, const Scheme& scheme,
                                           const model::ExprPtr& threshold);

// One expression per element ("value"), e.g. an initial value.
Program build_expression_program(const EquationSystem& system, const model::Expr& expr, const std::string& name);

// Observation (recording what is not state, docs/output.md): kernels that evaluate,
// from the state x at a step boundary, what the first stage of the next step sees,
// writing no state. The named definitions of a population, outputs "observe.<name>";
// synaptic inputs are read from "syn.<name>", inputs from "input.<name>".
Program build_definition_program(const EquationSystem& system, const std::vector<std::string>& definitions);
// A projection's summed contributions (spec.stage_outputs) exactly as its first stage
// computes them, over synapses (nothing hoisted: the same operations, the same bits).
Program build_summed_program(const KernelSpec& spec, const std::string& name);

// Per stage, a synapse kernel and the presynaptic kernel it needs: every
// subexpression that depends only on the presynaptic neuron (e.g. a transmitter
// concentration T(V_pre)) is hoisted into the presynaptic kernel, computed once
// per neuron, and read by the synapses as "pre.hoisted.<k>".
struct SynapseStagePrograms {
  Program presynaptic;  // over presynaptic neurons; no code when nothing is hoisted
  Program synaptic;     // over synapses
};
std::vector<SynapseStagePrograms> build_synapse_kernels(const KernelSpec& spec);

// The right-hand sides of on_pre statements, one output "value.<k>" per statement,
// over a list of synapses that received a spike. Own state is read from "x.<var>".
Program build_event_program(const KernelSpec& spec, const std::vector<model::EventStatement>& statements,
                            const std::string& name);

}  // namespace psst::graph
