#include "run/spike_times.hpp"

#include <cmath>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "io/table_reader.hpp"
#include "model/error.hpp"

namespace psst::run {

namespace {

// The spikes of the file: two columns, index then time (ms).
void read_spike_file(model::PopulationSpec::SpikeTimes& spikes, const std::string& what) {
  io::Table table;
  try {
    table = io::read_table(spikes.file);
  } catch (const IoError& e) {
    throw IoError(spikes.where, fmt::format("{}: {}", what, e.what()));
  }
  if (table.cols != 2 && !table.values.empty())
    throw UserError(spikes.where, fmt::format("{}: '{}' has {} columns; it needs two, the neuron index and the spike "
                                              "time in ms",
                                              what, spikes.file, table.cols));
  for (std::size_t r = 0; r < table.rows; ++r) {
    spikes.indices.push_back(table.at(r, 0));
    spikes.times.push_back(table.at(r, 1));
  }
}

// The step of a spike time: t / dt must be within 1e-9 (relative) of a whole number,
// the tolerance of every "whole number of steps" in a model file.
std::int64_t grid_step(double time, double dt, const std::string& what, std::size_t k,
                       const SourceLocation& where) {
  if (!std::isfinite(time) || time < 0.0)
    throw UserError(where, fmt::format("{}: spike {} is at t = {} ms; spike times must be finite and >= 0", what, k,
                                       time));
  const double steps = time / dt;
  const double nearest = std::round(steps);
  if (std::fabs(steps - nearest) > 1e-9 * std::max(1.0, nearest))
    throw UserError(where, fmt::format("{}: spike {} at t = {} ms is not on the step grid of dt = {} ms (the nearest "
                                       "steps are at {} and {} ms); psst does not round spike times: give times "
                                       "that are whole multiples of dt (within 1e-9 relative)",
                                       what, k, time, dt, std::floor(steps) * dt, std::ceil(steps) * dt));
  return static_cast<std::int64_t>(nearest);
}

}  // namespace

backend::InputSchedule make_spike_schedule(const model::PopulationSpec::SpikeTimes& given,
                                           const std::string& population, std::size_t size, double dt) {
  const std::string what = fmt::format("spike_times of population '{}'", population);
  model::PopulationSpec::SpikeTimes spikes = given;
  if (!spikes.file.empty()) read_spike_file(spikes, what);
  backend::InputSchedule schedule;
  schedule.size = size;
  schedule.default_value = 0.0;
  std::set<std::pair<std::int64_t, std::size_t>> seen;  // (step, neuron)
  std::int64_t previous_step = -1;
  for (std::size_t k = 0; k < spikes.times.size(); ++k) {
    const double index = spikes.indices[k];
    if (!(index >= 0.0) || index != std::floor(index) || index >= static_cast<double>(size))
      throw UserError(spikes.where, fmt::format("{}: spike {} has neuron index {}; indices are whole numbers from 0 to "
                                                "{} (the population has {} neurons)",
                                                what, k, index, size - 1, size));
    const std::int64_t step = grid_step(spikes.times[k], dt, what, k, spikes.where);
    if (step < previous_step)
      throw UserError(spikes.where, fmt::format("{}: spike {} at t = {} ms comes after a spike at a later time; give "
                                                "the spikes in ascending order of time",
                                                what, k, spikes.times[k]));
    const auto neuron = static_cast<std::size_t>(index);
    if (!seen.emplace(step, neuron).second)
      throw UserError(spikes.where, fmt::format("{}: neuron {} has two spikes in the step at t = {} ms; a neuron "
                                                "spikes at most once per step",
                                                what, neuron, static_cast<double>(step) * dt));
    if (step != previous_step) schedule.ranges.push_back({step, step + 1, 1.0, {}});
    schedule.ranges.back().neurons.push_back(neuron);
    previous_step = step;
  }
  return schedule;
}

}  // namespace psst::run
