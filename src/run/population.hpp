#pragma once
// One population at run time: its arrays (one contiguous array per variable),
// its compiled kernels and the argument lists bound to those arrays.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/equation_system.hpp"
#include "graph/element_kernels.hpp"
#include "run/input_table.hpp"
#include "run/values.hpp"

namespace psst::run {

struct RunSettings {
  double dt = 0.01;
  std::int64_t steps = 0;  // total steps of the run
  std::uint64_t seed = 0;
  double lastspike_initial = -1e9;
  graph::Precision precision = graph::Precision::Double;  // the kernels' arithmetic (constants fold in it)
};

class Population {
 public:
  // synaptic_inputs: names summed into this population by incoming projections (e.g. I_gaba).
  Population(const model::PopulationSpec& spec, const graph::Scheme& scheme, backend::Backend& backend,
             const RunSettings& settings, const std::vector<std::string>& synaptic_inputs = {});
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }
  const graph::EquationSystem& system() const { return system_; }
  const graph::PopulationKernels& programs() const { return programs_; }

  // Before stage `stage` at stage time t: samples inputs at step index
  // `input_step`, materialises the shared stage state, zeroes synaptic inputs.
  void prepare_stage(std::size_t stage, double t, std::int64_t input_step);
  // Runs the population's kernel of stage `stage` (after the projections' kernels).
  void run_stage(std::size_t stage);
  // Whether the whole step runs as one kernel (run_step) instead of stage by stage:
  // when the equations allow it and no projection reads the stage state.
  bool fused_step() const { return step_kernel_ && shared_.empty(); }
  void run_step();
  // Variables whose stage state projections read (as X_pre or X_post).
  void share_stage_state(const std::vector<std::string>& variables, backend::Backend& backend);

  // Where a slot's data lives at a stage: "xs.V" (the stage state; x.V where it
  // equals x), "x.V", "param.g", "lastspike", "i", "syn.I".
  struct Binding {
    const double* data = nullptr;
    std::size_t stride = 1;
  };
  Binding binding(const std::string& slot, std::size_t stage) const;
  std::vector<double>& synaptic_input(const std::string& name) { return arrays_.at("syn." + name); }
  // Evaluates the threshold at time t on the current state; appends to `spikes` the
  // neurons whose condition became true, and sets their last spike time to `spike_time`.
  void detect_spikes(double t, double spike_time, std::vector<std::size_t>& spikes);
  bool has_threshold() const { return programs_.has_threshold; }
  // Evaluates the threshold condition on the initial state (after the backend is finalised).
  void initialize_threshold(double t);

  std::vector<double>& state(const std::string& variable) { return arrays_.at("x." + variable); }
  const std::vector<double>& state(const std::string& variable) const { return arrays_.at("x." + variable); }
  std::vector<double>& lastspike() { return lastspike_; }
  // Everything that carries over from one step to the next (for checkpoints):
  // the state x.<var>, last spike times and the threshold condition.
  std::vector<std::pair<std::string, std::vector<double>*>> persistent_arrays();
  std::vector<double>& spiking() { return spiking_; }
  const Values& parameter(const std::string& name) const { return parameters_.at(name); }

 private:
  backend::KernelArgs bind(const graph::Program& program);

  std::string name_;
  std::size_t size_;
  graph::EquationSystem system_;
  graph::PopulationKernels programs_;
  const graph::Scheme* scheme_;
  std::vector<std::unique_ptr<backend::Kernel>> stage_kernels_;
  std::vector<std::unique_ptr<backend::Kernel>> state_kernels_;  // per stage; null where xs = x
  std::vector<backend::KernelArgs> state_args_;
  std::vector<std::string> shared_;
  std::vector<std::string> synaptic_inputs_;
  std::unique_ptr<backend::Kernel> threshold_kernel_;
  std::unique_ptr<backend::Kernel> step_kernel_;
  backend::KernelArgs step_args_;
  std::vector<backend::KernelArgs> stage_args_;
  backend::KernelArgs threshold_args_;

  std::map<std::string, std::vector<double>> arrays_;  // x.V, k.V, acc.V, input.I
  std::map<std::string, Values> parameters_;
  std::vector<std::pair<InputTable, std::vector<double>*>> inputs_;
  std::vector<double> lastspike_, spiking_, spiking_next_, index_;
  double time_ = 0.0, dt_ = 0.0, count_ = 0.0;
};

}  // namespace psst::run
