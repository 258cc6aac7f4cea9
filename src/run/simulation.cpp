#include "run/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include "run/model_checks.hpp"
#include "run/plan.hpp"
#include "run/step_profile.hpp"

#include <fmt/format.h>

namespace psst::run {

std::int64_t whole_steps(double duration, double dt, const std::string& what) {
  double ratio = duration / dt;
  double steps = std::round(ratio);
  if (!(std::fabs(ratio - steps) <= 1e-9 * std::max(1.0, steps)))
    throw UserError(fmt::format("{} = {} ms is not a whole number of time steps dt = {} ms ({} steps); choose a "
                                "multiple of dt",
                                what, duration, dt, ratio));
  if (!(steps < 0x1p62))  // the cast below would overflow
    throw UserError(fmt::format("{} = {} ms is {} time steps of dt = {} ms, too many to count; choose a larger dt",
                                what, duration, steps, dt));
  return static_cast<std::int64_t>(steps);
}

Simulation::Simulation(model::NetworkSpec spec, const RunOverrides& overrides)
    : spec_(apply_settings(std::move(spec), overrides.sets)) {
  auto& sim = spec_.simulation;
  if (overrides.duration) sim.duration = *overrides.duration;
  if (overrides.dt) sim.dt = *overrides.dt;
  if (overrides.method) sim.method = *overrides.method;
  if (overrides.seed) sim.seed = *overrides.seed;
  if (overrides.record_every) sim.record_every = *overrides.record_every;
  if (overrides.precision) sim.precision = *overrides.precision;
  if (overrides.math) sim.math = *overrides.math;
  // A bad value from the model file is reported at its [simulation] table; one from the command line, without.
  auto error = [&](bool from_command_line, const std::string& message) {
    return from_command_line || sim.where.line == 0 ? UserError(message) : UserError(sim.where, message);
  };
  if (!(sim.dt > 0.0) || !std::isfinite(sim.dt))
    throw error(overrides.dt.has_value(), fmt::format("the time step dt must be a positive number of ms, got {}", sim.dt));
  if (!(sim.duration >= 0.0) || !std::isfinite(sim.duration))
    throw error(overrides.duration.has_value(),
                fmt::format("the duration must be a non-negative number of ms, got {}", sim.duration));
  if (!(sim.record_every >= 0.0))
    throw error(overrides.record_every.has_value(),
                fmt::format("record_every must be >= 0 ms (0: every step), got {}", sim.record_every));
  if (spec_.populations.empty()) throw UserError(sim.where, "the model has no populations");
  if (sim.precision != "double" && sim.precision != "single")
    throw error(overrides.precision.has_value(), fmt::format("the precision is \"{}\"; valid values are \"double\" "
                                                             "(float64, the default) and \"single\" (float32)",
                                                             sim.precision));
  if (sim.math != "exact" && sim.math != "fast")
    throw error(overrides.math.has_value(), fmt::format("math is \"{}\"; valid values are \"exact\" (every operation "
                                                        "as written, the default) and \"fast\" (x / c as x * (1/c), "
                                                        "a * b + c as fma(a, b, c))", sim.math));
  dt_ = sim.dt;
  seed_ = sim.seed;
  try {
    total_steps_ = whole_steps(sim.duration, dt_, "the duration");
    record_every_steps_ = sim.record_every == 0.0 ? 1 : whole_steps(sim.record_every, dt_, "record_every");
  } catch (const UserError& e) {
    throw error(overrides.duration || overrides.dt || overrides.record_every, e.what());
  }
  if (record_every_steps_ < 1) record_every_steps_ = 1;
  ensemble_ = std::make_unique<Ensemble>(spec_, overrides.instances, seed_);
  check_model(spec_, dt_, physical_memory_bytes(), ensemble_->instances());  // before anything is built
  scheme_ = &graph::find_scheme(sim.method);
  for (const auto& set : overrides.sets)
    for (const auto& entry : spec_.sweep.entries)
      if (entry.owner == set.owner && entry.name == set.name)
        throw UserError(entry.where, fmt::format("--set {} sets a parameter that [sweep] gives per instance; sweep it "
                                                 "or set it, not both", set.text()));
  communicator_ = comm::make_communicator();
  if (communicator_->size() > 1 && ensemble_->instances() > 1)
    throw UserError(fmt::format("an ensemble ({} instances) runs in one process; run it without mpirun, or run the "
                                "instances as separate jobs", ensemble_->instances()));
  // Ranks on one machine share its cores.
  const int threads = overrides.threads != 0 || communicator_->ranks_on_this_node() == 1
                          ? overrides.threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) /
                                            communicator_->ranks_on_this_node());
  backend_ = backend::make_backend(
      overrides.backend, {.threads = threads,
                          .device = overrides.device,
                          .march_native = overrides.march_native,
                          .cache_dir = overrides.cache_dir,
                          .compiler = "",
                          .compile = overrides.compile_kernels,
                          .precision = sim.precision == "single" ? graph::Precision::Single : graph::Precision::Double});
  if (overrides.profile) {  // a forwarding wrapper: the same calls, the same bits
    auto profiler = std::make_unique<ProfilingBackend>(std::move(backend_));
    profiler_ = profiler.get();
    backend_ = std::move(profiler);
  }
  RunSettings settings{dt_, total_steps_, seed_, sim.lastspike_initial,
                       sim.precision == "single" ? graph::Precision::Single : graph::Precision::Double,
                       sim.math == "fast" ? graph::MathMode::Fast : graph::MathMode::Exact, ensemble_.get()};
  build(settings);
  spikes_.resize(populations_.size());
  if (communicator_->size() > 1 && !halo_every_step()) {  // in one process there is nothing to amortise
    exchange_interval_ = kLongestExchangeInterval;
    for (const auto& p : projections_)
      if (p->has_events()) exchange_interval_ = std::min(exchange_interval_, p->delay_classes().front());
  }
  backend_->finalize();
  for (auto& p : populations_) p->initialize_threshold(0.0);
}

