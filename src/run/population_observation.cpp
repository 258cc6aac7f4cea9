// Observation of a population (Population::set_up_observation): recorded definitions
// and synaptic inputs, evaluated at a sample time t_n from the state at t_n exactly as
// the first stage of step n sees them. Every value is computed by backend kernels and
// primitives into scratch buffers "observe.*": the state, the inputs and everything the
// step reads stay untouched, so recording changes no bit of the run.
#include <algorithm>

#include <fmt/format.h>

#include "graph/spike_kernels.hpp"
#include "run/population.hpp"

namespace psst::run {

void Population::set_up_observation(const std::vector<std::string>& definitions,
                                    const std::vector<std::string>& synaptic_inputs) {
  observed_inputs_ = synaptic_inputs;
  if (!definitions.empty()) {
    graph::Program program = graph::build_definition_program(system_, definitions);
    backend::KernelArguments arguments;
    for (std::size_t k = 0; k < program.inputs.size(); ++k) {
      const graph::Slot slot = program.input_slot(k);
      using Kind = graph::Slot::Kind;
      if (slot.kind == Kind::SynapticInput) {  // summed now (Projection::observe), not the last stage's
        if (std::find(observed_inputs_.begin(), observed_inputs_.end(), slot.name) == observed_inputs_.end())
          observed_inputs_.push_back(slot.name);
        arguments.inputs.push_back(backend::KernelInput::array(add_buffer("observe.syn." + slot.name)));
      } else if (slot.kind == Kind::Input) {  // sampled at step n, not the last stage's step
        const auto& scratch = add_buffer("observe.input." + slot.name);
        arguments.inputs.push_back(backend::KernelInput::array(scratch));
        if (slot.name == graph::not_refractory_name) {
          backend::KernelArguments refractory;
          for (std::size_t j = 0; j < refractory_program_->inputs.size(); ++j)
            refractory.inputs.push_back(input(refractory_program_->input_slot(j), 0));
          refractory.outputs.push_back(scratch);
          observed_refractory_kernel_ = backend_.bind(*refractory_program_, refractory);
        } else {
          const auto& table = buffer("input." + slot.name);
          auto source = std::find_if(inputs_.begin(), inputs_.end(), [&](const auto& in) { return in.second == table; });
          if (source == inputs_.end()) throw InternalError(fmt::format("population '{}' has no input table '{}'", name_, slot.name));
          observed_tables_.emplace_back(source->first, scratch);
        }
      } else {
        arguments.inputs.push_back(input(slot, 0));  // stage 0: the state itself
      }
    }
    for (const auto& name : program.outputs) arguments.outputs.push_back(add_buffer(name));
    definition_kernel_ = backend_.bind(program, arguments);
  }
  for (const auto& name : observed_inputs_) backend_.fill(*add_buffer("observe.syn." + name), 0.0);
}

void Population::begin_observation() {
  for (const auto& name : observed_inputs_) backend_.fill(*buffer("observe.syn." + name), 0.0);
}

void Population::observe(std::int64_t n, double t) {
  if (!definition_kernel_) return;
  const std::array<double, 4> at_step_start{t, dt_, static_cast<double>(instance_size_), static_cast<double>(n)};
  for (auto& [source, scratch] : observed_tables_) backend_.sample_input(*source, n, *scratch);
  if (observed_refractory_kernel_) observed_refractory_kernel_->launch(at_step_start, owned_.begin, owned_.end);
  definition_kernel_->launch(at_step_start, owned_.begin, owned_.end);
}

const backend::BufferHandle& Population::recorded_buffer(const std::string& name) const {
  if (system_.is_state(name)) return buffer("x." + name);
  if (system_.is_external(name)) return buffer("observe.syn." + name);
  return buffer("observe." + name);
}

}  // namespace psst::run
