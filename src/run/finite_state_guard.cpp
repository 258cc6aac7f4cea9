#include "run/finite_state_guard.hpp"

#include <cmath>

#include <fmt/format.h>

namespace psst::run {

void FiniteStateGuard::check(const Simulation& simulation) const {
  for (const auto& population : simulation.populations()) {
    for (const auto& variable : population->system().state_variables()) {
      // The backend's reduction on each rank, then the lowest index over all ranks.
      const auto& buffer = *population->buffer("x." + variable);
      const std::uint64_t local = simulation.backend().first_non_finite(buffer);
      const auto i = static_cast<std::size_t>(simulation.communicator().min(local));
      if (i >= buffer.size()) continue;
      // The value as its owner has it (other ranks may hold an older copy), on rank 0.
      const std::size_t p = static_cast<std::size_t>(&population - simulation.populations().data());
      const int owner = simulation.partition().owner(p, i);
      double value = 0.0;
      if (owner == simulation.communicator().rank())
        simulation.backend().download(buffer, std::span<double>(&value, 1), i);
      const std::vector<double> values = simulation.communicator().gather(std::span<const double>(&value, 1));
      if (static_cast<std::size_t>(owner) < values.size()) value = values[static_cast<std::size_t>(owner)];
      // In an ensemble: the instance (its seed) and the neuron within it.
      const std::size_t size = population->instance_size();
      const std::string neuron =
          population->instances() == 1
              ? fmt::format("neuron {}", i)
              : fmt::format("instance {} (seed {}), neuron {}", i / size,
                            simulation.ensemble().instance_seed(i / size), i % size);
      throw NumericalError(fmt::format(
          "numerical blow-up at t = {} ms: population '{}', variable '{}', {} is {}. The equations diverged; "
          "try a smaller time step (now dt = {} ms, e.g. --dt {}) or check the parameters. The output up to this "
          "point is kept.",
          simulation.time(), population->name(), variable, neuron, value, simulation.dt(), simulation.dt() / 10));
    }
  }
}

}  // namespace psst::run
