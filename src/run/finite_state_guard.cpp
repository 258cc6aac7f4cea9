#include "run/finite_state_guard.hpp"

#include <cmath>

#include <fmt/format.h>

namespace psst::run {

namespace {

// Collective: element i of a population's array as its owner has it (other ranks may
// hold an older copy), on every rank. An array of one value (a shared parameter) is read at 0.
double owner_value(const Simulation& simulation, std::size_t population, const backend::Buffer& buffer,
                   std::size_t i) {
  const int owner = simulation.partition().owner(population, i);
  double value = 0.0;
  const std::size_t at = buffer.size() == 1 ? 0 : i;
  if (owner == simulation.communicator().rank() && at < buffer.size())
    simulation.backend().download(buffer, std::span<double>(&value, 1), at);
  const std::vector<double> values = simulation.communicator().gather(std::span<const double>(&value, 1));
  std::vector<double> all{static_cast<std::size_t>(owner) < values.size() ? values[static_cast<std::size_t>(owner)]
                                                                           : value};
  simulation.communicator().broadcast(all);  // gather leaves the values on rank 0 only
  return all[0];
}

// "summed input 'I'" for "syn.I", "input 'I'" for "input.I", "parameter 'g'" for "param.g".
std::string input_description(const std::string& array) {
  const auto dot = array.find('.');
  const std::string kind = array.substr(0, dot), name = array.substr(dot + 1);
  return fmt::format("{} '{}'", kind == "syn" ? "summed input" : kind == "param" ? "parameter" : "input", name);
}

}  // namespace

std::optional<FiniteStateGuard::Found> FiniteStateGuard::find() const {
  const auto& populations = simulation_.populations();
  for (std::size_t p = 0; p < populations.size(); ++p)
    for (const auto& variable : populations[p]->system().state_variables()) {
      // The backend's reduction on each rank, then the lowest index over all ranks.
      const auto& buffer = *populations[p]->buffer("x." + variable);
      const std::uint64_t local = simulation_.backend().first_non_finite(buffer);
      const auto i = static_cast<std::size_t>(simulation_.communicator().min(local));
      if (i < buffer.size()) return Found{p, variable, i};
    }
  return std::nullopt;
}

void FiniteStateGuard::check() {
  const std::optional<Found> found = find();
  if (!found) {
    snapshot_.save();
    return;
  }
  const std::int64_t checked = simulation_.step();
  if (!snapshot_.saved() || snapshot_.step() >= checked) report(*found, false, checked);
  report(replay(checked, *found), true, checked);
}

// Every rank replays the same steps and every check is a reduction over the ranks, so all
// agree on the first bad step. The snapshot follows the replay: at the end it holds the
// step before the bad one (the values a step earlier).
FiniteStateGuard::Found FiniteStateGuard::replay(std::int64_t checked_step, Found found) {
  snapshot_.restore();
  while (simulation_.step() < checked_step) {
    simulation_.advance_one_step(false);
    if (auto first = find()) return *first;
    snapshot_.save();
  }
  // The replay runs the same kernels on the same state: it must meet the bad value again.
  throw InternalError(fmt::format("the replay from step {} to {} found no non-finite value in '{}' ({})",
                                  snapshot_.step(), checked_step, found.variable, found.neuron));
}

void FiniteStateGuard::report(const Found& found, bool previous_known, std::int64_t checked_step) {
  const Population& population = *simulation_.populations()[found.population];
  const std::size_t i = found.neuron;
  const std::int64_t bad_step = simulation_.step();
  const double value = owner_value(simulation_, found.population, *population.buffer("x." + found.variable), i);
  std::string before;
  if (previous_known)
    before = fmt::format(" (it was {} a step earlier)",
                         owner_value(simulation_, found.population,
                                     snapshot_.population_array(found.population, "x." + found.variable), i));
  // An input already not finite at that step: the cause is upstream, not the time step.
  std::string upstream;
  for (const auto& array : population.input_arrays()) {
    const double input = owner_value(simulation_, found.population, *population.buffer(array), i);
    if (!std::isfinite(input)) {
      upstream = fmt::format("{} was already {} at that step", input_description(array), input);
      break;
    }
  }
  // Back to the step the run was checked at (the replay left it earlier), as the output file has it.
  while (simulation_.step() < checked_step) simulation_.advance_one_step(false);
  // In an ensemble: the instance (its seed) and the neuron within it.
  const std::size_t size = population.instance_size();
  const std::string neuron = population.instances() == 1
                                 ? fmt::format("neuron {}", i)
                                 : fmt::format("instance {} (seed {}), neuron {}", i / size,
                                               simulation_.ensemble().instance_seed(i / size), i % size);
  const std::string remedy =
      upstream.empty()
          ? fmt::format("The equations diverged; try a smaller time step (now dt = {} ms, e.g. --dt {}) or check the "
                        "parameters.",
                        simulation_.dt(), simulation_.dt() / 10)
          : fmt::format("Its {}, so the cause is upstream (what feeds that input), not the time step.", upstream);
  throw NumericalError(fmt::format(
      "numerical blow-up at t = {:.10g} ms (step {}): population '{}', variable '{}', {} is {}{}. {} The output up to "
      "this point is kept.",
      static_cast<double>(bad_step) * simulation_.dt(), bad_step, population.name(), found.variable, neuron, value,
      before, remedy));
}

}  // namespace psst::run
