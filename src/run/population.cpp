#include "run/population.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <unistd.h>

#include "run/random.hpp"

namespace psst::run {

namespace {

// Physical memory of this machine in bytes (0 when unknown).
double physical_memory_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? static_cast<double>(pages) * static_cast<double>(page_size) : 0.0;
}

graph::SystemOptions population_options(const std::vector<std::string>& synaptic_inputs, graph::Precision precision) {
  graph::SystemOptions options;
  options.external_names = synaptic_inputs;
  options.precision = precision;
  return options;
}
}  // namespace

Population::Population(const model::PopulationSpec& spec, const graph::Scheme& scheme, backend::Backend& backend,
                       const RunSettings& settings, const std::vector<std::string>& synaptic_inputs)
    : name_(spec.name),
      size_(spec.size),
      system_(spec, population_options(synaptic_inputs, settings.precision)),
      programs_(graph::build_population_kernels(system_, scheme, spec.threshold)),
      scheme_(&scheme),
      synaptic_inputs_(synaptic_inputs) {
  if (size_ == 0) throw UserError(spec.where, fmt::format("population '{}' has size 0; it needs at least one neuron", name_));
  // Checked before allocating: an allocation far beyond the machine's memory is a
  // message, not a crash (nor, under the address sanitizer, an abort).
  const double bytes = static_cast<double>(size_) * 8.0 *
                       static_cast<double>(3 * system_.state_variables().size() + spec.parameters.size() + 6);
  if (const double memory = physical_memory_bytes(); memory > 0 && bytes > memory)
    throw UserError(spec.where, fmt::format("out of memory: population '{}' of {} neurons needs about {:.3g} GiB, "
                                            "more than this machine's {:.3g} GiB; use fewer neurons",
                                            name_, size_, bytes / 1073741824.0, memory / 1073741824.0));
  dt_ = settings.dt;
  count_ = static_cast<double>(size_);
  // Parameters: constants stay one broadcast value, so a new value never changes a kernel.
  for (const auto& [name, value] : spec.parameters) {
    if (value.kind == model::ValueSpec::Kind::Expression) continue;
    ValueContext context{fmt::format("parameter '{}' of population '{}'", name, name_),
                         fmt::format("{}/parameter/{}", name_, name), size_, settings.seed};
    parameters_[name] = resolve_values(value, context);
  }
  // Expression parameters, each once the parameters it reads are known.
  std::vector<std::pair<std::string, const model::ValueSpec*>> pending;
  for (const auto& [name, value] : spec.parameters)
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
                            fmt::format("parameter '{}' of population '{}'", ready->first, name_));
    pending.erase(ready);
  }
  resolved.clear();
  for (const auto& [name, values] : parameters_) resolved.emplace_back(name, &values);
  // State: initial values, then PSST's multiplicative jitter (1 + jitter N(0,1)).
  for (const auto& v : system_.state_variables()) {
    const model::ValueSpec& init = spec.initial.at(v);
    std::string what = fmt::format("initial value of '{}' in population '{}'", v, name_);
    Values values = init.kind == model::ValueSpec::Kind::Expression
                        ? evaluate_expression(system_, *init.expression, resolved, size_, dt_, backend, what)
                        : resolve_values(init, {what, fmt::format("{}/initial/{}", name_, v), size_, settings.seed});
    std::vector<double>& x = arrays_["x." + v];
    x.assign(size_, values[0]);
    if (values.size() == size_) x = values;
    if (spec.jitter != 0.0) {
      RandomStream random(settings.seed, fmt::format("{}/jitter/{}", name_, v));
      for (auto& value : x) value *= 1.0 + spec.jitter * random.normal();
    }
    arrays_["k." + v].assign(size_, 0.0);
    arrays_["acc." + v].assign(size_, 0.0);
  }
  for (const auto& name : synaptic_inputs_) arrays_["syn." + name].assign(size_, 0.0);
  for (const auto& input : spec.inputs) {
    std::vector<double>& values = arrays_["input." + input.name];
    values.assign(size_, 0.0);
    inputs_.emplace_back(InputTable(input, name_, size_, settings.dt, settings.steps), &values);
  }
  lastspike_.assign(size_, settings.lastspike_initial);
  spiking_.assign(size_, 0.0);
  spiking_next_.assign(size_, 0.0);
  index_.resize(size_);
  for (std::size_t i = 0; i < size_; ++i) index_[i] = static_cast<double>(i);

  for (const auto& program : programs_.stages) {
    stage_args_.push_back(bind(program));
    stage_kernels_.push_back(backend.compile(program, stage_args_.back().bindings()));
  }
  if (programs_.step) {
    step_args_ = bind(*programs_.step);
    step_kernel_ = backend.compile(*programs_.step, step_args_.bindings());
  }
  if (programs_.has_threshold) {
    threshold_args_ = bind(programs_.threshold);
    threshold_kernel_ = backend.compile(programs_.threshold, threshold_args_.bindings());
  }
}

