#include "run/population.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <unistd.h>

#include "graph/spike_kernels.hpp"
#include "run/ensemble.hpp"
#include "run/input_table.hpp"
#include "run/random.hpp"
#include "run/spike_times.hpp"

namespace psst::run {

namespace {

// Physical memory of this machine in bytes (0 when unknown).
double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

using backend::ElementType;
using backend::KernelInput;

graph::SystemOptions population_options(const std::vector<std::string>& synaptic_inputs, const RunSettings& settings) {
  graph::SystemOptions options;
  options.external_names = synaptic_inputs;
  options.precision = settings.precision;
  options.math = settings.math;
  return options;
}
}  // namespace

Population::Population(const model::PopulationSpec& spec, const PopulationPlan& plan, const graph::Scheme& scheme,
                       backend::Backend& backend, const RunSettings& settings, NeuronRange owned)
    : name_(spec.name),
      instance_size_(spec.size),
      size_(spec.size * instance_count(settings.ensemble)),
      owned_{std::min(owned.begin, size_), std::min(owned.end, size_)},
      dt_(settings.dt),
      backend_(backend),
      system_(spec, population_options(plan.synaptic_inputs, settings)),
      programs_(graph::build_population_kernels(
          system_, scheme, spec.has_refractoriness() ? graph::refractory_threshold(spec.threshold) : spec.threshold)),
      synaptic_inputs_(plan.synaptic_inputs),
      buffers_(backend, fmt::format("population '{}'", spec.name)) {
  if (size_ == 0) throw UserError(spec.where, fmt::format("population '{}' has size 0; it needs at least one neuron", name_));
  // Checked before allocating: an allocation far beyond the machine's memory is a
  // message, not a crash (nor, under the address sanitizer, an abort).
  const double bytes = static_cast<double>(size_) * 8.0 *
                       static_cast<double>(3 * system_.state_variables().size() + spec.parameters.size() + 6);
  if (const double memory = physical_memory_bytes(); memory > 0 && bytes > memory)
    throw UserError(spec.where, fmt::format("out of memory: population '{}' of {} neurons needs about {:.3g} GiB, "
                                            "more than this machine's {:.3g} GiB; use fewer neurons",
                                            name_, size_, bytes / 1073741824.0, memory / 1073741824.0));
  for (std::size_t k = 0; k < instances(); ++k) seeds_.push_back(instance_seed(settings.ensemble, k, settings.seed));
  resolve_parameters(spec, settings, backend);
  initialise_state(spec, settings, backend);
  set_up_spike_handling(spec, settings);  // its buffers first: the threshold reads not_refractory
  bind_kernels(plan, scheme);
}

// The key table of the population's random draws (math/random.hpp): the instance size,
// then one key per instance k, of (seed of instance k, "<population>/random"), or
// "<population>/poisson" for a Poisson population (the purpose its host-drawn uniforms
// had, so its spikes kept their bits); each key as its two 32-bit words, exact in
// float64. A kernel draws for element e with the key of instance e / N at index e mod N,
// so instance k of an ensemble draws what the single run with seed S + k draws.
void Population::set_up_random_key(const RunSettings& settings) {
  if (settings.steps >= (std::int64_t{1} << math::random_step_bits))
    throw UserError(fmt::format("population '{}' draws random numbers in a run of {} steps; at most 2^{} steps",
                                name_, settings.steps, math::random_step_bits));
  std::vector<double> table{static_cast<double>(instance_size_)};
  for (const std::uint64_t seed : seeds_) {
    const math::Philox4x32Key key = CounterRandom::key_of(seed, name_ + (poisson_ ? "/poisson" : "/random"));
    table.push_back(static_cast<double>(key.word[0]));
    table.push_back(static_cast<double>(key.word[1]));
  }
  buffers_.set("random.key", backend_.allocate_with(table));
}

void Population::set_up_spike_handling(const model::PopulationSpec& spec, const RunSettings& settings) {
  poisson_ = spec.poisson;
  spike_source_ = spec.spike_times.has_value();
  if (system_.draws_random()) set_up_random_key(settings);
  if (spec.has_refractoriness()) {
    backend_.fill(*add_buffer(std::string("input.") + graph::not_refractory_name), 1.0);
    refractory_condition_ = spec.refractory_condition != nullptr;
    if (spec.refractory) {
      const std::string what = fmt::format("the refractory period of population '{}'", name_);
      std::vector<Values> per_instance;
      for (std::size_t k = 0; k < instances(); ++k)
        per_instance.push_back(resolve_values(*instance_spec(settings.ensemble, k, spec).refractory,
                                              {what, fmt::format("{}/refractory", name_), instance_size_, seeds_[k]}));
      Values period = join_instances(per_instance, instance_size_);
      for (double ms : period)
        if (!(ms >= 0.0))
          throw UserError(spec.refractory->where, fmt::format("{} is {} ms; it must be >= 0 ms", what, ms));
      buffers_.set(graph::refractory_period_slot, backend_.allocate_with(period));
    }
    refractory_program_ = graph::build_refractory_program(system_, spec.refractory_condition);
    refractory_kernel_ = bind(*refractory_program_, 0);
  }
  resets_state_ = !spec.reset.empty();
  if (resets_state_ || refractory_condition_)
    reset_kernel_ = bind(graph::build_reset_program(system_, spec.reset, spec.has_refractoriness()), 0);
}

void Population::resolve_parameters(const model::PopulationSpec& spec, const RunSettings& settings,
                                    backend::Backend& backend) {
  // Parameters: constants stay one broadcast value, so a new value never changes a kernel.
  // Instance k's from its spec (its swept values) and seed; instance 0's decides which are expressions.
  const model::PopulationSpec& first = instance_spec(settings.ensemble, 0, spec);
  for (const auto& [name, value] : first.parameters) {
    if (value.kind == model::ValueSpec::Kind::Expression) continue;
    std::vector<Values> per_instance;
    for (std::size_t k = 0; k < instances(); ++k) {
      ValueContext context{fmt::format("parameter '{}' of population '{}'", name, name_),
                           fmt::format("{}/parameter/{}", name_, name), instance_size_, seeds_[k]};
      per_instance.push_back(resolve_values(instance_spec(settings.ensemble, k, spec).parameters.at(name), context));
    }
    parameters_[name] = join_instances(per_instance, instance_size_);
  }
  // Expression parameters, each once the parameters it reads are known.
  std::vector<std::pair<std::string, const model::ValueSpec*>> pending;
  for (const auto& [name, value] : first.parameters)
    if (value.kind == model::ValueSpec::Kind::Expression) pending.emplace_back(name, &value);
  std::vector<std::pair<std::string, const Values*>> resolved;
  while (!pending.empty()) {
    resolved.clear();
    for (const auto& [name, values] : parameters_) resolved.emplace_back(name, &values);
    auto unresolved = [&](const model::ValueSpec& value) {
      std::vector<const model::Expr*> names;
      model::collect_names(value.expression, names);
      return std::any_of(names.begin(), names.end(), [&](const model::Expr* n) {
        return std::any_of(pending.begin(), pending.end(), [&](const auto& p) { return p.first == n->name; });
      });
    };
    auto ready = std::find_if(pending.begin(), pending.end(), [&](const auto& p) { return !unresolved(*p.second); });
    if (ready == pending.end()) {
      std::string names;
      for (const auto& p : pending) names += (names.empty() ? "" : ", ") + p.first;
      throw UserError(pending.front().second->where,
                      fmt::format("the expression parameters of population '{}' read each other in a cycle: {}; give "
                                  "one of them a number", name_, names));
    }
    parameters_[ready->first] =
        evaluate_expression(system_, *ready->second->expression, resolved, size_, dt_, backend,
                            fmt::format("parameter '{}' of population '{}'", ready->first, name_), instance_size_);
    pending.erase(ready);
  }
  for (const auto& [name, values] : parameters_) buffers_.set("param." + name, backend.allocate_with(values));
}

void Population::initialise_state(const model::PopulationSpec& spec, const RunSettings& settings,
                                  backend::Backend& backend) {
  std::vector<std::pair<std::string, const Values*>> resolved;
  for (const auto& [name, values] : parameters_) resolved.emplace_back(name, &values);
  // State: initial values, then PSST's multiplicative jitter (1 + jitter N(0,1)).
  for (const auto& v : system_.state_variables()) {
    const model::ValueSpec& init = spec.initial.at(v);
    std::string what = fmt::format("initial value of '{}' in population '{}'", v, name_);
    Values values;
    if (init.kind == model::ValueSpec::Kind::Expression) {
      values = evaluate_expression(system_, *init.expression, resolved, size_, dt_, backend, what, instance_size_);
    } else {
      std::vector<Values> per_instance;
      for (std::size_t k = 0; k < instances(); ++k)
        per_instance.push_back(resolve_values(init, {what, fmt::format("{}/initial/{}", name_, v), instance_size_,
                                                     seeds_[k]}));
      values = join_instances(per_instance, instance_size_);
    }
    std::vector<double> x(size_, values[0]);
    if (values.size() == size_) x = values;
    for (std::size_t k = 0; spec.jitter != 0.0 && k < instances(); ++k)
      apply_jitter(std::span<double>(x).subspan(k * instance_size_, instance_size_), 0, spec.jitter, seeds_[k],
                   fmt::format("{}/jitter/{}", name_, v));
    backend.upload(*add_buffer("x." + v), x);
    add_buffer("k." + v);
    add_buffer("acc." + v);
  }
  for (const auto& name : synaptic_inputs_) synaptic_input_buffers_.push_back(add_buffer("syn." + name));
  for (const auto& input : spec.inputs)
    inputs_.emplace_back(backend.make_input(repeat_schedule(
                             make_input_schedule(input, name_, instance_size_, settings.dt, settings.steps), instances())),
                         add_buffer("input." + input.name));
  if (spec.spike_times)
    inputs_.emplace_back(backend.make_input(
                             repeat_schedule(make_spike_schedule(*spec.spike_times, name_, instance_size_, settings.dt),
                                             instances())),
                         add_buffer("input.spike_due"));
  lastspike_ = add_buffer("lastspike");
  backend.fill(*lastspike_, settings.lastspike_initial);
  condition_ = add_buffer("spiking");                    // the threshold condition now
  previous_condition_ = add_buffer("spiking.previous");  // at the end of the previous step
  spike_list_ = add_buffer("spikes", ElementType::Index);
  std::vector<double> index(size_);
  for (std::size_t i = 0; i < size_; ++i) index[i] = static_cast<double>(i % instance_size_);  // within its instance
  backend.upload(*add_buffer("i"), index);
}

const backend::BufferHandle& Population::buffer(const std::string& name) const {
  return buffers_.at(name);
}

// Only the kernels the step runs: the fused step, or the stages and the stage
// states that projections read; then the threshold, bound twice (the initial
// condition, and the condition after each step).
void Population::bind_kernels(const PopulationPlan& plan, const graph::Scheme& scheme) {
  if (programs_.step && plan.may_fuse()) {
    step_kernel_ = bind(*programs_.step, 0);
  } else if (!system_.state_variables().empty()) {  // a Poisson population has no state to integrate
    for (std::size_t s = 0; s < programs_.stages.size(); ++s) {
      auto program = graph::build_stage_state_program(system_, scheme, s, plan.shared_state);
      if (program) {
        for (const auto& v : plan.shared_state) add_buffer("xs." + v);
        state_kernels_.push_back(bind(*program, s));
      } else {
        state_kernels_.push_back(nullptr);
      }
    }
    for (std::size_t s = 0; s < programs_.stages.size(); ++s) stage_kernels_.push_back(bind(programs_.stages[s], s));
  }
  if (programs_.has_threshold) {
    initial_threshold_kernel_ = bind(programs_.threshold, 0, {"spiking.previous"});
    threshold_kernel_ = bind(programs_.threshold, 0, {"spiking"});
  }
}

backend::KernelInput Population::input(const graph::Slot& slot, std::size_t stage) const {
  using Kind = graph::Slot::Kind;
  switch (slot.kind) {
    case Kind::Time: return KernelInput::launch_scalar(scalar_t);
    case Kind::TimeStep: return KernelInput::launch_scalar(scalar_dt);
    case Kind::Count: return KernelInput::launch_scalar(scalar_count);
    case Kind::Step: return KernelInput::launch_scalar(scalar_step);
    case Kind::RandomKey: return KernelInput::broadcast(buffer("random.key"));
    case Kind::StageState: {
      // The stage state where this stage materialises it, else the state itself (xs = x).
      bool materialised = stage < state_kernels_.size() && state_kernels_[stage];
      return KernelInput::array(buffer((materialised ? "xs." : "x.") + slot.name));
    }
    case Kind::Parameter: {
      const auto& b = buffer(slot.text());
      return b->size() == 1 ? KernelInput::broadcast(b) : KernelInput::array(b);
    }
    case Kind::State: case Kind::Derivative: case Kind::Accumulator: case Kind::Input: case Kind::SynapticInput:
    case Kind::Index: case Kind::LastSpike:
      if (slot.side == graph::Slot::Side::Own) return KernelInput::array(buffer(slot.text()));
      break;
    case Kind::Hoisted: case Kind::Summed: case Kind::EventValue: case Kind::Spiking: case Kind::RandomSite: break;
  }
  throw InternalError(fmt::format("population '{}' has no slot '{}'", name_, slot.text()));
}

std::unique_ptr<backend::BoundKernel> Population::bind(const graph::Program& program, std::size_t stage,
                                                       const std::vector<std::string>& outputs) {
  backend::KernelArguments arguments;
  for (std::size_t k = 0; k < program.inputs.size(); ++k) arguments.inputs.push_back(input(program.input_slot(k), stage));
  const auto& names = outputs.empty() ? program.outputs : outputs;
  for (const auto& slot : names) arguments.outputs.push_back(buffer(slot));
  return backend_.bind(program, arguments);
}

void Population::initialize_threshold(double t) {
  // The condition at the start: a neuron that starts above threshold has not crossed it.
  if (initial_threshold_kernel_) initial_threshold_kernel_->launch(scalars(t), 0, size_);
  // A Poisson or spike-time neuron has not spiked before the first step.
  if (poisson_ || spike_source_) backend_.fill(*previous_condition_, 0.0);
}

void Population::prepare_stage(std::size_t stage, double t, std::int64_t input_step) {
  // A spike-time population's input is that of step n in every stage (the threshold reads it after the step).
  if (stage == 0 || !spike_source_)
    for (auto& [input, values] : inputs_) backend_.sample_input(*input, input_step, *values);
  if (stage == 0 && refractory_kernel_) refractory_kernel_->launch(scalars(t), owned_.begin, owned_.end);  // t = t_n
  if (stage < state_kernels_.size() && state_kernels_[stage])
    state_kernels_[stage]->launch(scalars(t), owned_.begin, owned_.end);
  for (const auto& input : synaptic_input_buffers_) backend_.fill(*input, 0.0);
}

void Population::run_stage(std::size_t stage, double t) {
  if (stage < stage_kernels_.size()) stage_kernels_[stage]->launch(scalars(t), owned_.begin, owned_.end);
}

void Population::run_step(double t) { step_kernel_->launch(scalars(t), owned_.begin, owned_.end); }

std::vector<std::uint32_t> Population::detect_spikes(double t, double spike_time) {
  if (!threshold_kernel_) return {};
  threshold_kernel_->launch(scalars(t), owned_.begin, owned_.end);
  std::size_t count = backend_.detect_crossings(*condition_, *previous_condition_, *lastspike_, spike_time,
                                                *spike_list_, owned_.begin, owned_.end);
  if (count > 0 && reset_kernel_) {
    reset_kernel_->launch(scalars(spike_time), owned_.begin, owned_.end);
    // The condition the next step's crossing is judged against is the one after the reset.
    if (resets_state_) initial_threshold_kernel_->launch(scalars(t), owned_.begin, owned_.end);
  }
  // A Poisson or spike-time neuron's spikes are judged on the level, not the edge: it may spike in consecutive steps.
  if (poisson_ || spike_source_) backend_.fill(*previous_condition_, 0.0);
  std::vector<std::uint32_t> list(count);
  if (count > 0) backend_.download(*spike_list_, std::span<std::uint32_t>(list), 0);
  return list;
}

std::vector<double> Population::state(const std::string& variable) const { return backend_.download(*buffer("x." + variable)); }

void Population::set_state(const std::string& variable, const std::vector<double>& values) {
  upload("x." + variable, values);
}

double Population::bytes() const {
  double bytes = 0.0;
  for (const auto& [name, b] : buffers_)
    bytes += static_cast<double>(b->size()) * (b->type() == ElementType::Index ? 4.0 : 8.0);
  return bytes;
}

std::vector<double> Population::lastspike() const { return backend_.download(*lastspike_); }

std::vector<std::string> Population::persistent_arrays() const {
  std::vector<std::string> names;
  for (const auto& v : system_.state_variables()) names.push_back("x." + v);
  names.emplace_back("lastspike");
  names.emplace_back("spiking");
  if (refractory_condition_) names.push_back(std::string("input.") + graph::not_refractory_name);
  return names;
}

std::vector<std::string> Population::input_arrays() const {
  std::vector<std::string> names;
  for (const auto& [name, buffer] : buffers_)
    if (name.starts_with("param.") || name.starts_with("input.") || name.starts_with("syn.")) names.push_back(name);
  return names;
}

std::vector<double> Population::download(const std::string& persistent) const {
  return backend_.download(*buffer(persistent == "spiking" ? "spiking.previous" : persistent));
}

void Population::upload(const std::string& persistent, const std::vector<double>& values) {
  const auto& b = buffer(persistent == "spiking" ? "spiking.previous" : persistent);
  if (values.size() != b->size())
    throw UserError(fmt::format("population '{}': {} has {} values, {} given", name_, persistent, b->size(),
                                values.size()));
  backend_.upload(*b, values);
}

}  // namespace psst::run
