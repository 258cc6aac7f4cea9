#include "run/synapse_delays.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "model/error.hpp"
#include "run/ensemble.hpp"
#include "run/values.hpp"

namespace psst::run {

namespace {

// Steps of delay `ms`, as a single delay always was: round(ms / dt), at least one step.
// `synapse` names the synapse in messages (none for a single delay).
std::int64_t delay_steps(double ms, double dt, const model::ProjectionSpec& spec, std::optional<std::size_t> synapse) {
  const std::string which = synapse ? fmt::format("the delay of synapse {}", *synapse) : std::string("the delay");
  if (!(ms >= 0.0) || !std::isfinite(ms))
    throw UserError(spec.delay.where, fmt::format("projection '{}': {} is {} ms; a delay must be a finite number "
                                                  ">= 0 ms", spec.name, which, ms));
  const double steps = std::round(ms / dt);
  if (steps > 0x1p52)
    throw UserError(spec.delay.where, fmt::format("projection '{}': {} is {} ms, {:.4g} steps of dt = {} ms; use a "
                                                  "shorter delay or a larger dt", spec.name, which, ms, steps, dt));
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(steps));
}

// Every synapse's delay in ms, of the whole projection, so that every process finds the
// same classes; in an ensemble instance k's synapses with instance k's seed, as its
// single run draws them.
Values resolve_delays(const model::ProjectionSpec& spec, const Connectivity& local, std::size_t total,
                      const std::vector<std::uint64_t>& seeds) {
  const std::string what = fmt::format("delay of projection '{}'", spec.name), purpose = spec.name + "/delay";
  const auto& offsets = local.instance_offsets;
  if (seeds.size() <= 1 || offsets.size() != seeds.size() + 1)
    return resolve_values(spec.delay, ValueContext{what, purpose, total, seeds.empty() ? 0 : seeds.front()});
  std::vector<Values> per_instance;
  for (std::size_t k = 0; k < seeds.size(); ++k)
    per_instance.push_back(resolve_values(spec.delay, ValueContext{what, purpose, offsets[k + 1] - offsets[k], seeds[k]}));
  return join_instances(per_instance, offsets);
}

}  // namespace

DelayClasses build_delay_classes(const model::ProjectionSpec& spec, const Connectivity& local, std::size_t first,
                                 std::size_t total, double dt, const std::vector<std::uint64_t>& seeds) {
  DelayClasses classes;
  const std::size_t n = local.size(), pre_size = local.pre_size;
  if (spec.delay.kind == model::ValueSpec::Kind::Constant) {  // one class: the groups are the outgoing lists
    classes.steps = {delay_steps(spec.delay.value, dt, spec, std::nullopt)};
    classes.group_offsets.assign(local.pre_offsets.begin(), local.pre_offsets.end());
    classes.group_synapses = local.outgoing;
    return classes;
  }
  if (spec.delay.kind == model::ValueSpec::Kind::Expression)
    throw UserError(spec.delay.where, fmt::format("projection '{}': a delay cannot be an expression; give a number, a "
                                                  "list (one per synapse), a file or a distribution", spec.name));
  const Values ms = resolve_delays(spec, local, total, seeds);
  std::vector<std::int64_t> steps(total);
  for (std::size_t s = 0; s < total; ++s) steps[s] = delay_steps(ms.size() == 1 ? ms[0] : ms[s], dt, spec, s);
  classes.steps = steps;
  std::sort(classes.steps.begin(), classes.steps.end());
  classes.steps.erase(std::unique(classes.steps.begin(), classes.steps.end()), classes.steps.end());
  if (classes.steps.empty()) classes.steps = {1};  // a projection without synapses
  const std::size_t k_count = classes.count();
  if (static_cast<double>(pre_size) * static_cast<double>(k_count) + 1.0 >= 0x1p32)
    throw UserError(spec.delay.where, fmt::format("projection '{}': {} presynaptic neurons with {} distinct delays (in "
                                                  "steps of dt = {} ms) are more groups than psst can index (2^32 - "
                                                  "1); round the delays to fewer values", spec.name, pre_size,
                                                  k_count, dt));
  // Class of each local synapse, then a counting sort of the outgoing lists into groups:
  // walking each neuron's outgoing synapses in ascending order keeps every group ascending.
  auto class_of = [&](std::uint32_t s) {
    return static_cast<std::size_t>(
        std::lower_bound(classes.steps.begin(), classes.steps.end(), steps[first + s]) - classes.steps.begin());
  };
  classes.group_offsets.assign(pre_size * k_count + 1, 0);
  for (std::size_t s = 0; s < n; ++s) ++classes.group_offsets[local.pre[s] * k_count + class_of(static_cast<std::uint32_t>(s)) + 1];
  for (std::size_t g = 0; g + 1 < classes.group_offsets.size(); ++g) classes.group_offsets[g + 1] += classes.group_offsets[g];
  std::vector<std::uint32_t> fill(classes.group_offsets.begin(), classes.group_offsets.end() - 1);
  classes.group_synapses.resize(n);
  for (std::size_t j = 0; j < pre_size; ++j)
    for (std::size_t k = local.pre_offsets[j]; k < local.pre_offsets[j + 1]; ++k) {
      const std::uint32_t s = local.outgoing[k];
      classes.group_synapses[fill[j * k_count + class_of(s)]++] = s;
    }
  return classes;
}

}  // namespace psst::run
