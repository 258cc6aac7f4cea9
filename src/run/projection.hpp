#pragma once
// One projection at run time: its synapses (sparse, ordered by postsynaptic
// neuron), their state arrays and kernels, the ordered sums into postsynaptic
// variables (continuous coupling) and the queue of delayed spikes (event-driven
// coupling).
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/element_kernels.hpp"
#include "run/connectivity.hpp"
#include "run/population.hpp"

namespace psst::run {

class Projection {
 public:
  Projection(const model::ProjectionSpec& spec, Population& pre, Population& post, const graph::Scheme& scheme,
             backend::Backend& backend, const RunSettings& settings);
  Projection(const Projection&) = delete;
  Projection& operator=(const Projection&) = delete;

  const std::string& name() const { return name_; }
  const Connectivity& connectivity() const { return connectivity_; }
  std::size_t size() const { return connectivity_.size(); }
  const graph::EquationSystem& system() const { return system_; }
  // Bytes per synapse: indices, state (x, k, acc), contributions, per-synapse parameters.
  double bytes_per_synapse() const;
  Population& pre() { return *pre_; }
  Population& post() { return *post_; }

  // Stage `stage`: presynaptic kernel, synapse kernel, then the ordered sums into
  // the postsynaptic synaptic inputs. Call after the populations' prepare_stage.
  void run_stage(std::size_t stage, double t);
  // After the step that ended at step index `step`: queues the spikes of the
  // presynaptic neurons (timed (step - 1) dt) and applies the events due at `step`.
  void deliver(std::int64_t step, double t, const std::vector<std::size_t>& pre_spikes);
  std::vector<double>& state(const std::string& variable) { return arrays_.at("x." + variable); }
  std::int64_t delay_steps() const { return delay_steps_; }
  // What carries over between steps (for checkpoints): synapse state and spikes in flight,
  // the ring of synapses due at each step modulo its size.
  std::vector<std::pair<std::string, std::vector<double>*>> persistent_arrays();
  std::vector<std::vector<std::uint32_t>>& event_ring() { return ring_; }

 private:
  backend::KernelArgs bind(const graph::Program& program, std::size_t stage, bool presynaptic);
  std::string external_slot(const std::string& name, const std::string& state_prefix) const;

  std::string name_;
  Population* pre_;
  Population* post_;
  Connectivity connectivity_;
  graph::EquationSystem system_;
  std::vector<graph::SynapseStagePrograms> programs_;
  std::vector<std::unique_ptr<backend::Kernel>> presynaptic_kernels_, synaptic_kernels_;
  std::vector<backend::KernelArgs> presynaptic_args_, synaptic_args_;
  std::map<std::string, std::vector<double>> arrays_;  // x., k., acc., summed., hoisted.
  std::map<std::string, Values> parameters_;
  std::vector<double> index_;
  std::vector<std::string> summed_targets_;
  // Per summed target: this projection's per-synapse contribution and the postsynaptic sum (set up once).
  std::vector<std::pair<const std::vector<double>*, std::vector<double>*>> sums_;
  double time_ = 0.0, dt_ = 0.0, count_ = 0.0;

  // Event-driven coupling.
  std::vector<model::EventStatement> on_pre_;
  graph::Program event_program_;
  std::unique_ptr<backend::Kernel> event_kernel_;
  std::int64_t delay_steps_ = 1;
  std::vector<std::vector<std::uint32_t>> ring_;  // synapses due, by step modulo ring size
  std::vector<std::uint32_t> event_pre_, event_post_;
  std::vector<std::vector<double>> event_values_;
  std::vector<std::vector<double>> event_gathered_;
};

}  // namespace psst::run
