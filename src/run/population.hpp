#pragma once
// One population at run time: its state in backend buffers (one per variable),
// its kernels bound to those buffers, and the host-side description the user
// gave (parameters as resolved, for reports). During a step it only launches
// kernels and primitives; state crosses to the host only through download and
// upload (recording, checkpoints, tests).
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "graph/element_kernels.hpp"
#include "graph/equation_system.hpp"
#include "run/buffer_table.hpp"
#include "run/plan.hpp"
#include "run/values.hpp"

namespace psst::run {

class Ensemble;

struct RunSettings {
  double dt = 0.01;
  std::int64_t steps = 0;  // total steps of the run
  std::uint64_t seed = 0;
  double lastspike_initial = -1e9;
  graph::Precision precision = graph::Precision::Double;  // the kernels' arithmetic (constants fold in it)
  graph::MathMode math = graph::MathMode::Exact;           // [simulation] math: the graphs' rewrites
  const Ensemble* ensemble = nullptr;  // K instances (run/ensemble.hpp); null: one, with `seed`
};

// The neurons a population integrates in this process (a rank's block): [begin, end).
// The arrays still span the whole population, indexed globally; outside the block
// they hold what the halo exchange brings (or nothing anyone reads).
struct NeuronRange {
  std::size_t begin = 0, end = SIZE_MAX;
};

// The launch scalars of every kernel: {t, dt, N, step}; random draws are keyed by the step n.
inline constexpr int scalar_t = 0, scalar_dt = 1, scalar_count = 2, scalar_step = 3;

class Population {
 public:
  Population(const model::PopulationSpec& spec, const PopulationPlan& plan, const graph::Scheme& scheme,
             backend::Backend& backend, const RunSettings& settings, NeuronRange owned = {});
  Population(const Population&) = delete;
  Population& operator=(const Population&) = delete;

  const std::string& name() const { return name_; }
  std::size_t size() const { return size_; }  // every instance's neurons: instances() x instance_size()
  std::size_t instance_size() const { return instance_size_; }
  std::size_t instances() const { return size_ / instance_size_; }
  const NeuronRange& owned() const { return owned_; }
  const graph::EquationSystem& system() const { return system_; }
  const graph::PopulationKernels& programs() const { return programs_; }

  // Starts step n (t_n = n dt): the step counter of the kernels' random draws.
  void begin_step(std::int64_t n) { step_ = n; }
  // Before stage `stage` at stage time t: samples inputs at step `input_step`,
  // materialises the shared stage state, zeroes synaptic inputs.
  void prepare_stage(std::size_t stage, double t, std::int64_t input_step);
  // Runs the population's kernel of stage `stage` (after the projections' kernels).
  void run_stage(std::size_t stage, double t);
  // Whether the whole step runs as one kernel (run_step) instead of stage by stage.
  bool fused_step() const { return step_kernel_ != nullptr; }
  void run_step(double t);

  // The kernel input a slot of this population is at a stage: the stage state (the
  // state itself where it equals x), state, parameters, inputs, t, dt, N, ...
  backend::KernelInput input(const graph::Slot& slot, std::size_t stage) const;
  const backend::BufferHandle& buffer(const std::string& name) const;

  // Evaluates the threshold at time t; the neurons that crossed it (ascending) get
  // `spike_time` as their last spike and are returned.
  std::vector<std::uint32_t> detect_spikes(double t, double spike_time);
  bool has_threshold() const { return programs_.has_threshold; }
  // Evaluates the threshold condition on the initial state (after the backend is finalised).
  void initialize_threshold(double t);

  // Host copies (recording, checks, tests) and host writes (checkpoints, tests).
  std::vector<double> state(const std::string& variable) const;
  void set_state(const std::string& variable, const std::vector<double>& values);
  std::vector<double> lastspike() const;
  // What carries over from one step to the next (for checkpoints): the state x.<var>,
  // "lastspike" and "spiking" (the threshold condition at the last step's end).
  std::vector<std::string> persistent_arrays() const;
  std::vector<double> download(const std::string& persistent) const;
  void upload(const std::string& persistent, const std::vector<double>& values);
  const backend::BufferHandle& persistent_buffer(const std::string& persistent) const {
    return buffer(persistent == "spiking" ? "spiking.previous" : persistent);
  }
  const Values& parameter(const std::string& name) const { return parameters_.at(name); }