// Populations split into blocks, one per rank; each rank builds the synapses onto its
// neurons, at their place in the whole projection; then the halo those synapses need.
void Simulation::build(const RunSettings& settings) {
  ModelPlan plan = plan_model(spec_);
  std::vector<std::size_t> sizes;
  const std::size_t instances = ensemble_->instances();
  for (const auto& p : spec_.populations) {
    // Neuron indices are 32-bit (connectivity): K x N must fit (one instance: checked with its synapses).
    if (instances > 1 && p.size > std::size_t{0xffffffff} / instances)
      throw UserError(p.where, fmt::format("population '{}' of {} neurons in {} instances has more than 4294967295 "
                                           "neurons in all; use fewer instances", p.name, p.size, instances));
    sizes.push_back(p.size * instances);
  }
  partition_ = std::make_unique<comm::Partition>(sizes, communicator_->size());
  const int rank = communicator_->rank();
  for (std::size_t i = 0; i < spec_.populations.size(); ++i) {
    const auto& p = spec_.populations[i];
    for (const auto& other : populations_)
      if (other->name() == p.name)
        throw UserError(p.where, fmt::format("two populations are named '{}'; population names must be unique", p.name));
    const comm::Block block = partition_->block(i, rank);
    populations_.push_back(std::make_unique<Population>(p, plan.populations[i], *scheme_, *backend_, settings,
                                                        NeuronRange{block.begin, block.end}));
  }
  for (std::size_t k = 0; k < spec_.projections.size(); ++k) {
    const auto& projection = spec_.projections[k];
    for (const auto& other : projections_)
      if (other->name() == projection.name)
        throw UserError(projection.where, fmt::format("two projections are named '{}'", projection.name));
    Population& pre = *populations_[plan.projections[k].pre];
    Population& post = *populations_[plan.projections[k].post];
    Connectivity connectivity = build_projection_connectivity(projection, pre, post, settings.seed,
                                                              PostRows{post.owned().begin, post.owned().end},
                                                              ensemble_.get());
    const SynapseSlice slice{communicator_->exclusive_sum(connectivity.size()),
                             communicator_->sum(connectivity.size())};
    projections_.push_back(std::make_unique<Projection>(projection, pre, post, *scheme_, *backend_, settings,
                                                        std::move(connectivity), slice));
    projection_pre_.push_back(plan.projections[k].pre);
  }
  halo_ = std::make_unique<Halo>(populations_, projections_, projection_pre_, scheme_->stages.size(), *partition_,
                                 *communicator_, *backend_);
  set_up_observation();
}

