#include "run/input_table.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "io/table_reader.hpp"

namespace psst::run {

backend::InputSchedule make_input_schedule(const model::InputSpec& spec, const std::string& population,
                                           std::size_t size, double dt, std::int64_t steps) {
  backend::InputSchedule schedule;
  schedule.size = size;
  schedule.default_value = spec.default_value;
  std::size_t& rows_ = schedule.rows;
  std::size_t& columns_ = schedule.columns;
  const std::string what = fmt::format("input '{}' of population '{}'", spec.name, population);
  if (!spec.file.empty()) {
    io::Table table;
    try {
      table = io::read_table(spec.file);
    } catch (const IoError& e) {  // say which input of which model line wanted the file
      throw IoError(spec.where, fmt::format("{}: {}", what, e.what()));
    }
    // (steps,) or (steps, 1) or (1, steps): one trace for all neurons; (neurons, steps): one row each.
    if (table.rows == 1 || table.cols == 1) {
      rows_ = 1;
      columns_ = table.values.size();
    } else if (table.rows == size) {
      rows_ = table.rows;
      columns_ = table.cols;
    } else {
      throw UserError(spec.where, fmt::format("{}: table '{}' is {} x {}; expected (neurons = {}) x (steps) or a single "
                                              "row or column of steps",
                                              what, spec.file, table.rows, table.cols, size));
    }
    if (static_cast<std::int64_t>(columns_) < steps)
      throw UserError(spec.where, fmt::format("{}: table '{}' has {} steps, the run needs at least {} (duration / dt)",
                                              what, spec.file, columns_, steps));
    // A non-finite input would run and then be blamed on dt: refused here, by neuron and step.
    for (std::size_t k = 0; k < table.values.size(); ++k)
      if (!std::isfinite(table.values[k]))
        throw UserError(spec.where, fmt::format("{}: table '{}' holds {} at {}step {}; inputs must be finite numbers",
                                                what, spec.file, table.values[k],
                                                rows_ == 1 ? "" : fmt::format("neuron {}, ", k / columns_),
                                                k % columns_));
    schedule.table = std::move(table.values);
    return schedule;
  }
  if (!std::isfinite(spec.default_value))
    throw UserError(spec.where, fmt::format("{}: the default is {}; inputs must be finite numbers", what,
                                            spec.default_value));
  for (const auto& segment : spec.segments) {
    if (!(segment.end > segment.start))
      throw UserError(spec.where, fmt::format("{}: segment [{}, {}) is empty; the end must be after the start", what,
                                              segment.start, segment.end));
    if (!std::isfinite(segment.value))
      throw UserError(spec.where, fmt::format("{}: segment [{}, {}) has the value {}; inputs must be finite numbers",
                                              what, segment.start, segment.end, segment.value));
    for (std::size_t n : segment.neurons)
      if (n >= size)
        throw UserError(spec.where, fmt::format("{}: neuron index {} is out of range; the population has {} neurons "
                                                "(0 to {})", what, n, size, size - 1));
    // Step k (t = k dt) lies in [start, end) when round(start/dt) <= k < round(end/dt).
    schedule.ranges.push_back(
        {std::llround(segment.start / dt), std::llround(segment.end / dt), segment.value, segment.neurons});
  }
  return schedule;
}

}  // namespace psst::run