  // Observation (population_observation.cpp; recording what is not state, docs/output.md):
  // the recorded definitions and synaptic inputs as the first stage of the next step
  // would see them, evaluated from the state now into scratch buffers; no state is
  // written. Set up before the backend is finalised, with names of this population.
  void set_up_observation(const std::vector<std::string>& definitions,
                          const std::vector<std::string>& synaptic_inputs);
  // The synaptic inputs observed (recorded, or read by the recorded definitions): the
  // projections sum into "observe.syn.<name>" (Projection::observe) after begin_observation().
  const std::vector<std::string>& observed_synaptic_inputs() const { return observed_inputs_; }
  bool observes() const { return !observed_inputs_.empty() || definition_kernel_ != nullptr; }
  void begin_observation();  // zeroes the observed synaptic inputs
  // The definitions at t_n = n dt, step n's first stage: its inputs, refractoriness, draws.
  void observe(std::int64_t n, double t);
  // The buffer a recorded variable is read from: x.<name>, or its observation.
  const backend::BufferHandle& recorded_buffer(const std::string& name) const;
  // What a step reads that is not the population's state: "param.<name>", "input.<name>"
  // (tables, spike times) and "syn.<name>" (summed synaptic inputs), for the finite-state check.
  std::vector<std::string> input_arrays() const;
  double bytes() const;  // of its backend arrays

 private:
  void resolve_parameters(const model::PopulationSpec& spec, const RunSettings& settings, backend::Backend& backend);
  void initialise_state(const model::PopulationSpec& spec, const RunSettings& settings, backend::Backend& backend);
  void bind_kernels(const PopulationPlan& plan, const graph::Scheme& scheme);
  std::unique_ptr<backend::BoundKernel> bind(const graph::Program& program, std::size_t stage,
                                             const std::vector<std::string>& outputs = {});
  const backend::BufferHandle& add_buffer(const std::string& name,
                                         backend::ElementType type = backend::ElementType::Float64) {
    return buffers_.add(name, size_, type);
  }
  // N is the size of one instance: kernels see each neuron as in its own single run.
  std::array<double, 4> scalars(double t) const {
    return {t, dt_, static_cast<double>(instance_size_), static_cast<double>(step_)};
  }

  std::string name_;
  std::size_t instance_size_, size_;
  NeuronRange owned_;
  double dt_;
  backend::Backend& backend_;
  graph::EquationSystem system_;
  graph::PopulationKernels programs_;
  std::vector<std::string> synaptic_inputs_;
  BufferTable buffers_;  // x.V, k.V, acc.V, xs.V, syn.I, input.I, param.g, ...
  // Bound at set-up for the primitives of every step.
  std::vector<backend::BufferHandle> synaptic_input_buffers_;
  backend::BufferHandle condition_, previous_condition_, lastspike_, spike_list_;
  std::map<std::string, Values> parameters_;
  std::vector<std::pair<backend::InputSourceHandle, backend::BufferHandle>> inputs_;
  std::vector<std::unique_ptr<backend::BoundKernel>> stage_kernels_, state_kernels_;  // state: null where xs = x
  std::unique_ptr<backend::BoundKernel> step_kernel_, threshold_kernel_, initial_threshold_kernel_;
  // Reset and refractoriness (graph/spike_kernels.hpp): null where the population has none.
  void set_up_spike_handling(const model::PopulationSpec& spec, const RunSettings& settings);
  std::unique_ptr<backend::BoundKernel> refractory_kernel_, reset_kernel_;
  std::optional<graph::Program> refractory_program_;
  // Observation: the definitions' kernel, and the inputs it reads sampled at step n.
  std::vector<std::string> observed_inputs_;
  std::unique_ptr<backend::BoundKernel> definition_kernel_, observed_refractory_kernel_;
  std::vector<std::pair<backend::InputSourceHandle, backend::BufferHandle>> observed_tables_;
  bool resets_state_ = false, refractory_condition_ = false;
  // Random draws (rand(), randn(), xi; a Poisson population's threshold rand() < rate dt):
  // drawn in the kernels from the key table "random.key" and the step counter.
  void set_up_random_key(const RunSettings& settings);
  bool poisson_ = false, spike_source_ = false;  // spikes judged on the threshold's level, not its edge
  std::int64_t step_ = 0;
  std::vector<std::uint64_t> seeds_;  // per instance
};

}  // namespace psst::run