// Names that are neither a definition nor a synaptic input are left to check_records.
void Simulation::set_up_observation() {
  for (auto& population : populations_) {
    const auto& system = population->system();
    std::vector<std::string> definitions, inputs;
    for (const auto& record : spec_.records) {
      if (record.population != population->name()) continue;
      for (const auto& v : record.variables) {
        auto& list = system.is_external(v) ? inputs : definitions;
        const auto& names = system.definitions();
        const bool known = system.is_external(v) || std::find(names.begin(), names.end(), v) != names.end();
        if (known && std::find(list.begin(), list.end(), v) == list.end()) list.push_back(v);
      }
    }
    if (!definitions.empty() || !inputs.empty()) population->set_up_observation(definitions, inputs);
    observes_ = observes_ || population->observes();
  }
  if (observes_)
    for (auto& projection : projections_) projection->set_up_observation();
}

void Simulation::observe() const {
  if (!observes_) return;
  halo_->exchange_stage(0);  // what the first stage brings: presynaptic state of other ranks
  for (const auto& p : populations_) p->begin_observation();
  for (const auto& p : projections_) p->observe(time());
  for (const auto& p : populations_) p->observe(step_, time());
}

std::vector<double> Simulation::gather_population(std::size_t population, const backend::Buffer& buffer) const {
  const NeuronRange& owned = populations_.at(population)->owned();
  std::vector<double> block(owned.end - owned.begin);
  backend_->download(buffer, std::span<double>(block), owned.begin);
  return communicator_->gather(block);
}

std::vector<double> Simulation::gather_neurons(std::size_t population, const backend::Buffer& buffer,
                                               const std::vector<std::size_t>& neurons) const {
  const NeuronRange& owned = populations_.at(population)->owned();
  std::vector<double> block(owned.end - owned.begin), local;
  backend_->download(buffer, std::span<double>(block), owned.begin);
  for (std::size_t n : neurons)
    if (n >= owned.begin && n < owned.end) local.push_back(block[n - owned.begin]);
  std::vector<double> gathered = communicator_->gather(local);  // by rank, each in the order of `neurons`
  if (communicator_->rank() != 0 || communicator_->size() == 1) return gathered;
  std::vector<std::size_t> next(static_cast<std::size_t>(communicator_->size()) + 1, 0);  // first position per rank
  for (std::size_t n : neurons) ++next[static_cast<std::size_t>(partition_->owner(population, n)) + 1];
  for (std::size_t r = 1; r < next.size(); ++r) next[r] += next[r - 1];
  std::vector<double> values(neurons.size());
  for (std::size_t j = 0; j < neurons.size(); ++j)
    values[j] = gathered[next[static_cast<std::size_t>(partition_->owner(population, neurons[j]))]++];
  return values;
}

Projection& Simulation::projection(const std::string& name) {
  for (auto& p : projections_)
    if (p->name() == name) return *p;
  throw UserError(fmt::format("no projection named '{}'", name));
}

Population& Simulation::population(const std::string& name) {
  for (auto& p : populations_)
    if (p->name() == name) return *p;
  throw UserError(fmt::format("no population named '{}'", name));
}

const Population& Simulation::population(const std::string& name) const {
  return const_cast<Simulation*>(this)->population(name);
}

// Whether some projection reads presynaptic values that change during the run (continuous
// coupling, or what on_pre reads): the model's property, the same on every rank. Then the
// ranks meet at every stage anyway, and the spikes are exchanged every step with the halo:
// amortising them saved 2 of 19 messages per step of the antennal lobe on 2 ranks and made
// its steps several times slower on this loaded machine (docs/scaling.md).
bool Simulation::halo_every_step() const {
  for (const auto& p : projections_) {
    if (!p->step_presynaptic_reads().empty()) return true;
    for (std::size_t s = 0; s < scheme_->stages.size(); ++s)
      if (!p->presynaptic_reads(s).empty()) return true;
  }
  return false;
}

void Simulation::integrate_step() {
  const std::int64_t n = step_;
  if (profiler_) profiler_->begin_step();
  for (auto& p : populations_) p->begin_step(n);  // the step counter of random draws
  for (std::size_t s = 0; s < scheme_->stages.size(); ++s) {
    double c = scheme_->stages[s].time_fraction;
    // Stage time t_n + c dt with t_n = n dt, computed as PSST does (t + dt/2, t + dt),
    // so that comparisons with spike times (t < t_fire + t_max) fall the same way.
    // The input of step floor(n + c): the table index PSST computes as
    // floor(t_stage / dt), here free of round-off.
    double t = static_cast<double>(n) * dt_ + c * dt_;
    std::int64_t input_step = n + static_cast<std::int64_t>(std::floor(c));
    for (auto& p : populations_)
      if (!p->fused_step()) p->prepare_stage(s, t, input_step);
    halo_->exchange_stage(s);  // presynaptic values owned by other ranks
    for (auto& p : projections_) p->run_stage(s, t);
    for (auto& p : populations_)
      if (!p->fused_step()) p->run_stage(s, t);
  }
  for (auto& p : populations_)
    if (p->fused_step()) p->run_step(static_cast<double>(n) * dt_);
  step_ = n + 1;
}

