// Observation of a projection's summed contributions (Projection::set_up_observation):
// for the synaptic inputs its postsynaptic population observes, the first stage's
// contributions from the state now (stage state = state: the same slots the stage
// kernel reads, so the same bits), into scratch, then the same ordered row sums as a
// step into the population's observed sums. The projections add in their order, as in
// a step, so the observed sum of several projections is the sum the step forms.
#include <algorithm>

#include <fmt/format.h>

#include "run/projection.hpp"

namespace psst::run {

void Projection::set_up_observation() {
  const auto& observed = post_->observed_synaptic_inputs();
  graph::KernelSpec spec{&system_, scheme_,
                         [this](const std::string& name) { return external_slot(name, graph::Slot::Kind::StageState); },
                         {}, {}};
  for (const auto& s : summed_) {
    if (std::find(observed.begin(), observed.end(), s.target) == observed.end()) continue;
    spec.stage_outputs.emplace_back("summed." + s.target, s.value);
    observed_sums_.emplace_back(add_buffer("observe.summed." + s.target, size()),
                                post_->buffer("observe.syn." + s.target));
  }
  if (observed_sums_.empty()) return;
  bind_post_offsets();
  graph::Program program = graph::build_summed_program(spec, name_ + "_observe");
  check_count_read(program);
  backend::KernelArguments arguments;
  for (std::size_t k = 0; k < program.inputs.size(); ++k) arguments.inputs.push_back(input(program.input_slot(k), 0, false));
  for (const auto& sum : observed_sums_) arguments.outputs.push_back(sum.first);  // the contributions
  observe_kernel_ = backend_.bind(program, arguments);
}

void Projection::observe(double t) {
  if (!observe_kernel_) return;
  if (size() > 0) observe_kernel_->launch(scalars(t), 0, size());  // a rank may hold none
  for (const auto& [contributions, sums] : observed_sums_)
    backend_.add_row_sums(*contributions, *post_offsets_, *sums, post_->owned().begin, post_->owned().end);
}

}  // namespace psst::run