void Population::initialize_threshold(double t) {
  if (!threshold_kernel_) return;
  // The condition at the start: a neuron that starts above threshold has not crossed it.
  time_ = t;
  threshold_args_.outputs = {spiking_.data()};
  threshold_kernel_->run(threshold_args_, 0, size_);
  threshold_args_.outputs = {spiking_next_.data()};
}

backend::KernelArgs Population::bind(const graph::Program& program) {
  backend::KernelArgs args;
  for (const auto& slot : program.inputs) {
    const double* pointer = nullptr;
    std::size_t stride = 1;
    if (auto it = arrays_.find(slot); it != arrays_.end()) {
      pointer = it->second.data();
    } else if (slot.rfind("param.", 0) == 0) {
      const Values& values = parameters_.at(slot.substr(6));
      pointer = values.data();
      stride = values.size() == 1 ? 0 : 1;
    } else if (slot == "t") {
      pointer = &time_;
      stride = 0;
    } else if (slot == "dt") {
      pointer = &dt_;
      stride = 0;
    } else if (slot == "N") {
      pointer = &count_;
      stride = 0;
    } else if (slot == "i") {
      pointer = index_.data();
    } else if (slot == "lastspike") {
      pointer = lastspike_.data();
    } else {
      throw InternalError(fmt::format("kernel {} reads unknown slot '{}'", program.name, slot));
    }
    args.add_input(pointer, stride);
  }
  for (const auto& slot : program.outputs) {
    auto it = arrays_.find(slot);
    args.outputs.push_back(it == arrays_.end() ? nullptr : it->second.data());  // e.g. "spiking": set by the caller
  }
  return args;
}

void Population::share_stage_state(const std::vector<std::string>& variables, backend::Backend& backend) {
  for (const auto& v : variables)
    if (std::find(shared_.begin(), shared_.end(), v) == shared_.end()) shared_.push_back(v);
  state_kernels_.clear();
  state_args_.clear();
  for (std::size_t s = 0; s < graph::stage_count(*scheme_); ++s) {
    auto program = graph::build_stage_state_program(system_, *scheme_, s, shared_);
    if (program) {
      for (const auto& v : shared_) arrays_.try_emplace("xs." + v, size_, 0.0);
      state_args_.push_back(bind(*program));
      state_kernels_.push_back(backend.compile(*program, state_args_.back().bindings()));
    } else {
      state_kernels_.push_back(nullptr);
      state_args_.emplace_back();
    }
  }
}

Population::Binding Population::binding(const std::string& slot, std::size_t stage) const {
  if (slot.rfind("xs.", 0) == 0) {
    bool materialised = stage < state_kernels_.size() && state_kernels_[stage];
    return {arrays_.at(materialised ? slot : "x." + slot.substr(3)).data(), 1};
  }
  if (auto it = arrays_.find(slot); it != arrays_.end()) return {it->second.data(), 1};
  if (slot.rfind("param.", 0) == 0) {
    const Values& values = parameters_.at(slot.substr(6));
    return {values.data(), values.size() == 1 ? 0u : 1u};
  }
  if (slot == "lastspike") return {lastspike_.data(), 1};
  if (slot == "i") return {index_.data(), 1};
  if (slot == "N") return {&count_, 0};
  throw InternalError(fmt::format("population '{}' has no slot '{}'", name_, slot));
}

void Population::prepare_stage(std::size_t stage, double t, std::int64_t input_step) {
  time_ = t;
  for (auto& [table, values] : inputs_) table.sample(input_step, *values);
  if (stage < state_kernels_.size() && state_kernels_[stage]) state_kernels_[stage]->run(state_args_[stage], 0, size_);
  for (const auto& name : synaptic_inputs_) {
    auto& values = arrays_.at("syn." + name);
    std::fill(values.begin(), values.end(), 0.0);
  }
}

std::vector<std::pair<std::string, std::vector<double>*>> Population::persistent_arrays() {
  std::vector<std::pair<std::string, std::vector<double>*>> arrays;
  for (const auto& v : system_.state_variables()) arrays.emplace_back("x." + v, &arrays_.at("x." + v));
  arrays.emplace_back("lastspike", &lastspike_);
  arrays.emplace_back("spiking", &spiking_);
  return arrays;
}

void Population::run_stage(std::size_t stage) { stage_kernels_[stage]->run(stage_args_[stage], 0, size_); }

void Population::run_step() { step_kernel_->run(step_args_, 0, size_); }

void Population::detect_spikes(double t, double spike_time, std::vector<std::size_t>& spikes) {
  if (!threshold_kernel_) return;
  time_ = t;
  threshold_kernel_->run(threshold_args_, 0, size_);
  for (std::size_t i = 0; i < size_; ++i) {
    if (spiking_next_[i] != 0.0 && spiking_[i] == 0.0) {
      spikes.push_back(i);
      lastspike_[i] = spike_time;
    }
  }
  spiking_.swap(spiking_next_);
  threshold_args_.outputs = {spiking_next_.data()};
}

}  // namespace psst::run
