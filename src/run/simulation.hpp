#pragma once
// The run loop: integration scheme stages over every population, then spike
// detection, then the observers (monitors, progress). Time is t_n = n dt,
// computed from the step counter, never accumulated. Orchestration only: every
// loop over neurons or synapses is a backend kernel or primitive, and what
// crosses between processes goes through the Communicator.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "comm/communicator.hpp"
#include "graph/scheme.hpp"
#include "model/network.hpp"
#include "run/ensemble.hpp"
#include "run/halo.hpp"
#include "run/population.hpp"
#include "run/projection.hpp"
#include "run/settings.hpp"

namespace psst::run {

// Command-line or API overrides of the model file's [simulation] table.
struct RunOverrides {
  std::optional<double> duration, dt, record_every;
  std::optional<std::string> method;
  std::optional<std::string> precision;  // "double" or "single"
  std::optional<std::string> math;       // "exact" or "fast"
  std::optional<std::uint64_t> seed;
  std::optional<std::size_t> instances;  // --instances K: an ensemble (run/ensemble.hpp)
  std::vector<ParameterSetting> sets;  // --set POP.NAME=VALUE, applied to the spec in order
  std::string backend = "default";  // cpu when a C++ compiler is found, else reference
  int threads = 0;                  // compiled backends: 0 = all cores
  int device = 0;                   // cuda: the GPU (--device N)
  bool march_native = true;
  std::string cache_dir;            // compiled backends: "" = the default kernel cache
  bool compile_kernels = true;      // false: kernels are only printed (psst codegen) and run interpreted
  bool profile = false;             // time each step by phase (run/step_profile.hpp; psst run --profile)
};

class Simulation;
class ProfilingBackend;  // run/step_profile.hpp

// Told about each step; what monitors and progress reporting implement.
class StepObserver {
 public:
  virtual ~StepObserver() = default;
  virtual void on_start(const Simulation&) {}
  // After the step that ended at step index `step`, when the state is that step's.
  // spikes[p] lists the neurons of population p that crossed threshold during it (spike
  // time (step - 1) dt) when the spikes were exchanged at this step: always in one
  // process; under MPI with an exchange interval above one step (exchange_interval()),
  // only at the interval's last step, else empty. on_spikes is told every step's.
  virtual void on_step(const Simulation&, std::int64_t step, const std::vector<std::vector<std::size_t>>& spikes) = 0;
  // The network's spikes of the step that ended at `step`, once every rank has them:
  // called for every step, in step order, at that step (before its on_step) or, under
  // MPI with an exchange interval, at the interval's last step (before its on_step).
  virtual void on_spikes(const Simulation&, std::int64_t /*step*/, const std::vector<std::vector<std::size_t>>&) {}
  virtual void on_finish(const Simulation&) {}
};

class Simulation {
 public:
  Simulation(model::NetworkSpec spec, const RunOverrides& overrides);

  const model::NetworkSpec& spec() const { return spec_; }
  const graph::Scheme& scheme() const { return *scheme_; }
  double dt() const { return dt_; }
  std::int64_t total_steps() const { return total_steps_; }
  std::int64_t step() const { return step_; }
  double time() const { return static_cast<double>(step_) * dt_; }
  std::uint64_t seed() const { return seed_; }  // an ensemble's instance k has seed() + k
  const Ensemble& ensemble() const { return *ensemble_; }
  std::size_t instances() const { return ensemble_->instances(); }
  std::int64_t record_every_steps() const { return record_every_steps_; }
  std::string backend_name() const { return backend_->name(); }
  backend::Backend& backend() { return *backend_; }
  const backend::Backend& backend() const { return *backend_; }
  comm::Communicator& communicator() const { return *communicator_; }
  // With RunOverrides::profile, the steps' wall time by phase (a table); else "".
  std::string profile_report() const;
  const ProfilingBackend* profiler() const { return profiler_; }
  const comm::Partition& partition() const { return *partition_; }

  std::vector<std::unique_ptr<Population>>& populations() { return populations_; }
  const std::vector<std::unique_ptr<Population>>& populations() const { return populations_; }
  Population& population(const std::string& name);
  const Population& population(const std::string& name) const;
  std::vector<std::unique_ptr<Projection>>& projections() { return projections_; }
  const std::vector<std::unique_ptr<Projection>>& projections() const { return projections_; }
  Projection& projection(const std::string& name);