void Simulation::advance_one_step(bool notify) { advance_step(true, notify); }

// A step, then its spikes: kept with those of the steps before it until the exchange
// (every exchange_interval_ steps, at aligned steps, at the end of the run or when asked),
// which queues them all, step by step, before this step's events are delivered. A spike
// of step m is due at m - 1 + delay >= m - 1 + exchange_interval_ >= this step, so each
// event is applied at the same step, in the same order, as with an exchange every step.
void Simulation::advance_step(bool exchange_at_end, bool notify) {
  integrate_step();
  const std::size_t populations = populations_.size();
  if (pending_steps_ == 0) pending_first_ = step_;
  pending_spikes_.resize(static_cast<std::size_t>(pending_steps_ + 1) * populations);
  const double spike_time = static_cast<double>(step_ - 1) * dt_;  // PSST: the step's start
  for (std::size_t p = 0; p < populations; ++p)
    pending_spikes_[static_cast<std::size_t>(pending_steps_) * populations + p] =
        populations_[p]->detect_spikes(time(), spike_time);
  ++pending_steps_;
  const bool exchange = exchange_at_end || pending_steps_ >= exchange_interval_ || step_ == total_steps_ ||
                        (align_every_ > 0 && step_ % align_every_ == 0) ||
                        step_ % kLongestExchangeInterval == 0;  // where the finite-state check looks
  if (exchange) communicator_->gather_spikes(pending_spikes_);  // every rank's, in ascending global order
  halo_->exchange_step();
  if (exchange)
    for (std::int64_t j = 0; j < pending_steps_; ++j)
      for (std::size_t k = 0; k < projections_.size(); ++k)
        projections_[k]->queue_spikes(pending_first_ + j,
                                      pending_spikes_[static_cast<std::size_t>(j) * populations + projection_pre_[k]]);
  for (auto& p : projections_) p->deliver_due(step_, time());
  for (auto& s : spikes_) s.clear();
  if (profiler_) profiler_->begin_observers();
  if (exchange) exchange_pending_spikes(notify);
  if (notify)
    for (auto* o : observers_) o->on_step(*this, step_, spikes_);
  if (profiler_) {
    profiler_->end_observers();
    profiler_->end_step();
  }
}

std::string Simulation::profile_report() const { return profiler_ ? profiler_->profile_report() : ""; }

// The observers told the exchanged steps' spikes, in step order (unless notify is false:
// the finite-state check's replay); spikes_ is left with this step's.
void Simulation::exchange_pending_spikes(bool notify) {
  const std::size_t populations = populations_.size();
  for (std::int64_t j = 0; j < pending_steps_; ++j) {
    for (std::size_t p = 0; p < populations; ++p) {
      const auto& gathered = pending_spikes_[static_cast<std::size_t>(j) * populations + p];
      spikes_[p].assign(gathered.begin(), gathered.end());
    }
    if (notify)
      for (auto* o : observers_) o->on_spikes(*this, pending_first_ + j, spikes_);
  }
  pending_steps_ = 0;
}

void Simulation::restore_step(std::int64_t step) {
  if (step < 0 || step > total_steps_)
    throw UserError(fmt::format("cannot continue from step {}: the run has {} steps", step, total_steps_));
  if (spikes_pending())  // they would be queued at steps of the state being replaced
    throw InternalError(fmt::format("restore_step({}) within a spike-exchange interval", step));
  step_ = step;
}

std::int64_t Simulation::run_until_step(std::int64_t last_step) {
  if (!started_) {
    started_ = true;
    for (auto* o : observers_) o->on_start(*this);
  }
  std::int64_t begin = step_;
  last_step = std::min(last_step, total_steps_);
  while (step_ < last_step) advance_step(step_ + 1 == last_step, true);  // no spikes left pending
  if (step_ == total_steps_ && !finished_) {
    finished_ = true;
    for (auto* o : observers_) o->on_finish(*this);
  }
  return step_ - begin;
}

}  // namespace psst::run
