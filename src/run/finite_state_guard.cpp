#include "run/finite_state_guard.hpp"

#include <cmath>

#include <fmt/format.h>

namespace psst::run {

namespace {

// Index of the first non-finite value, or size() if there is none.
std::size_t first_non_finite(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v * 0.0;  // 0 for finite values, NaN for NaN and +-inf
  if (sum == 0.0) return values.size();
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i])) return i;
  return values.size();
}

}  // namespace

void FiniteStateGuard::check(const Simulation& simulation) const {
  for (const auto& population : simulation.populations()) {
    for (const auto& variable : population->system().state_variables()) {
      const auto& values = population->state(variable);
      std::size_t i = first_non_finite(values);
      if (i == values.size()) continue;
      throw NumericalError(fmt::format(
          "numerical blow-up at t = {} ms: population '{}', variable '{}', neuron {} is {}. The equations diverged; "
          "try a smaller time step (now dt = {} ms, e.g. --dt {}) or check the parameters. The output up to this "
          "point is kept.",
          simulation.time(), population->name(), variable, i, values[i], simulation.dt(), simulation.dt() / 10));
    }
  }
}

}  // namespace psst::run