  void add_observer(StepObserver* observer) { observers_.push_back(observer); }
  // Advances to step `last_step` (at most total_steps()); returns the steps done.
  std::int64_t run_until_step(std::int64_t last_step);
  void run() { run_until_step(total_steps_); }
  // One step, its spikes exchanged at its end; notify = false: no observer is told (the
  // finite-state check's replay, which records nothing).
  void advance_one_step(bool notify = true);
  // Steps between spike exchanges (MPI): the smallest delay in steps of any event-driven
  // projection (a spike is queued late by fewer steps than its delay, so it is delivered
  // at the same step), at most kLongestExchangeInterval; 1 in one process and when a
  // projection reads presynaptic values every stage or step (the halo meets every step).
  std::int64_t exchange_interval() const { return exchange_interval_; }
  static constexpr std::int64_t kLongestExchangeInterval = 64;
  // Spikes are also exchanged at every multiple of `every_steps` (steps at which an
  // observer reads the spikes in flight: checkpoints), and always at the end of
  // run_until_step, so a checkpoint or a stop never falls within an interval; and at every
  // multiple of kLongestExchangeInterval steps, where the finite-state check snapshots the
  // state (FiniteStateGuard: no spike may be pending in the run layer then).
  void align_spike_exchanges(std::int64_t every_steps) { align_every_ = every_steps; }
  // Whether this rank holds spikes not exchanged yet (within an exchange interval): no
  // state may be saved or restored then (StateSnapshot, restore_step refuse it).
  bool spikes_pending() const { return pending_steps_ != 0; }
  // Continues from a checkpoint: the state arrays were restored by the caller.
  void restore_step(std::int64_t step);
  // Collective (the halo of the first stage): evaluates the recorded definitions and
  // synaptic inputs of every population that records any (Population::observe) from
  // the state now, as the first stage of the next step would see them; no state changes.
  void observe() const;
  // Collective: a population's array (x.V, lastspike, ...) in global order on rank 0 (empty
  // elsewhere), from every rank's block.
  std::vector<double> gather_population(std::size_t population, const backend::Buffer& buffer) const;
  // Collective: the values of `neurons` (global indices, any order) of a population's
  // array, in that order, on rank 0 (empty elsewhere); each rank sends only its own.
  std::vector<double> gather_neurons(std::size_t population, const backend::Buffer& buffer,
                                     const std::vector<std::size_t>& neurons) const;

 private:
  model::NetworkSpec spec_;
  const graph::Scheme* scheme_ = nullptr;
  std::unique_ptr<backend::Backend> backend_;
  ProfilingBackend* profiler_ = nullptr;  // backend_ itself when profiling
  std::unique_ptr<comm::Communicator> communicator_;
  std::unique_ptr<comm::Partition> partition_;
  std::unique_ptr<Ensemble> ensemble_;
  double dt_ = 0.0;
  std::int64_t total_steps_ = 0, step_ = 0, record_every_steps_ = 1;
  std::uint64_t seed_ = 0;
  std::vector<std::unique_ptr<Population>> populations_;
  std::vector<std::unique_ptr<Projection>> projections_;
  std::vector<std::size_t> projection_pre_;  // population index of each projection's presynaptic side
  std::unique_ptr<Halo> halo_;
  std::vector<StepObserver*> observers_;
  std::vector<std::vector<std::size_t>> spikes_;  // one step's, for observers
  // Spikes not exchanged yet: this rank's of steps pending_first_ .. step_, by step then
  // population (what the Communicator gathers in one exchange), then every rank's.
  std::vector<std::vector<std::uint32_t>> pending_spikes_;
  std::int64_t pending_first_ = 0, pending_steps_ = 0;
  std::int64_t exchange_interval_ = 1, align_every_ = 0;
  void build(const RunSettings& settings);
  void set_up_observation();  // for the definitions and synaptic inputs that [record] tables name
  bool observes_ = false;
  bool halo_every_step() const;
  void integrate_step();
  void advance_step(bool exchange_at_end, bool notify);
  void exchange_pending_spikes(bool notify);
  bool started_ = false, finished_ = false;
};

// The number of steps of length dt in `duration`, which must be a whole number of them.
std::int64_t whole_steps(double duration, double dt, const std::string& what);

}  // namespace psst::run
